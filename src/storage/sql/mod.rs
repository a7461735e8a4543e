//! The SeaORM implementation of [`Storage`](super::Storage): SQLite by default (WAL,
//! foreign keys on, busy timeout), PostgreSQL by URL. SeaORM types stay in here.

mod account_tokens;
mod admin;
mod appends;
mod audit;
mod checkpoint;
mod entities;
mod files;
mod memberships;
mod mentions;
mod messages;
mod missed_mail;
mod notifications;
mod reactions;
mod rooms;
mod sessions;
mod site;
mod snapshot;
mod tokens;
mod users;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, SqlErr};

use super::{Conflict, StorageError};

/// Storage over a SeaORM connection pool.
#[derive(Clone)]
pub struct SqlStorage {
    db: DatabaseConnection,
    /// Where uploads and avatars live; `None` until [`SqlStorage::with_data_dir`].
    dirs: Option<std::sync::Arc<files::Dirs>>,
}

impl SqlStorage {
    /// Opens the database at `url` (creating a SQLite file when missing).
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(8)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .create_if_missing(true)
                    // Deleted and replaced message bodies are zeroed, not left in free space.
                    .pragma("secure_delete", "ON")
                    // No commit pays for a checkpoint: `checkpoint::run` does them.
                    .pragma("wal_autocheckpoint", "0")
            });
        let db = Database::connect(options).await.map_err(internal)?;
        Ok(Self { db, dirs: None })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        Migrator::up(&self.db, None).await.map_err(internal)
    }
}

/// SQLite stores counts and sizes as i64; a negative one can only be corruption and reads
/// as 0, and a u64 too large for a column saturates rather than wraps.
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn internal(error: DbErr) -> StorageError {
    StorageError::Internal(error.to_string())
}

/// Maps a write error, turning a unique violation into `Conflict(what)`.
pub(crate) fn write_error(error: DbErr, what: impl Fn(&str) -> Conflict) -> StorageError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => StorageError::Conflict(what(&detail)),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => StorageError::NotFound,
        _ => internal(error),
    }
}

/// Makes `%`, `_` and `\` in user text match themselves in a LIKE pattern (with `ESCAPE '\'`).
pub(crate) fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
