//! Outgoing mail (password-reset and verification links) behind one trait.
//!
//! Development and tests use [`DevMailer`]: each mail goes to the log and is appended
//! as a JSON line to `<data dir>/mail/outbox.jsonl`, where a tester (or a local user
//! without SMTP) reads the link. Production sets `SMTP_URL` to use [`SmtpMailer`].

use std::path::PathBuf;

use async_trait::async_trait;
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::storage::Ts;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mail {
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

/// Writes mails to the log and to `<dir>/outbox.jsonl`.
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
        tracing::info!(to = %mail.to, subject = %mail.subject, link = ?mail.link, "mail (dev mailer)");
        let line = serde_json::to_string(&OutboxLine {
            mail: &mail,
            sent_at: Ts::now(),
        })
        .map_err(|e| MailError::Io(std::io::Error::other(e)))?;
        // One writer at a time so concurrent mails never interleave within a line.
        let _guard = self.lock.lock().await;
        tokio::fs::create_dir_all(&self.dir).await?;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.outbox_path())
            .await?;
        file.write_all(format!("{line}\n").as_bytes()).await?;
        file.flush().await?;
        Ok(())
    }
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
}
