//! Outgoing mail (password-reset and verification links) behind one trait.
//!
//! Production sends through [`SmtpMailer`] (`SMTP_URL`). Development and tests use
//! [`DevMailer`], which appends each mail as a JSON line to `<data dir>/mail/outbox.jsonl`,
//! where a tester (or a local user without SMTP) reads the link; production uses it only
//! when told to (`MAIL_OUTBOX=true`).
//!
//! A link or a code in a mail signs its reader in, and logs are read by more people (and
//! systems) than a mailbox: no mailer ever logs a link, a code, a mail's text or even its
//! subject (a fixed [`MailKind`] names the mail instead), and the outbox file is
//! readable by its owner only (0600, in a 0700 directory, on unix).

use std::{path::PathBuf, sync::Arc};

use async_trait::async_trait;
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::storage::Ts;

pub mod templates;

/// How mail leaves: through SMTP, or into the outbox file (`<dir>/outbox.jsonl`).
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// `SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com`; secret, as it may hold a
    /// password.
    Smtp(SecretString),
    /// The default in development; in production only with `MAIL_OUTBOX=true`.
    Outbox,
}

impl MailTransport {
    /// The mailer for this transport: SMTP sending as `from`, or the outbox in `outbox_dir`.
    pub fn mailer(&self, from: &str, outbox_dir: PathBuf) -> Result<Arc<dyn Mailer>, MailError> {
        Ok(match self {
            Self::Smtp(url) => Arc::new(SmtpMailer::new(url.expose_secret(), from)?),
            Self::Outbox => Arc::new(DevMailer::new(outbox_dir)),
        })
    }
}

/// What a mail is, for logs: a fixed word, never anything the mail carries.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    ResetPassword,
    VerifyEmail,
    SignInCode,
}

impl MailKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset_password",
            Self::VerifyEmail => "verify_email",
            Self::SignInCode => "sign_in_code",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The action link in the mail, kept separately so tests need not parse the text.
    pub link: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("could not write the dev mailbox: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid address: {0}")]
    Address(String),
    #[error("smtp: {0}")]
    Smtp(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

/// Writes mails to `<dir>/outbox.jsonl`, one JSON object per line.
pub struct DevMailer {
    dir: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl DevMailer {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.dir.join("outbox.jsonl")
    }
}

#[derive(Serialize)]
struct OutboxLine<'a> {
    #[serde(flatten)]
    mail: &'a Mail,
    sent_at: Ts,
}

#[async_trait]
impl Mailer for DevMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let line = serde_json::to_string(&OutboxLine {
            mail: &mail,
            sent_at: Ts::now(),
        })
        .map_err(|e| MailError::Io(std::io::Error::other(e)))?;
        let path = self.outbox_path();
        {
            // One writer at a time so concurrent mails never interleave within a line.
            let _guard = self.lock.lock().await;
            let mut file = open_private_append(&self.dir, &path).await?;
            file.write_all(format!("{line}\n").as_bytes()).await?;
            file.flush().await?;
        }
        tracing::info!(to = %mail.to, kind = mail.kind.as_str(), outbox = %path.display(),
            "mail written to the outbox");
        Ok(())
    }
}

/// Sends `mail`, logging a failure by the mail's kind only (an SMTP outage must not
/// write sign-in codes into the logs).
pub async fn deliver(mailer: &dyn Mailer, mail: Mail) {
    let kind = mail.kind.as_str();
    if let Err(error) = mailer.send(mail).await {
        tracing::warn!(%error, kind, "could not send a mail");
    }
}

/// Opens `path` for appending, creating it (and `dir`) readable by the owner only.
async fn open_private_append(
    dir: &std::path::Path,
    path: &std::path::Path,
) -> std::io::Result<tokio::fs::File> {
    let mut dirs = tokio::fs::DirBuilder::new();
    dirs.recursive(true);
    let mut options = tokio::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        dirs.mode(0o700);
        options.mode(0o600);
    }
    dirs.create(dir).await?;
    let file = options.open(path).await?;
    // `mode` applies only when the file is created: tighten one left by an older version.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = file.metadata().await?.permissions();
        if permissions.mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .await?;
        }
    }
    Ok(file)
}

