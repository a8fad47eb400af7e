//! What the change stream says: a [`Change`] is one committed write to a user's tasks,
//! an [`Event`] is what one instance sends its streams (a change, or a control message),
//! numbered in that instance's sequence for the user.
//!
//! On the wire (SSE) the event name is the [`Kind`] and `data:` is JSON: the task, in
//! exactly the REST API's shape, for `created`, `updated` and `completed`; `{"id": N}`
//! for `deleted` and `changed`; `{"reason": "…"}` for `ready`, `reset` and `end`.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// What a change carries: a record with an owner and an id, sent as its JSON. The
/// tasks module implements it for its `Task`; live sync itself knows no record type,
/// so that it depends on nothing else in the crate.
pub trait Announced: Serialize + DeserializeOwned {
    /// The user whose streams hear of it.
    fn owner(&self) -> &str;
    fn id(&self) -> i64;
}

/// The kinds of event a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A new task, or one put back by "Undo".
    Created,
    /// Any edit through `PUT` / the editor.
    Updated,
    /// Completion toggled (either way; the task says which).
    Completed,
    Deleted,
    /// The task changed but was too large to carry across instances (PostgreSQL's
    /// 8000-byte NOTIFY limit): re-read it by id.
    Changed,
    /// Sent first on every stream once it is live; its id is where to resume from.
    Ready,
    /// Events were lost for this stream (too far behind, another instance, the database
    /// listener reconnected): reload the list, then apply what follows.
    Reset,
    /// The stream is over (shutdown, token expired, session ended); sent last.
    End,
    /// A session of this user ended somewhere (sign-out, revoke, password change, on
    /// any instance): streams tied to a session check theirs at once. Internal: never
    /// sent to a client, never numbered.
    Recheck,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Created => "created",
            Kind::Updated => "updated",
            Kind::Completed => "completed",
            Kind::Deleted => "deleted",
            Kind::Changed => "changed",
            Kind::Ready => "ready",
            Kind::Reset => "reset",
            Kind::End => "end",
            Kind::Recheck => "recheck",
        }
    }

    /// Whether events of this kind carry the whole record.
    const fn carries_task(self) -> bool {
        matches!(self, Kind::Created | Kind::Updated | Kind::Completed)
    }
}

/// One committed write to a user's tasks, ready to send: `data` is the event's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub user_id: String,
    pub kind: Kind,
    pub data: String,
}

impl Change {
    /// `task` after a write of `kind` (as it was, for a deletion).
    pub fn of<T: Announced>(kind: Kind, task: &T) -> Self {
        let data = if kind.carries_task() {
            serde_json::to_string(task).unwrap_or_else(|_| id_only(task.id()))
        } else {
            id_only(task.id())
        };
        Self {
            user_id: task.owner().to_string(),
            kind,
            data,
        }
    }

    /// A task-carrying change sent as its id only (see [`Kind::Changed`]).
    fn without_task(user_id: String, kind: Kind, id: i64) -> Self {
        let kind = if kind.carries_task() {
            Kind::Changed
        } else {
            kind
        };
        Self {
            user_id,
            kind,
            data: id_only(id),
        }
    }
}

fn id_only(id: i64) -> String {
    format!(r#"{{"id":{id}}}"#)
}

/// An event as an instance sends it: `id` is `<feed tag>-<sequence number>` (see
/// `live::Changes`), unique on this instance and meaningless on another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub id: String,
    pub kind: Kind,
    pub data: String,
}

impl Event {
    /// A control event (`ready`, `reset`, `end`) with the reason in its data.
    pub fn control(kind: Kind, id: String, seq: u64, reason: &str) -> Self {
        Self {
            seq,
            id,
            kind,
            data: serde_json::json!({ "reason": reason }).to_string(),
        }
    }
}

/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
pub const NOTIFY_PAYLOAD_MAX: usize = 7999;

