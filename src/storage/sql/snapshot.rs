//! Snapshots of a SQLite database for [`SiteStore::snapshot`](crate::storage::SiteStore):
//! `VACUUM INTO` a hidden file beside the database, read back as a stream of chunks. The
//! file's name is gone before the first chunk is read, so no copy of the database outlives
//! the stream, whatever its reader does.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use rand::RngCore;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::io::AsyncReadExt;

use super::{SqlStorage, internal};
use crate::storage::{ByteStream, StorageError, StorageResult};

/// How much one chunk of a snapshot carries.
const CHUNK: usize = 256 * 1024;

impl SqlStorage {
    /// Whether this database can snapshot itself (SQLite only).
    pub(super) fn can_snapshot(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Sqlite
    }

    pub(super) async fn take_snapshot(&self) -> StorageResult<ByteStream> {
        if !self.can_snapshot() {
            return Err(StorageError::Internal(
                "snapshots are SQLite-only; back up PostgreSQL with pg_dump".into(),
            ));
        }
        let mut nonce = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Beside the database: the same owner-only folder and filesystem, never a shared
        // temporary folder other accounts can list.
        let temp = self
            .database_dir()
            .await?
            .join(format!(".backup-{}.sqlite3", hex::encode(nonce)));
        let target = temp
            .to_str()
            .ok_or_else(|| StorageError::Internal("the database path is not UTF-8".into()))?;
        // VACUUM INTO reads one consistent snapshot while writers carry on (WAL mode).
        let taken = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await
            .map_err(internal);
        let opened = match taken {
            Ok(_) => tokio::fs::File::open(&temp).await.map_err(io),
            Err(error) => Err(error),
        };
        // The open handle keeps the bytes readable; the name goes now.
        remove_quietly(&temp).await;
        Ok(chunks(opened?))
    }

    /// The folder of the main database file; the system's temporary folder for a database
    /// in memory, which has none.
    async fn database_dir(&self) -> StorageResult<PathBuf> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA database_list",
            ))
            .await
            .map_err(internal)?;
        let main = rows.iter().find_map(|row| {
            let name: String = row.try_get("", "name").ok()?;
            let file: String = row.try_get("", "file").ok()?;
            (name == "main").then_some(file)
        });
        Ok(main
            .as_deref()
            .filter(|file| !file.is_empty())
            .and_then(|file| Path::new(file).parent())
            .map_or_else(std::env::temp_dir, Path::to_path_buf))
    }
}

/// Reads `file` to its end, chunk by chunk.
fn chunks(file: tokio::fs::File) -> ByteStream {
    futures_util::stream::try_unfold(file, |mut file| async move {
        let mut chunk = vec![0u8; CHUNK];
        let read = file.read(&mut chunk).await.map_err(io)?;
        if read == 0 {
            return Ok(None);
        }
        chunk.truncate(read);
        Ok(Some((Bytes::from(chunk), file)))
    })
    .boxed()
}

async fn remove_quietly(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            tracing::error!(%error, path = %path.display(), "a snapshot file was left behind")
        }
    }
}

fn io(error: std::io::Error) -> StorageError {
    StorageError::Internal(format!("snapshot: {error}"))
}
