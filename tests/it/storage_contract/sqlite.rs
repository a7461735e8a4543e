//! What only the SQLite implementation promises, beyond the trait: its files on disk.

use std::path::Path;
use std::sync::Arc;

use hearth::domain::RoomId;
use hearth::storage::sql::SqlStorage;
use hearth::storage::{MessageStore, Storage};

use super::{sealed_messages, writer_and_public_room};
use crate::helpers::migrated_storage;

/// Commits never checkpoint (`wal_autocheckpoint=0`); a storage with a data dir
/// checkpoints in the background, so the database file alone soon holds what was written.
#[tokio::test]
async fn the_background_checkpoint_moves_commits_into_the_database_file() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path())
        .await
        .with_data_dir(dir.path())
        .await
        .expect("data dir");
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let (ann, room) = writer_and_public_room(storage.as_ref(), "checkpointed").await;
    let written = storage
        .append_messages(sealed_messages(room.id, ann.id, "w", 20))
        .await;
    assert!(written.iter().all(Result::is_ok));
    // The database file on its own, without its WAL: what a checkpoint has copied in.
    let copy = tempfile::tempdir().expect("copy dir");
    let mut found = 0;
    for _ in 0..50 {
        std::fs::copy(
            dir.path().join("db.sqlite3"),
            copy.path().join("db.sqlite3"),
        )
        .expect("copy the database file");
        for leftover in ["db.sqlite3-wal", "db.sqlite3-shm"] {
            let _ = std::fs::remove_file(copy.path().join(leftover));
        }
        // A copy taken while a checkpoint writes can be torn: that is a retry, not a failure.
        found = messages_in_copy(copy.path(), room.id).await.unwrap_or(0);
        if found == 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        found, 20,
        "a checkpoint copied the messages into the database file"
    );
}

/// How many messages of `room` the database file in `dir` holds on its own; `None` when
/// the copy cannot be read.
async fn messages_in_copy(dir: &Path, room: RoomId) -> Option<usize> {
    let url = format!("sqlite://{}", dir.join("db.sqlite3").display());
    let copied = SqlStorage::connect(&url).await.ok()?;
    let found = copied.messages_before(room, None, 100).await.ok()?;
    Some(found.len())
}
