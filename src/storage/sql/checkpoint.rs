//! WAL checkpoints off the write path. SQLite normally checkpoints inside whichever commit
//! crosses 1,000 WAL pages, so every second or so one message's commit also copied pages
//! into the database file and waited for two fsyncs. Connections turn that off
//! (`wal_autocheckpoint=0`, see `SqlStorage::connect`); a storage given its data dir runs
//! this task, which checkpoints on a pool connection of its own: PASSIVE never blocks
//! writers, which go on appending meanwhile. Storage without a data dir (tests, one-shot
//! commands) checkpoints when its last connection closes, as SQLite always does.

use std::sync::Weak;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const EVERY: Duration = Duration::from_secs(1);
/// WAL frames past which a checkpoint also truncates the file, so a burst does not leave
/// a large WAL behind for good.
const TRUNCATE_AFTER_FRAMES: i64 = 10_000;

/// Checkpoints every second until `alive` is gone (the storage that owns the data dir).
pub(super) async fn run<T>(db: DatabaseConnection, alive: Weak<T>) {
    let mut every = tokio::time::interval(EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if alive.strong_count() == 0 {
            return;
        }
        let frames = match checkpoint(&db, "PASSIVE").await {
            Some(frames) => frames,
            None => continue,
        };
        if frames > TRUNCATE_AFTER_FRAMES {
            checkpoint(&db, "TRUNCATE").await;
        }
    }
}

/// Runs one checkpoint; how many frames the WAL held, when it answered.
async fn checkpoint(db: &DatabaseConnection, mode: &str) -> Option<i64> {
    let statement =
        Statement::from_string(DbBackend::Sqlite, format!("PRAGMA wal_checkpoint({mode})"));
    match db.query_one_raw(statement).await {
        Ok(Some(row)) => row.try_get::<i64>("", "log").ok(),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, mode, "WAL checkpoint failed");
            None
        }
    }
}
