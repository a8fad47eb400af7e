//! "Undo" for a deletion, without keeping deleted rows around: deleting answers with
//! the task as it was, sealed (HMAC-SHA256 under a key derived from the server secret)
//! and short-lived, and restoring puts exactly that row back — same id, dates, state
//! and tags — for the same user only. Stateless, so it works on any instance and
//! without JavaScript (the no-JS page carries the token in a form).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{sign_cookie_value, verify_cookie_value, HmacKey};

use super::Task;

/// How long "Undo" stays possible after a delete.
pub const UNDO_WINDOW_SECS: i64 = 10 * 60;

#[derive(Serialize, Deserialize)]
struct Sealed {
    /// Unix seconds after which the token is refused.
    exp: i64,
    task: Task,
}

/// A separate key, so that no other signed value (a session cookie) can pass as one.
/// Prepared per call: undo tokens are rare.
fn key(secret: &[u8]) -> HmacKey {
    let mut h = Sha256::new();
    h.update(b"taskdeck:undo-delete:v1:");
    h.update(secret);
    HmacKey::new(&h.finalize())
}

/// The token that undoes the deletion of `task`.
pub fn seal(secret: &[u8], task: &Task, now: DateTime<Utc>) -> String {
    let sealed = Sealed {
        exp: now.timestamp() + UNDO_WINDOW_SECS,
        task: task.clone(),
    };
    let json = serde_json::to_vec(&sealed).unwrap_or_default();
    sign_cookie_value(&URL_SAFE_NO_PAD.encode(json), &key(secret))
}

/// The task a token restores, if it is genuine, in time and `user_id`'s.
pub fn open(secret: &[u8], user_id: &str, token: &str, now: DateTime<Utc>) -> Option<Task> {
    let payload = verify_cookie_value(token.trim(), &key(secret))?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let sealed: Sealed = serde_json::from_slice(&json).ok()?;
    (sealed.exp >= now.timestamp() && sealed.task.user_id == user_id).then_some(sealed.task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{storage::Ts, tasks::Priority};

    fn task() -> Task {
        Task {
            id: 7,
            user_id: "alice".into(),
            title: "Pay rent".into(),
            description: Some("by Friday".into()),
            completed: true,
            priority: Priority::High,
            tags: vec!["home".into()],
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
            recurrence: Some("FREQ=WEEKLY".into()),
            position: Some("0000000000000007V".into()),
            created_at: Ts::parse("2026-11-01T10:00:00.000Z").unwrap(),
            updated_at: Ts::parse("2026-11-02T10:00:00.000Z").unwrap(),
        }
    }

    #[test]
    fn round_trip_for_the_owner_within_the_window() {
        let now = Utc::now();
        let token = seal(b"secret", &task(), now);
        assert_eq!(open(b"secret", "alice", &token, now), Some(task()));
        let late = now + chrono::Duration::seconds(UNDO_WINDOW_SECS + 1);
        assert_eq!(open(b"secret", "alice", &token, late), None);
    }

    #[test]
    fn refused_for_another_user_key_or_a_tampered_token() {
        let now = Utc::now();
        let token = seal(b"secret", &task(), now);
        assert_eq!(open(b"secret", "mallory", &token, now), None);
        assert_eq!(open(b"other secret", "alice", &token, now), None);
        let mut forged = token.clone();
        forged.replace_range(3..4, if &token[3..4] == "A" { "B" } else { "A" });
        assert_eq!(open(b"secret", "alice", &forged, now), None);
        assert_eq!(open(b"secret", "alice", "not a token", now), None);
    }
}
