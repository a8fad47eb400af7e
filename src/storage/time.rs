//! [`Ts`]: a UTC instant stored the way Better Auth stores dates on each backend.
//!
//! SQLite has no date type: Better Auth's migrator writes JS `toISOString()` text
//! (`2026-01-02T03:04:05.678Z`), Drizzle writes integer epoch milliseconds. PostgreSQL
//! uses `timestamptz` (Drizzle: `timestamp` without zone). `Ts` writes the first form of
//! each and reads all of them, so a database created by Better Auth opens as is.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgTypeInfo, PgValueRef},
    sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef},
    Decode, Encode, Postgres, Sqlite, Type, TypeInfo, ValueRef,
};

/// Serialises as JS `toISOString()` does (always milliseconds, `Z`), which is what the
/// Better Auth client parses back into `Date`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub DateTime<Utc>);

impl Serialize for Ts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("invalid date"))
    }
}

impl Ts {
    pub fn now() -> Self {
        // Millisecond precision, as JS dates have: what is written reads back equal.
        let now = Utc::now();
        Self(
            Utc.timestamp_millis_opt(now.timestamp_millis())
                .single()
                .unwrap_or(now),
        )
    }

    /// `toISOString()` form: `2026-01-02T03:04:05.678Z`.
    pub fn to_iso(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Accepts RFC 3339 and SQLite's `YYYY-MM-DD HH:MM:SS[.fff]` (taken as UTC).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(Self(t.with_timezone(&Utc)));
        }
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(|n| Self(n.and_utc()))
    }

    pub fn from_millis(ms: i64) -> Option<Self> {
        Utc.timestamp_millis_opt(ms).single().map(Self)
    }
}

impl From<DateTime<Utc>> for Ts {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t)
    }
}

impl Type<Sqlite> for Ts {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(_: &SqliteTypeInfo) -> bool {
        // Declared `date`, `text`, `integer` or nothing at all: decode() sorts it out.
        true
    }
}

impl<'q> Encode<'q, Sqlite> for Ts {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.to_iso(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Ts {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let storage_class = value.type_info().name().to_ascii_uppercase();
        match storage_class.as_str() {
            "INTEGER" => {
                let ms = <i64 as Decode<Sqlite>>::decode(value)?;
                Self::from_millis(ms).ok_or_else(|| format!("timestamp {ms} out of range").into())
            }
            "REAL" => {
                let ms = <f64 as Decode<Sqlite>>::decode(value)?;
                Self::from_millis(ms as i64)
                    .ok_or_else(|| format!("timestamp {ms} out of range").into())
            }
            _ => {
                let text = <&str as Decode<Sqlite>>::decode(value)?;
                Self::parse(text).ok_or_else(|| format!("unreadable date {text:?}").into())
            }
        }
    }
}

impl Type<Postgres> for Ts {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
            || <NaiveDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Ts {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.type_info().name() == "TIMESTAMP" {
            let naive = <NaiveDateTime as Decode<Postgres>>::decode(value)?;
            Ok(Self(naive.and_utc()))
        } else {
            Ok(Self(<DateTime<Utc> as Decode<Postgres>>::decode(value)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_matches_javascript() {
        let t = Ts::parse("2026-01-02T03:04:05.678Z").unwrap();
        assert_eq!(t.to_iso(), "2026-01-02T03:04:05.678Z");
        assert_eq!(
            Ts::parse("2026-01-02 03:04:05").unwrap().to_iso(),
            "2026-01-02T03:04:05.000Z"
        );
        assert_eq!(Ts::from_millis(1_767_323_045_678).unwrap(), t);
        assert!(Ts::parse("yesterday").is_none());
    }
}
