//! The dev mailer's outbox (`DATA_DIR/mail/outbox.jsonl`), as the tests read it.

use std::time::Duration;

use serde_json::Value;

use super::TestApp;

impl TestApp {
    /// Every mail the dev mailer has written so far.
    pub fn outbox(&self) -> Vec<Value> {
        let path = self.data_dir.path().join("mail/outbox.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The newest mail to `to` whose subject contains `subject`, waiting up to 5 s for
    /// it: mail is sent after the reply.
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> Value {
        for _ in 0..100 {
            if let Some(mail) = self.newest_mail(to, subject) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} about {subject:?} within 5 s");
    }

    /// The newest mail to `to` whose subject contains `subject`, if one was written.
    pub fn newest_mail(&self, to: &str, subject: &str) -> Option<Value> {
        self.outbox()
            .into_iter()
            .rev()
            .find(|m| m["to"] == to && m["subject"].as_str().is_some_and(|s| s.contains(subject)))
    }

    /// The `n`th (from 1) sign-in code mailed to `to`, waiting up to 5 s for it: the
    /// code is in the text only (never the subject).
    pub async fn sign_in_code(&self, to: &str, n: usize) -> String {
        for _ in 0..100 {
            let mails: Vec<Value> = self
                .outbox()
                .into_iter()
                .filter(|m| m["to"] == to && m["kind"] == "sign_in_code")
                .collect();
            if let Some(mail) = mails.get(n - 1) {
                assert_eq!(mail["subject"], "Your Taskdeck sign-in code");
                let text = mail["text"].as_str().unwrap_or_default();
                let code = text
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 6)
                    .unwrap_or_else(|| panic!("no code in {text:?}"));
                return code.to_string();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no sign-in code number {n} to {to} within 5 s");
    }

    /// The token of the e-mail verification link last mailed to `to`.
    pub async fn verification_token(&self, to: &str) -> String {
        let mail = self.wait_for_mail(to, "Verify").await;
        let link = mail["link"].as_str().expect("a link").to_string();
        let token = link.split("token=").nth(1).expect("a token");
        token.split('&').next().unwrap_or_default().to_string()
    }
}
