//! The words of every mail Taskdeck sends, in one place.
//!
//! A mail to an address nobody has proven to own never carries the name the sign-up
//! typed: otherwise anyone could make our sender deliver text of their choosing
//! ("Your account is locked, call …") to any inbox.

use super::{Mail, MailKind};

/// The password-reset mail. `name` only when the address is verified.
pub fn reset_password(to: &str, name: Option<&str>, link: &str) -> Mail {
    Mail {
        kind: MailKind::ResetPassword,
        to: to.to_string(),
        subject: "Reset your Taskdeck password".into(),
        text: format!(
            "{},\n\nSomeone (hopefully you) asked to reset your Taskdeck password. Open this \
             link within an hour to choose a new one:\n\n{link}\n\nIf it wasn't you, ignore \
             this e-mail: your password stays as it is.",
            greeting(name)
        ),
        link: Some(link.to_string()),
    }
}

/// The second factor by e-mail: a six-digit code, valid for three minutes. The code is
/// in the text only: subjects show in notifications and lock screens, and get logged.
pub fn two_factor_code(to: &str, code: &str) -> Mail {
    Mail {
        kind: MailKind::SignInCode,
        to: to.to_string(),
        subject: "Your Taskdeck sign-in code".into(),
        text: format!(
            "{},\n\nYour Taskdeck sign-in code is {code}. It works once, for three minutes.\n\n\
             If you did not try to sign in, someone knows your password: change it.",
            greeting(None)
        ),
        link: None,
    }
}

/// The e-mail verification mail (always to an unverified address: no name).
pub fn verify_email(to: &str, link: &str) -> Mail {
    Mail {
        kind: MailKind::VerifyEmail,
        to: to.to_string(),
        subject: "Verify your e-mail address".into(),
        text: format!(
            "{},\n\nConfirm your e-mail address for Taskdeck by opening:\n\n{link}\n\n\
             If you did not sign up, ignore this e-mail.",
            greeting(None)
        ),
        link: Some(link.to_string()),
    }
}

fn greeting(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("Hello {name}"),
        None => "Hello".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unverified_addresses_never_see_the_chosen_name() {
        let name = "Your account is locked: call +1 555 0100";
        assert!(!verify_email("a@b.co", "https://x/l").text.contains(name));
        assert!(!reset_password("a@b.co", None, "https://x/l")
            .text
            .contains(name));
        assert!(reset_password("a@b.co", Some(name), "https://x/l")
            .text
            .contains(name));
    }
}
