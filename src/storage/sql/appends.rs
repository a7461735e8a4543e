//! Many new messages in one statement. The frontend's outbox gathers whatever was posted
//! while the last batch was being written, so under load one INSERT (and one round trip
//! to SQLite's thread) carries hundreds of messages.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait};

use super::entities::messages;
use super::write_error;
use crate::storage::{Conflict, StorageResult};

/// Most rows one statement carries (5 columns each, far below SQLite's variable limit).
const ROWS_PER_STATEMENT: usize = 256;

/// Inserts `rows`; one result per row, in order. When a batch fails as a whole (one row's
/// room was deleted meanwhile), its rows are retried one by one so that row fails alone.
pub(super) async fn insert_rows(
    db: &DatabaseConnection,
    rows: Vec<messages::ActiveModel>,
) -> Vec<StorageResult<messages::Model>> {
    let mut results = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        results.extend(insert_chunk(db, chunk).await);
    }
    results
}

async fn insert_chunk(
    db: &DatabaseConnection,
    rows: &[messages::ActiveModel],
) -> Vec<StorageResult<messages::Model>> {
    match insert_all(db, rows.to_vec()).await {
        Ok(inserted) => {
            // RETURNING's order is not promised; every sealed body is unique (random IV).
            let mut by_body: HashMap<String, messages::Model> = inserted
                .into_iter()
                .map(|m| (m.body_sealed.clone(), m))
                .collect();
            rows.iter()
                .map(|row| {
                    let sealed = row.body_sealed.try_as_ref().cloned().unwrap_or_default();
                    by_body.remove(&sealed).ok_or_else(|| {
                        crate::storage::StorageError::Internal(
                            "a batched message came back missing".into(),
                        )
                    })
                })
                .collect()
        }
        Err(_) if rows.len() > 1 => {
            let mut results = Vec::with_capacity(rows.len());
            for row in rows {
                results.push(
                    row.clone()
                        .insert(db)
                        .await
                        .map_err(|e| write_error(e, |_| Conflict::Message)),
                );
            }
            results
        }
        Err(error) => vec![Err(write_error(error, |_| Conflict::Message))],
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