/// A change as it crosses instances in a NOTIFY payload: the task itself, so that no
/// instance reads the database to deliver it.
#[derive(Serialize, Deserialize)]
struct Wire<T> {
    user_id: String,
    kind: Kind,
    id: i64,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    task: Option<T>,
    /// Set by the writing instance, which waits for this notification to come back
    /// before it answers (see `Changes::expect_echo`); others ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    echo: Option<String>,
}

fn none<T>() -> Option<T> {
    None
}

/// The NOTIFY payload for a write of `kind` to `task`: with the task when it fits the
/// limit, else with its id only (delivered as [`Kind::Changed`]); `echo` is the writer's
/// key for its own copy.
pub fn notify_payload<T: Announced>(kind: Kind, task: &T, echo: Option<&str>) -> String {
    let full = Wire {
        user_id: task.owner().to_string(),
        kind,
        id: task.id(),
        task: kind.carries_task().then_some(task),
        echo: echo.map(String::from),
    };
    match serde_json::to_string(&full) {
        Ok(text) if text.len() <= NOTIFY_PAYLOAD_MAX => text,
        _ => serde_json::to_string(&Wire { task: None, ..full }).unwrap_or_default(),
    }
}

/// The change a NOTIFY payload announces, and its writer's echo key if any; `None` for
/// one this build cannot read.
pub fn from_notify_payload<T: Announced>(payload: &str) -> Option<(Change, Option<String>)> {
    let wire: Wire<T> = serde_json::from_str(payload).ok()?;
    let change = match wire.task {
        Some(task) if task.owner() == wire.user_id => Change::of(wire.kind, &task),
        _ => Change::without_task(wire.user_id, wire.kind, wire.id),
    };
    Some((change, wire.echo))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the tasks module's would be: what live sync sees of one.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note {
        id: i64,
        user_id: String,
        title: String,
        description: Option<String>,
    }

    impl Announced for Note {
        fn owner(&self) -> &str {
            &self.user_id
        }
        fn id(&self) -> i64 {
            self.id
        }
    }

    fn note(description: Option<String>) -> Note {
        Note {
            id: 7,
            user_id: "alice".into(),
            title: "Pay rent".into(),
            description,
        }
    }

    #[test]
    fn the_data_is_the_records_json_or_the_id() {
        let t = note(None);
        let change = Change::of(Kind::Updated, &t);
        assert_eq!(change.data, serde_json::to_string(&t).unwrap());
        assert_eq!(Change::of(Kind::Deleted, &t).data, r#"{"id":7}"#);
    }

    #[test]
    fn a_payload_round_trips_with_its_record() {
        let t = note(Some("by Friday".into()));
        for kind in [Kind::Created, Kind::Updated, Kind::Completed, Kind::Deleted] {
            let payload = notify_payload(kind, &t, Some("i-1"));
            assert_eq!(
                from_notify_payload::<Note>(&payload),
                Some((Change::of(kind, &t), Some("i-1".into())))
            );
        }
    }

    #[test]
    fn an_oversized_record_travels_as_its_id() {
        // Control characters are allowed and escape to six bytes each.
        let t = note(Some("\u{1}".repeat(1400)));
        let payload = notify_payload(Kind::Updated, &t, None);
        assert!(payload.len() <= NOTIFY_PAYLOAD_MAX, "{}", payload.len());
        let (change, echo) = from_notify_payload::<Note>(&payload).unwrap();
        assert_eq!(echo, None);
        assert_eq!(
            (change.kind, change.data.as_str()),
            (Kind::Changed, r#"{"id":7}"#)
        );
        assert_eq!(change.user_id, "alice");
        assert_eq!(from_notify_payload::<Note>("not json"), None);
    }

    #[test]
    fn a_record_of_another_owner_travels_as_its_id() {
        let payload = notify_payload(Kind::Updated, &note(None), None);
        let forged = payload.replace(r#""user_id":"alice","kind""#, r#""user_id":"bob","kind""#);
        let (change, _) = from_notify_payload::<Note>(&forged).unwrap();
        assert_eq!(
            (change.user_id.as_str(), change.kind),
            ("bob", Kind::Changed)
        );
    }
}
