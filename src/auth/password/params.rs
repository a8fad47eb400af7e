//! The argon2id cost of new hashes, a setting (`PASSWORD_HASH_PARAMS`).
//!
//! OWASP lists several equally strong trades of memory for iterations, and the memory
//! one hash touches is what slows every other request during a sign-in storm
//! (`bench/`). Stored hashes are always verified with the parameters written in them; a
//! hash made with other parameters than the configured ones reports `needs_rehash`.

use std::{fmt, str::FromStr};

use argon2::{Algorithm, Argon2, Params, Version};

use super::PasswordError;

/// Argon2 output length in bytes (the `argon2` crate's default).
pub(super) const ARGON2_OUTPUT_LEN: usize = 32;

/// Argon2id cost of new hashes: memory in KiB, iterations and lanes, written
/// `m=19456,t=2,p=1` as in a PHC string. Only settings at least as strong as one of the
/// OWASP Password Storage Cheat Sheet's argon2id rows can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl HashParams {
    /// OWASP's argon2id rows, "an equal level of defense" that trades memory for
    /// iterations, all with one lane.
    pub const OWASP: [HashParams; 5] = [
        Self::row(47_104, 1),
        Self::row(19_456, 2),
        Self::row(12_288, 3),
        Self::row(9_216, 4),
        Self::row(7_168, 5),
    ];

    /// The default: OWASP's lightest row. Of the equally strong settings it had the
    /// fastest sign-ins (~20 % more per second than `m=19456,t=2` in `bench/`, 12 of 14
    /// paired rounds) and holds the least memory per hashing thread; the storm's effect
    /// on other requests did not differ measurably (`bench/README.md`).
    pub const DEFAULT: HashParams = Self::row(7_168, 5);

    const fn row(m_cost_kib: u32, t_cost: u32) -> Self {
        Self {
            m_cost_kib,
            t_cost,
            p_cost: 1,
        }
    }

    /// Refuses anything weaker than every OWASP row (less memory *and* fewer iterations
    /// than each), and more than one lane: the hashing threads compute lanes one after
    /// the other, so extra lanes would only cost time without adding strength.
    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, String> {
        let params = Self {
            m_cost_kib,
            t_cost,
            p_cost,
        };
        if p_cost != 1 {
            return Err(format!("{params}: p must be 1"));
        }
        let strong = Self::OWASP
            .iter()
            .any(|row| m_cost_kib >= row.m_cost_kib && t_cost >= row.t_cost);
        if !strong {
            let rows: Vec<String> = Self::OWASP.iter().map(|r| r.to_string()).collect();
            return Err(format!(
                "{params} is weaker than every OWASP argon2id setting ({})",
                rows.join("; ")
            ));
        }
        params.argon2_params().map_err(|e| e.to_string())?;
        Ok(params)
    }

    pub fn m_cost_kib(self) -> u32 {
        self.m_cost_kib
    }

    pub fn t_cost(self) -> u32 {
        self.t_cost
    }

    pub fn p_cost(self) -> u32 {
        self.p_cost
    }

    fn argon2_params(self) -> Result<Params, argon2::Error> {
        Params::new(
            self.m_cost_kib,
            self.t_cost,
            self.p_cost,
            Some(ARGON2_OUTPUT_LEN),
        )
    }

    pub(super) fn argon2(self) -> Result<Argon2<'static>, PasswordError> {
        let params = self
            .argon2_params()
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for HashParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "m={},t={},p={}",
            self.m_cost_kib, self.t_cost, self.p_cost
        )
    }
}

/// Parses `m=<KiB>,t=<iterations>,p=<lanes>` (any order, each key once).
impl FromStr for HashParams {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (mut m, mut t, mut p) = (None, None, None);
        for part in text.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not key=value"))?;
            let slot = match key.trim() {
                "m" => &mut m,
                "t" => &mut t,
                "p" => &mut p,
                other => return Err(format!("unknown key {other:?} (use m, t and p)")),
            };
            let value = value
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{value:?} is not a whole number"))?;
            if slot.replace(value).is_some() {
                return Err(format!("{} is given twice", key.trim()));
            }
        }
        match (m, t, p) {
            (Some(m), Some(t), Some(p)) => Self::new(m, t, p),
            _ => Err("expected m=<KiB>,t=<iterations>,p=1, e.g. m=19456,t=2,p=1".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_and_refuse_weaker_than_owasp() {
        assert_eq!("m=19456,t=2,p=1".parse(), Ok(HashParams::OWASP[1]));
        assert_eq!(HashParams::default(), HashParams::OWASP[4]);
        assert_eq!(
            " t=3, m=12288 ,p=1"
                .parse::<HashParams>()
                .map(|p| p.to_string()),
            Ok("m=12288,t=3,p=1".to_owned())
        );
        for row in HashParams::OWASP {
            assert_eq!(row.to_string().parse(), Ok(row));
        }
        // Stronger than a row in both costs, or in one of them.
        for ok in [
            "m=65536,t=3,p=1",
            "m=47104,t=1,p=1",
            "m=8192,t=5,p=1",
            "m=7168,t=9,p=1",
        ] {
            assert!(ok.parse::<HashParams>().is_ok(), "{ok}");
        }
        for bad in [
            "m=19456,t=1,p=1",
            "m=7168,t=4,p=1",
            "m=47103,t=1,p=1",
            "m=4096,t=10,p=1",
            "m=19456,t=2,p=2",
            "m=19456,t=2",
            "m=19456,t=2,p=1,x=3",
            "m=19456,t=2,t=3,p=1",
            "m=19 MiB,t=2,p=1",
            "m=-1,t=2,p=1",
            "19456,2,1",
            "",
        ] {
            assert!(bad.parse::<HashParams>().is_err(), "{bad}");
        }
    }
}
