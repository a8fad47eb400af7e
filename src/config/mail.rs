//! How mail leaves (`SMTP_URL`, `MAIL_OUTBOX`). The outbox file holds live sign-in
//! links, so production takes it only when told.

use secrecy::SecretString;

use super::{parse::parse_bool, ConfigError, Mode};
pub use crate::mail::MailTransport;

/// SMTP when `SMTP_URL` is set; otherwise the outbox, which production takes only when
/// told (`MAIL_OUTBOX=true`) because the file holds live sign-in links.
pub(super) fn mail_transport(
    smtp_url: Option<String>,
    outbox: Option<String>,
    mode: Mode,
    mode_reason: &str,
) -> Result<MailTransport, ConfigError> {
    let outbox = parse_bool(outbox, "MAIL_OUTBOX")?;
    match (smtp_url, outbox) {
        (Some(_), Some(true)) => Err(ConfigError::Invalid {
            name: "MAIL_OUTBOX",
            reason: "true sends no mail, yet SMTP_URL is set: unset one of them".into(),
        }),
        (Some(url), _) => Ok(MailTransport::Smtp(SecretString::from(url))),
        (None, Some(true)) => Ok(MailTransport::Outbox),
        (None, _) if mode == Mode::Production => Err(ConfigError::NoMailTransport {
            why: mode_reason.to_owned(),
        }),
        (None, None) => Ok(MailTransport::Outbox),
        (None, Some(false)) => Err(ConfigError::Invalid {
            name: "MAIL_OUTBOX",
            reason: "false, and SMTP_URL is unset: no mail could be sent".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_support::{cfg, SECRET};

    #[test]
    fn production_needs_smtp_or_an_explicit_outbox() {
        let prod = [("APP_ENV", "production"), ("BETTER_AUTH_SECRET", SECRET)];
        let with = |extra: &[(&str, &str)]| cfg(&[&prod[..], extra].concat());
        let error = with(&[]).unwrap_err();
        assert!(matches!(error, ConfigError::NoMailTransport { .. }));
        assert!(error.to_string().contains("MAIL_OUTBOX=true"), "{error}");
        assert!(matches!(
            with(&[("MAIL_OUTBOX", "false")]),
            Err(ConfigError::NoMailTransport { .. })
        ));
        let outbox = with(&[("MAIL_OUTBOX", "true")]).unwrap();
        assert!(matches!(outbox.auth.mail, MailTransport::Outbox));
        assert_eq!(outbox.relaxed_protections().len(), 1);
        let smtp = with(&[("SMTP_URL", "smtps://u:pw@smtp.example.com")]).unwrap();
        assert!(matches!(smtp.auth.mail, MailTransport::Smtp(_)));
        // Both at once is ambiguous.
        assert!(matches!(
            with(&[("SMTP_URL", "smtp://localhost"), ("MAIL_OUTBOX", "true")]),
            Err(ConfigError::Invalid {
                name: "MAIL_OUTBOX",
                ..
            })
        ));
    }

    #[test]
    fn development_keeps_the_outbox() {
        assert!(matches!(cfg(&[]).unwrap().auth.mail, MailTransport::Outbox));
        let smtp = cfg(&[("SMTP_URL", "smtp://localhost")]).unwrap();
        assert!(matches!(smtp.auth.mail, MailTransport::Smtp(_)));
        assert!(matches!(
            cfg(&[("MAIL_OUTBOX", "false")]),
            Err(ConfigError::Invalid {
                name: "MAIL_OUTBOX",
                ..
            })
        ));
    }
}
