//! Backup codes as the plugin makes and keeps them: ten codes of ten characters from
//! `a-z0-9A-Z`, shown as `xxxxx-xxxxx`, stored as a JSON array under
//! `symmetricEncrypt` (its default `storeBackupCodes: "encrypted"`).

use crate::auth::{
    ids::random_string,
    key_envelope::{symmetric_decrypt, symmetric_encrypt},
    AuthError,
};

const COUNT: usize = 10;
const LEN: usize = 10;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A fresh set of codes.
pub fn generate() -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            let code = random_string(LEN, ALPHABET);
            format!("{}-{}", &code[..5], &code[5..])
        })
        .collect()
}

/// The `twoFactor.backupCodes` column for `codes`.
pub fn seal(codes: &[String], secret: &[u8]) -> Result<String, AuthError> {
    let json = serde_json::to_string(codes).map_err(|e| AuthError::Internal(e.to_string()))?;
    symmetric_encrypt(&json, secret).map_err(|e| AuthError::Internal(e.to_string()))
}

/// The codes in a `twoFactor.backupCodes` column; a plain JSON array (the plugin's
/// `storeBackupCodes: "plain"`) is read as well. `None`: unreadable under this secret.
pub fn open(column: &str, secret: &[u8]) -> Option<Vec<String>> {
    let json = if column.trim_start().starts_with('[') {
        column.to_string()
    } else {
        symmetric_decrypt(column, secret).ok()?
    };
    serde_json::from_str(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_plugin_shape_and_round_trip() {
        let codes = generate();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
        }
        let secret = b"0123456789abcdef0123456789abcdef";
        let column = seal(&codes, secret).unwrap();
        assert!(column.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(open(&column, secret), Some(codes.clone()));
        assert_eq!(open(&column, b"wrong secret"), None);
        assert_eq!(
            open(r#"["abcde-fghij"]"#, secret),
            Some(vec!["abcde-fghij".to_string()])
        );
    }
}
