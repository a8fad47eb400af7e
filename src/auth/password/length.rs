//! Better Auth's password length rules, counted as JavaScript counts.

/// Better Auth's default `emailAndPassword.minPasswordLength`, in UTF-16 code units.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Better Auth's default `emailAndPassword.maxPasswordLength`, in UTF-16 code units.
pub const MAX_PASSWORD_LEN: usize = 128;

/// Why a new password is refused; `code()` gives Better Auth's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LengthError {
    #[error("Password too short")]
    TooShort,
    #[error("Password too long")]
    TooLong,
}

impl LengthError {
    /// The `code` field of Better Auth's 400 response.
    pub fn code(self) -> &'static str {
        match self {
            LengthError::TooShort => "PASSWORD_TOO_SHORT",
            LengthError::TooLong => "PASSWORD_TOO_LONG",
        }
    }
}

/// Applies Better Auth's length rules (sign-up, change-password, reset-password).
/// Lengths are JavaScript `string.length`, i.e. UTF-16 code units: a character outside
/// the Basic Multilingual Plane (most emoji) counts as 2.
pub fn check_length(password: &str) -> Result<(), LengthError> {
    let len = password.encode_utf16().count();
    if len < MIN_PASSWORD_LEN {
        Err(LengthError::TooShort)
    } else if len > MAX_PASSWORD_LEN {
        Err(LengthError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_count_utf16_code_units() {
        assert_eq!(check_length(""), Err(LengthError::TooShort));
        assert_eq!(check_length("1234567"), Err(LengthError::TooShort));
        assert_eq!(check_length("12345678"), Ok(()));
        assert_eq!(check_length(&"a".repeat(128)), Ok(()));
        assert_eq!(check_length(&"a".repeat(129)), Err(LengthError::TooLong));
        // BMP characters count once even though UTF-8 uses two bytes for them.
        assert_eq!(check_length(&"é".repeat(7)), Err(LengthError::TooShort));
        assert_eq!(check_length(&"é".repeat(8)), Ok(()));
        // Non-BMP characters (surrogate pairs in UTF-16) count twice.
        assert_eq!(check_length(&"😀".repeat(3)), Err(LengthError::TooShort));
        assert_eq!(check_length(&"😀".repeat(4)), Ok(()));
        assert_eq!(check_length(&"😀".repeat(64)), Ok(()));
        // 65 chars, 129 UTF-16 units: too long for JavaScript's `length`.
        assert_eq!(
            check_length(&format!("{}a", "😀".repeat(64))),
            Err(LengthError::TooLong)
        );
        assert_eq!(LengthError::TooShort.code(), "PASSWORD_TOO_SHORT");
        assert_eq!(LengthError::TooLong.code(), "PASSWORD_TOO_LONG");
    }
}
