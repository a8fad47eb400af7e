//! What the UI says when something fails: the server's error codes (Better Auth's and
//! the tasks API's, from `taskdeck::problem`) in words, for every page and server
//! function. Numbers in the words come from [`crate::limits`].

use std::borrow::Cow;

use crate::limits::{
    DESCRIPTION_MAX, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN, TAGS_MAX, TAG_MAX_LEN, TITLE_MAX,
};

/// The words for `code`; an unknown code gets a general apology rather than the code.
pub fn error_message(code: &str) -> Cow<'static, str> {
    let words = match code {
        "INVALID_EMAIL_OR_PASSWORD" => "Wrong e-mail or password. Check both and try again.",
        "INVALID_EMAIL" => "That doesn't look like an e-mail address.",
        "VALIDATION_ERROR" => "Some of that doesn't look right. Check the fields and try again.",
        "INVALID_TITLE" => {
            return format!("Give the task a title (at most {TITLE_MAX} characters).").into()
        }
        "INVALID_DESCRIPTION" => {
            return format!(
                "Keep the description to {} characters.",
                thousands(DESCRIPTION_MAX)
            )
            .into()
        }
        "INVALID_PRIORITY" => "Pick a priority: low, medium or high.",
        "INVALID_TAGS" => {
            return format!(
                "Tags are short words separated by commas (at most {TAGS_MAX}, each up to \
                 {TAG_MAX_LEN} characters)."
            )
            .into()
        }
        "INVALID_DUE_DATE" => "Use a real date for the due date.",
        "INVALID_RECURRENCE" => "Pick how the task repeats from the list.",
        "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" | "USER_ALREADY_EXISTS" => {
            "An account with this e-mail already exists. Sign in instead?"
        }
        "PASSWORD_TOO_SHORT" => {
            return format!("Use a password of at least {MIN_PASSWORD_LEN} characters.").into()
        }
        "PASSWORD_TOO_LONG" => {
            return format!("Use a password of at most {MAX_PASSWORD_LEN} characters.").into()
        }
        "NAME_REQUIRED" => "Please tell us your name.",
        "TOO_MANY_REQUESTS" => "Too many attempts. Wait a few seconds and try again.",
        "INVALID_ORIGIN" | "MISSING_OR_NULL_ORIGIN" | "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED" => {
            "This form was sent from another site and was refused."
        }
        "UNAUTHORIZED" => "Please sign in to continue.",
        "INVALID_PASSWORD" => "That password is not right.",
        "INVALID_TOKEN" | "TOKEN_EXPIRED" => {
            "This link is invalid or has expired. Ask for a new one."
        }
        "USER_NOT_FOUND" => "There is no account for this link any more.",
        "CREDENTIAL_ACCOUNT_NOT_FOUND" => {
            "This account has no password yet: use “Forgot password”."
        }
        "SESSION_EXPIRED" => "Please sign in again to do this.",
        "PASSWORD_REQUIRED" => "Enter your password to confirm.",
        "SERVICE_UNAVAILABLE" => "We're busy right now. Try again in a moment.",
        "NOT_FOUND" => "That task no longer exists.",
        "INVALID_CODE" => "That code is not right. Check the app and try again.",
        "INVALID_BACKUP_CODE" => "That backup code is not right, or it was used already.",
        "INVALID_TWO_FACTOR_COOKIE" => "Your sign-in took too long. Enter your password again.",
        "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE" => {
            "Too many wrong codes. Sign in again to get a new try."
        }
        "ACCOUNT_TEMPORARILY_LOCKED" => {
            "Too many wrong codes: two-factor sign-in is locked for 15 minutes."
        }
        "OTP_HAS_EXPIRED" => "That code has expired or was used. Ask for a new one.",
        "OTP_NOT_CONFIGURED" => {
            "Codes by e-mail are not available here. Use your app or a backup code."
        }
        "TOTP_NOT_ENABLED" | "TWO_FACTOR_NOT_ENABLED" => {
            "Two-factor authentication is not set up for this account."
        }
        // Passkeys (the plugin's codes, and the browser's refusals as its client names them).
        "AUTH_CANCELLED" => {
            "The passkey sign-in was cancelled or timed out. Try again, or use your password."
        }
        "REGISTRATION_CANCELLED" => "Adding the passkey was cancelled or timed out.",
        "PREVIOUSLY_REGISTERED" => "This device already holds a passkey for your account.",
        "PASSKEY_NOT_FOUND" => {
            "This passkey is not known here: it was removed, or its account was deleted. \
             Sign in with your password."
        }
        "CHALLENGE_NOT_FOUND" => "That passkey request expired. Please try again.",
        "AUTHENTICATION_FAILED" => "This passkey could not be verified. Please try again.",
        "FAILED_TO_VERIFY_REGISTRATION" => {
            "This passkey could not be verified, so it was not added."
        }
        "SESSION_NOT_FRESH" => "For your safety, sign in again before adding a passkey.",
        "PASSKEYS_NEED_JAVASCRIPT" => {
            "Passkeys need JavaScript and a browser that supports them. Sign in with your \
             password instead."
        }
        // Signing in with another account (the callback's codes, Better Auth's).
        "state_mismatch" | "state_not_found" | "nonce_binding_missing" => {
            "That sign-in took too long, or was started in another browser. Please try again."
        }
        "account_not_linked" => {
            "An account with this e-mail already exists here, and the two could not be joined \
             safely. Sign in with your password instead."
        }
        "email_not_found" => {
            "The provider did not share an e-mail address, which an account here needs."
        }
        "access_denied" => "The sign-in was cancelled at the provider.",
        "email_does_not_match" => {
            "That account has another e-mail address than yours here, so it was not connected."
        }
        "account_already_linked_to_different_user" => {
            "That account is already connected to another user here."
        }
        "FAILED_TO_UNLINK_LAST_ACCOUNT" => {
            "That is your only way to sign in: add a password or another account first."
        }
        "ACCOUNT_NOT_FOUND" => "That account is not connected any more.",
        "invalid_code"
        | "unable_to_get_user_info"
        | "issuer_mismatch"
        | "no_code"
        | "oauth_provider_not_found"
        | "unable_to_link_account" => {
            "The sign-in with that provider could not be completed. Please try again."
        }
        "PROVIDER_NOT_FOUND" => "That sign-in provider is not offered here.",
        "PROVIDER_UNAVAILABLE" => {
            "The sign-in provider cannot be reached right now. Try again shortly, or use your \
             password."
        }
        _ => "Something went wrong. Please try again.",
    };
    words.into()
}

/// `1000` as "1,000", as the words write numbers.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_in_the_words_are_the_limits() {
        assert_eq!(
            error_message("INVALID_TITLE"),
            "Give the task a title (at most 200 characters)."
        );
        assert_eq!(
            error_message("INVALID_DESCRIPTION"),
            "Keep the description to 1,000 characters."
        );
        assert!(error_message("INVALID_TAGS").contains("at most 10, each up to 32"));
        assert!(error_message("PASSWORD_TOO_SHORT").contains("at least 8 characters"));
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn an_unknown_code_is_never_shown_as_a_code() {
        let words = error_message("SOME_NEW_CODE");
        assert!(!words.contains("SOME_NEW_CODE"));
        assert!(words.starts_with("Something went wrong"));
    }
}
