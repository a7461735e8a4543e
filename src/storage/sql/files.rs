//! Files on disk beside their rows. Bytes arrive sealed; a file is written under a temporary
//! name, its rows are inserted in a transaction, and only then is it renamed into place and
//! the transaction committed, so a failure at any step leaves neither row nor file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};

use super::entities::{file_trash, files, messages, rooms, users};
use super::{SqlStorage, internal, to_i64, to_u64, write_error};
use crate::domain::{
    FileId, FileRef, MessageId, NewFile, RoomId, Sealed, SealedBody, StoredMessage, UserId,
};
use crate::storage::files::FileStore;
use crate::storage::{Conflict, MessageStore, StorageError, StorageResult};

/// How often deleted files are removed from disk.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// How the trash names an avatar (the migration's trigger writes it).
const AVATAR_TRASH: &str = "avatars/";
/// Most trash entries one sweep handles.
const SWEEP_BATCH: u64 = 500;

/// The folders storage owns under the data dir.
#[derive(Debug)]
pub struct Dirs {
    files: PathBuf,
    avatars: PathBuf,
}

impl SqlStorage {
    /// Gives storage its folders under `data_dir` (`files/`, `avatars/`, created when
    /// missing) and starts removing deleted files from disk in the background.
    pub async fn with_data_dir(mut self, data_dir: &Path) -> StorageResult<Self> {
        let dirs = Arc::new(Dirs {
            files: data_dir.join("files"),
            avatars: data_dir.join("avatars"),
        });
        for dir in [&dirs.files, &dirs.avatars] {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        // Leftovers of uploads cut short by a crash.
        remove_temporaries(&dirs.files).await;
        remove_temporaries(&dirs.avatars).await;
        self.dirs = Some(dirs.clone());
        let weak = Arc::downgrade(&dirs);
        let sweeper = self.clone_without_dirs();
        let swept = weak.clone();
        crate::supervise::spawn("file sweeper", move || {
            sweep(sweeper.clone_without_dirs(), swept.clone())
        });
        if self.db.get_database_backend() == DbBackend::Sqlite {
            let db = self.db.clone();
            crate::supervise::spawn("checkpoint", move || {
                super::checkpoint::run(db.clone(), weak.clone())
            });
        }
        Ok(self)
    }

    fn clone_without_dirs(&self) -> Self {
        Self {
            db: self.db.clone(),
            dirs: None,
        }
    }

    fn dirs(&self) -> StorageResult<&Dirs> {
        self.dirs
            .as_deref()
            .ok_or_else(|| StorageError::Internal("storage has no data directory".into()))
    }

    /// The files of these ids, with their rooms' names, in two queries whatever their number.
    pub(super) async fn file_refs(
        &self,
        mut ids: Vec<i64>,
    ) -> StorageResult<HashMap<i64, FileRef>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        ids.sort_unstable();
        ids.dedup();
        let rows = files::Entity::find()
            .filter(files::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut room_ids: Vec<i64> = rows.iter().map(|f| f.room_id).collect();
        room_ids.sort_unstable();
        room_ids.dedup();
        let names: HashMap<i64, String> = rooms::Entity::find()
            .filter(rooms::Column::Id.is_in(room_ids))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let room_name = names.get(&row.room_id)?.clone();
                Some((row.id, file_ref(row, room_name)))
            })
            .collect())
    }

    async fn file_row(&self, room: RoomId, id: FileId) -> StorageResult<files::Model> {
        files::Entity::find_by_id(id.0)
            .filter(files::Column::RoomId.eq(room.0))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)
    }

    /// The stored name of a sealed file part (see `FileStore::sealed_file_parts_after`).
    async fn part_name(&self, part: i64) -> StorageResult<String> {
        let row = files::Entity::find_by_id(part.div_euclid(2))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        if part.rem_euclid(2) == 0 {
            Ok(row.path)
        } else {
            row.thumb_path.ok_or(StorageError::NotFound)
        }
    }

    async fn read_part(&self, name: &str) -> StorageResult<Sealed> {
        let dirs = self.dirs()?;
        let name = safe_name(name).ok_or(StorageError::NotFound)?;
        match tokio::fs::read_to_string(dirs.files.join(name)).await {
            Ok(text) => Ok(Sealed(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::NotFound),
            Err(e) => Err(io(e)),
        }
    }

    async fn sweep_trash(&self, dirs: &Dirs) -> StorageResult<u64> {
        let entries = file_trash::Entity::find()
            .order_by_asc(file_trash::Column::Id)
            .limit(SWEEP_BATCH)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut removed = 0;
        for entry in entries {
            let (dir, stored) = match entry.path.strip_prefix(AVATAR_TRASH) {
                Some(avatar) => (&dirs.avatars, avatar),
                None => (&dirs.files, entry.path.as_str()),
            };
            if let Some(name) = safe_name(stored) {
                match tokio::fs::remove_file(dir.join(name)).await {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "a deleted file could not be removed");
                        continue;
                    }
                }
            }
            file_trash::Entity::delete_by_id(entry.id)
                .exec(&self.db)
                .await
                .map_err(internal)?;
        }
        Ok(removed)
    }
}

