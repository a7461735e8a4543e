//! Group commit for messages. One task owns message inserts: whatever is queued when it
//! wakes goes to the database as one statement, and each sender hears back only once its
//! row is committed. Under load this turns N round trips to SQLite's thread into one.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use super::entities::messages;
use super::write_error;
use crate::storage::{StorageError, StorageResult};

/// Most rows one statement carries (5 columns each, far below SQLite's variable limit).
const BATCH: usize = 256;
/// Writes that may wait for the writer before senders wait to queue.
const QUEUE: usize = 4096;

struct Pending {
    row: messages::ActiveModel,
    sealed: String,
    reply: oneshot::Sender<StorageResult<messages::Model>>,
}

#[derive(Clone)]
pub(super) struct MessageWriter {
    queue: mpsc::Sender<Pending>,
}

impl MessageWriter {
    /// Starts the writer task; it ends when the last handle is dropped.
    pub(super) fn start(db: DatabaseConnection) -> Self {
        let (queue, mut incoming) = mpsc::channel::<Pending>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while incoming.recv_many(&mut batch, BATCH).await > 0 {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                commit(&db, full).await;
            }
        });
        Self { queue }
    }

    /// Inserts `row` and returns it once committed.
    pub(super) async fn append(
        &self,
        row: messages::ActiveModel,
        sealed: String,
    ) -> StorageResult<messages::Model> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StorageError::Internal("the message writer has stopped".into());
        self.queue
            .send(Pending { row, sealed, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn commit(db: &DatabaseConnection, batch: Vec<Pending>) {
    let rows: Vec<messages::ActiveModel> = batch.iter().map(|p| p.row.clone()).collect();
    match insert_all(db, rows).await {
        Ok(inserted) => {
            // RETURNING's order is not promised; every sealed body is unique (random IV).
            let mut by_body: HashMap<String, messages::Model> = inserted
                .into_iter()
                .map(|m| (m.body_sealed.clone(), m))
                .collect();
            for pending in batch {
                let result = by_body.remove(&pending.sealed).ok_or_else(|| {
                    StorageError::Internal("a batched message came back missing".into())
                });
                let _ = pending.reply.send(result);
            }
        }
        Err(_) if batch.len() > 1 => {
            // One bad row (its room deleted meanwhile) must not sink the others: one by one.
            for pending in batch {
                let result = pending
                    .row
                    .insert(db)
                    .await
                    .map_err(|e| write_error(e, |_| "message"));
                let _ = pending.reply.send(result);
            }
        }
        Err(error) => {
            for pending in batch {
                let _ = pending
                    .reply
                    .send(Err(write_error(error.clone(), |_| "message")));
            }
        }
    }
}

async fn insert_all(
    db: &DatabaseConnection,
    rows: Vec<messages::ActiveModel>,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::insert_many(rows)
        .exec_with_returning(db)
        .await
}