/// Sends through an SMTP server (`SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com`).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Smtp(e.to_string()))?
            .build();
        let from = from
            .parse()
            .map_err(|_| MailError::Address(from.to_string()))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .body(mail.text)
            .map_err(|e| MailError::Smtp(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Smtp(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dev_mailer_appends_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = DevMailer::new(dir.path().join("mail"));
        for i in 0..2 {
            mailer
                .send(Mail {
                    kind: MailKind::ResetPassword,
                    to: format!("u{i}@example.com"),
                    subject: "Reset".into(),
                    text: "Go".into(),
                    link: Some(format!("http://x/{i}")),
                })
                .await
                .unwrap();
        }
        let text = std::fs::read_to_string(mailer.outbox_path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["link"], "http://x/1");
        assert_eq!(lines[0]["to"], "u0@example.com");
    }

    /// Collects every field of every event as text.
    #[derive(Clone, Default)]
    struct Capture(std::sync::Arc<std::sync::Mutex<String>>);

    impl tracing::field::Visit for Capture {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            let text = format!("{}={value:?} ", field.name());
            self.0.lock().unwrap().push_str(&text);
        }
    }

    /// A thread-local default, so that tests running beside each other keep their logs
    /// apart. Callsites' interest is cached process-wide. While a single dispatcher is
    /// registered, tracing-core asks only the *current thread's* default, so a callsite
    /// first hit on another test's thread (the outbox line, when an auth test mails)
    /// would be cached as "never" and this test's event lost. A second dispatcher that
    /// lives as long as the process keeps tracing asking every registered one; both
    /// answer "sometimes", so each event goes to whichever default its thread has.
    fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
        static BYSTANDER: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        BYSTANDER.get_or_init(|| tracing::Dispatch::new(Capture::default()));
        let logged = Capture::default();
        let guard = tracing::subscriber::set_default(logged.clone());
        (logged, guard)
    }

    impl tracing::Subscriber for Capture {
        fn register_callsite(
            &self,
            _: &'static tracing::Metadata<'static>,
        ) -> tracing::subscriber::Interest {
            tracing::subscriber::Interest::sometimes()
        }
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            event.record(&mut self.clone());
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[tokio::test]
    async fn the_log_names_the_mail_but_not_its_link_or_text() {
        let (logged, _default) = capture();
        let dir = tempfile::tempdir().unwrap();
        let mailer = DevMailer::new(dir.path().join("mail"));
        mailer
            .send(Mail {
                kind: MailKind::ResetPassword,
                to: "u@example.com".into(),
                subject: "Reset your password".into(),
                text: "Open http://x/reset/SECRET-TOKEN".into(),
                link: Some("http://x/reset/SECRET-TOKEN".into()),
            })
            .await
            .unwrap();
        let logged = logged.0.lock().unwrap().clone();
        assert!(logged.contains("u@example.com"), "{logged}");
        assert!(logged.contains("reset_password"), "{logged}");
        assert!(!logged.contains("Reset your password"), "{logged}");
        assert!(!logged.contains("SECRET-TOKEN"), "{logged}");
    }

    /// A sign-in code is in no log line: not when the outbox takes it (INFO), not when
    /// SMTP refuses it (WARN; nothing listens on port 1). The outbox line is first met on
    /// a thread with no subscriber, as when an auth test mails beside this one: it must
    /// still reach this thread's capture afterwards.
    #[tokio::test]
    async fn sign_in_codes_stay_out_of_the_logs() {
        let (logged, _default) = capture();
        let dir = tempfile::tempdir().unwrap();
        let code = "493817";
        let mail = templates::two_factor_code("u@example.com", code);
        assert!(!mail.subject.contains(code), "{}", mail.subject);
        assert!(mail.text.contains(code));
        let (elsewhere, first) = (dir.path().join("elsewhere"), mail.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime.block_on(deliver(&DevMailer::new(elsewhere), first));
        })
        .join()
        .unwrap();
        deliver(&DevMailer::new(dir.path().join("mail")), mail.clone()).await;
        let smtp = SmtpMailer::new("smtp://127.0.0.1:1", "t <t@example.com>").unwrap();
        deliver(&smtp, mail).await;
        let logged = logged.0.lock().unwrap().clone();
        assert!(logged.contains("could not send a mail"), "{logged}");
        assert_eq!(logged.matches("sign_in_code").count(), 2, "{logged}");
        assert!(!logged.contains(code), "{logged}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn outbox_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mail_dir = dir.path().join("mail");
        let mailer = DevMailer::new(&mail_dir);
        let mail = Mail {
            kind: MailKind::ResetPassword,
            to: "u@example.com".into(),
            subject: "Reset".into(),
            text: "Go".into(),
            link: Some("http://x/secret".into()),
        };
        mailer.send(mail.clone()).await.unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&mailer.outbox_path()), 0o600);
        assert_eq!(mode(&mail_dir), 0o700);
        // An outbox left readable by others is tightened on the next mail.
        std::fs::set_permissions(mailer.outbox_path(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        mailer.send(mail).await.unwrap();
        assert_eq!(mode(&mailer.outbox_path()), 0o600);
    }
}