async fn sweep(storage: SqlStorage, dirs: Weak<Dirs>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        // Ends with the last storage handle that owns the folders.
        let Some(dirs) = dirs.upgrade() else { return };
        if let Err(e) = storage.sweep_trash(&dirs).await {
            tracing::warn!(error = %e, "sweeping deleted files failed");
        }
    }
}

fn file_ref(row: files::Model, room_name: String) -> FileRef {
    FileRef {
        id: FileId(row.id),
        room: RoomId(row.room_id),
        room_name,
        name: row.name,
        mime: row.mime,
        size: to_u64(row.size),
        has_thumb: row.thumb_path.is_some(),
    }
}

fn io(error: std::io::Error) -> StorageError {
    StorageError::Internal(format!("file system: {error}"))
}

/// 128 random bits, hex.
fn random_name() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

const TEMP_PREFIX: &str = "tmp-";
/// Age past which a temporary file is a crash's leftover, not an upload in progress.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// A stored name as storage makes them: no separators, no dots leading anywhere.
fn safe_name(name: &str) -> Option<&str> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then_some(name)
}

async fn remove_temporaries(dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        // Old ones only: another process on this data dir (a command beside the server)
        // may be writing a fresh one right now.
        let stale = entry
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if stale && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

/// A file written under a temporary name; removed on drop unless renamed into place.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    placed: bool,
}

impl Staged {
    async fn write(dir: &Path, name: &str, bytes: &[u8]) -> StorageResult<Self> {
        let temp = dir.join(format!("{TEMP_PREFIX}{}", random_name()));
        let staged = Self {
            temp,
            target: dir.join(name),
            placed: false,
        };
        tokio::fs::write(&staged.temp, bytes).await.map_err(io)?;
        Ok(staged)
    }

    async fn place(&mut self) -> StorageResult<()> {
        tokio::fs::rename(&self.temp, &self.target)
            .await
            .map_err(io)?;
        self.placed = true;
        Ok(())
    }

    /// Keeps the placed file (its rows are committed).
    fn keep(mut self) {
        self.placed = false;
        self.temp = PathBuf::new();
        self.target = PathBuf::new();
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let path = if self.placed {
            &self.target
        } else {
            &self.temp
        };
        if !path.as_os_str().is_empty() {
            // Synchronous on purpose: a drop cannot await, and this is one unlink.
            let _ = std::fs::remove_file(path);
        }
    }
}

#[async_trait]
impl FileStore for SqlStorage {
    async fn create_file_message(
        &self,
        file: NewFile,
        caption: SealedBody,
    ) -> StorageResult<StoredMessage> {
        let dirs = self.dirs()?;
        let name = random_name();
        let mut main = Staged::write(&dirs.files, &name, file.sealed.0.as_bytes()).await?;
        let mut thumb = match &file.sealed_thumb {
            Some(sealed) => Some(
                Staged::write(&dirs.files, &format!("{name}.thumb"), sealed.0.as_bytes()).await?,
            ),
            None => None,
        };
        let txn = self.db.begin().await.map_err(internal)?;
        let row = files::ActiveModel {
            room_id: Set(file.room.0),
            uploader_id: Set(Some(file.uploader.0)),
            name: Set(file.name),
            mime: Set(file.mime),
            size: Set(to_i64(file.size)),
            created: Set(Utc::now()),
            path: Set(name.clone()),
            thumb_path: Set(thumb.as_ref().map(|_| format!("{name}.thumb"))),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| write_error(e, |_| Conflict::File))?;
        let message = messages::ActiveModel {
            room_id: Set(file.room.0),
            author_id: Set(Some(file.uploader.0)),
            body_sealed: Set(caption.sealed.0),
            body_format: Set(super::messages::format_column(caption.format)),
            created: Set(Utc::now()),
            edited: Set(None),
            file_id: Set(Some(row.id)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Message))?;
        main.place().await?;
        if let Some(thumb) = thumb.as_mut() {
            thumb.place().await?;
        }
        // Dropping an uncommitted transaction rolls it back; the staged files go with it.
        txn.commit().await.map_err(internal)?;
        main.keep();
        if let Some(thumb) = thumb {
            thumb.keep();
        }
        self.message_by_id(file.room, MessageId(message.id)).await
    }

