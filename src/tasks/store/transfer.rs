//! Export and import: every task of a user streamed out in creation order, and a whole
//! file of new tasks written in one transaction (all or nothing).

use futures_util::TryStreamExt;
use tokio::sync::mpsc;

use crate::{
    exec,
    live::postgres::Announce,
    live::Kind,
    storage::{Database, Ts},
    with_pool,
};

use super::{
    super::{
        model::{NewTask, Task, TaskRow},
        TaskError,
    },
    tags_json, Insert, Written, COLUMNS, INSERT_TAG,
};

/// How many exported tasks may wait for a slow reader: the memory an export holds,
/// whatever the number of tasks.
const EXPORT_BUFFER: usize = 256;

/// Every task of `user_id`, oldest first, read row by row on a task of its own: the
/// receiver gets them as fast as it takes them, and never more than [`EXPORT_BUFFER`]
/// are held. A failure ends the stream with the error.
pub fn export(db: &Database, user_id: &str) -> mpsc::Receiver<Result<Task, TaskError>> {
    let (sender, receiver) = mpsc::channel(EXPORT_BUFFER);
    let (db, user_id) = (db.clone(), user_id.to_string());
    let sql = format!(r#"SELECT {COLUMNS} FROM "task" WHERE "user_id" = $1 ORDER BY "id""#);
    tokio::spawn(async move {
        let read = async {
            with_pool!(&db, |pool| {
                let mut rows = sqlx::query_as::<_, TaskRow>(&sql)
                    .bind(&user_id)
                    .fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    if sender.send(Ok(Task::from(row))).await.is_err() {
                        break; // the reader went away
                    }
                }
                Ok::<_, sqlx::Error>(())
            })
        };
        let sent = read.await;
        if let Err(e) = sent {
            let _ = sender.send(Err(TaskError::from(e))).await;
        }
    });
    receiver
}

/// Inserts `tasks` in their order, in one transaction; `None` when there are none.
pub async fn import(
    db: &Database,
    user_id: &str,
    tasks: &[NewTask],
) -> Result<Option<Written>, TaskError> {
    if tasks.is_empty() {
        return Ok(None);
    }
    let now = Ts::now();
    let written: Written = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let mut created = Vec::with_capacity(tasks.len());
        for new in tasks {
            created.push(insert_task!(tx, user_id, new, None::<i64>, now));
        }
        let task = created.pop().expect("at least one task");
        let side: Vec<(Kind, Task)> = created.into_iter().map(|t| (Kind::Created, t)).collect();
        for (kind, other) in &side {
            tx.announce_side(*kind, other).await?;
        }
        tx.announce(Kind::Created, &task).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Written { task, side })
    })?;
    Ok(Some(written))
}
