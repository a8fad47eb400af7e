//! Moving a task in the user's own order: one row written (see `tasks::rank`).

use crate::{
    fetch_all, fetch_optional,
    live::{postgres::Announce, Kind},
    storage::{Database, Ts},
    with_pool,
};

use super::{
    super::{
        model::{Task, TaskRow},
        rank, TaskError,
    },
    COLUMNS,
};

/// Where a task goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Right after this task of the user's (`None`: first of all).
    After(Option<i64>),
    /// One place up or down.
    Up,
    Down,
}

/// Moves task `id` to `place`; `None` when the task (or the task it goes after) is not
/// the user's. A move that changes nothing (first task up, last one down, after itself)
/// answers the task as it is.
pub async fn move_task(
    db: &Database,
    user_id: &str,
    id: i64,
    place: Place,
) -> Result<Option<Task>, TaskError> {
    let now = Ts::now();
    let touch = format!(
        r#"UPDATE "task" SET "updated_at" = $3 WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#
    );
    let set = format!(
        r#"UPDATE "task" SET "position" = $3 WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#
    );
    let moved: Option<Task> = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        // A write first: on SQLite it takes the write lock, so that the neighbours read
        // below cannot change before the position is written.
        let row: Option<TaskRow> = fetch_optional!(on &mut *tx, touch.as_str(), id, user_id, now)?;
        let Some(task) = row.map(Task::from) else {
            return Ok(None);
        };
        let mine = task.position.clone().unwrap_or_default();
        // The neighbours the new place lies between.
        let bounds: Option<(Option<String>, Option<String>)> = match place {
            Place::After(Some(anchor)) if anchor == id => None,
            Place::After(anchor) => {
                let low: Option<String> = match anchor {
                    None => None,
                    Some(anchor) => {
                        let found: Option<(Option<String>,)> = fetch_optional!(
                            on &mut *tx,
                            r#"SELECT "position" FROM "task" WHERE "id" = $1 AND "user_id" = $2"#,
                            anchor,
                            user_id
                        )?;
                        match found {
                            Some((position,)) => position,
                            None => return Ok(None),
                        }
                    }
                };
                let high: Vec<(String,)> = fetch_all!(
                    on &mut *tx,
                    r#"SELECT "position" FROM "task" WHERE "user_id" = $1 AND "id" <> $2 AND "position" > $3 ORDER BY "position" LIMIT 1"#,
                    user_id,
                    id,
                    low.clone().unwrap_or_default()
                )?;
                Some((low, high.into_iter().next().map(|(p,)| p)))
            }
            Place::Up => {
                let above: Vec<(String,)> = fetch_all!(
                    on &mut *tx,
                    r#"SELECT "position" FROM "task" WHERE "user_id" = $1 AND "position" < $2 ORDER BY "position" DESC LIMIT 2"#,
                    user_id,
                    &mine
                )?;
                let mut above = above.into_iter().map(|(p,)| p);
                above.next().map(|next| (above.next(), Some(next)))
            }
            Place::Down => {
                let below: Vec<(String,)> = fetch_all!(
                    on &mut *tx,
                    r#"SELECT "position" FROM "task" WHERE "user_id" = $1 AND "position" > $2 ORDER BY "position" LIMIT 2"#,
                    user_id,
                    &mine
                )?;
                let mut below = below.into_iter().map(|(p,)| p);
                below.next().map(|next| (Some(next), below.next()))
            }
        };
        let task = match bounds {
            Some((low, high)) => {
                let position = rank::between(low.as_deref(), high.as_deref());
                let row: Option<TaskRow> =
                    fetch_optional!(on &mut *tx, set.as_str(), id, user_id, position)?;
                row.map(Task::from).unwrap_or(task)
            }
            None => task,
        };
        tx.announce(Kind::Updated, &task).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(task))
    })?;
    Ok(moved)
}