    async fn file_by_id(&self, room: RoomId, id: FileId) -> StorageResult<FileRef> {
        let row = self.file_row(room, id).await?;
        let room_name = rooms::Entity::find_by_id(row.room_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?
            .name;
        Ok(file_ref(row, room_name))
    }

    async fn file_content(&self, room: RoomId, id: FileId, thumb: bool) -> StorageResult<Sealed> {
        let row = self.file_row(room, id).await?;
        let stored = if thumb {
            row.thumb_path
        } else {
            Some(row.path)
        };
        let name = stored.ok_or(StorageError::NotFound)?;
        self.read_part(&name).await
    }

    async fn collect_file_garbage(&self) -> StorageResult<u64> {
        let dirs = self.dirs()?;
        self.sweep_trash(dirs).await
    }

    async fn replace_avatar(
        &self,
        user: UserId,
        image: Vec<u8>,
        extension: &str,
    ) -> StorageResult<String> {
        let dirs = self.dirs()?;
        let name = format!("{}.{extension}", random_name());
        if safe_name(&name).is_none() {
            return Err(StorageError::Internal("unusable avatar extension".into()));
        }
        let mut staged = Staged::write(&dirs.avatars, &name, &image).await?;
        let txn = self.db.begin().await.map_err(internal)?;
        let row = users::Entity::find_by_id(user.0)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        let old = row.avatar.clone();
        let mut active: users::ActiveModel = row.into();
        active.avatar = Set(Some(name.clone()));
        active.update(&txn).await.map_err(internal)?;
        staged.place().await?;
        txn.commit().await.map_err(internal)?;
        staged.keep();
        if let Some(old) = old.as_deref().and_then(safe_name)
            && let Err(e) = tokio::fs::remove_file(dirs.avatars.join(old)).await
        {
            tracing::warn!(error = %e, "the replaced avatar could not be removed");
        }
        Ok(name)
    }

    async fn sealed_file_parts_count(&self) -> StorageResult<u64> {
        let rows = files::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(rows
            .iter()
            .map(|f| 1 + u64::from(f.thumb_path.is_some()))
            .sum())
    }

    async fn sealed_file_parts_after(
        &self,
        after: i64,
        limit: u64,
    ) -> StorageResult<Vec<(i64, Sealed)>> {
        let mut cursor = after;
        let mut parts = Vec::new();
        // A part whose file is gone (deleted meanwhile) is skipped; an empty answer must
        // mean "nothing after", so keep reading rows until something is found or none remain.
        loop {
            let rows = files::Entity::find()
                // Row r holds parts 2r and 2r + 1: the first row with a part above `cursor`.
                .filter(files::Column::Id.gte((cursor + 1).div_euclid(2)))
                .order_by_asc(files::Column::Id)
                .limit(limit)
                .all(&self.db)
                .await
                .map_err(internal)?;
            let Some(last) = rows.last().map(|row| row.id) else {
                return Ok(parts);
            };
            for row in rows {
                for (part, name) in [
                    (row.id * 2, Some(row.path.clone())),
                    (row.id * 2 + 1, row.thumb_path.clone()),
                ] {
                    if part <= cursor || parts.len() as u64 >= limit {
                        continue;
                    }
                    let Some(name) = name else { continue };
                    match self.read_part(&name).await {
                        Ok(sealed) => parts.push((part, sealed)),
                        Err(StorageError::NotFound) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            if !parts.is_empty() {
                return Ok(parts);
            }
            cursor = last * 2 + 1;
        }
    }

    async fn sealed_file_part(&self, part: i64) -> StorageResult<Sealed> {
        let name = self.part_name(part).await?;
        self.read_part(&name).await
    }

    async fn reseal_file_part(&self, part: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool> {
        let dirs = self.dirs()?;
        let name = match self.part_name(part).await {
            Ok(name) => name,
            Err(StorageError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        // One re-sealer at a time per process (the rotation job); uploads never rewrite a
        // part, so comparing then renaming over it is enough.
        match self.read_part(&name).await {
            Ok(current) if current == *old => {}
            Ok(_) | Err(StorageError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        }
        let mut staged = Staged::write(&dirs.files, &name, new.0.as_bytes()).await?;
        staged.place().await?;
        staged.keep();
        Ok(true)
    }

    async fn avatar_content(&self, name: &str) -> StorageResult<Vec<u8>> {
        let dirs = self.dirs()?;
        let name = safe_name(name).ok_or(StorageError::NotFound)?;
        if name.starts_with(TEMP_PREFIX) {
            return Err(StorageError::NotFound);
        }
        match tokio::fs::read(dirs.avatars.join(name)).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::NotFound),
            Err(e) => Err(io(e)),
        }
    }
}
