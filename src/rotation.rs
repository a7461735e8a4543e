//! Fernet key rotation. Starting one writes a new key in front of the key file and makes
//! it the running [`Sealer`]'s primary at once; a job then re-seals every stored sealed
//! value with it, source by source in ascending id order, saving its place in the
//! database so a restart resumes it. Old keys are dropped from the file and the Sealer
//! only after the last row is done, so every value opens at every moment.
//!
//! A source is anything implementing [`Resealable`]: message bodies, then uploaded files'
//! parts; another sealed store joins by adding an implementation to [`Rotator::sources`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::audit::{self, security_event};
use crate::crypto::{CryptoError, Sealer, fingerprint};
use crate::domain::Sealed;
use crate::keys::write_fernet_file;
use crate::storage::site::RotationProgress;
use crate::storage::{Storage, StorageError, StorageResult};

/// Rows per batch: small enough that a batch's updates never hold writers up for long.
const BATCH: u64 = 200;

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(
        "the encryption keys are set in the configuration (secrets.encrypt_keys / ENCRYPT_KEY), \
         not in data/fernet.keys: rotate them there (put a new key first, restart, and keep \
         the old one listed until every message was re-sealed)"
    )]
    ConfiguredKeys,
    #[error("a key rotation is already in progress")]
    Unfinished,
    #[error(
        "the unfinished rotation targets key {target}, but the primary key is {primary}: \
         the key file was changed by hand"
    )]
    TargetMismatch { target: String, primary: String },
    #[error("database: {0}")]
    Storage(#[from] StorageError),
    #[error("keys: {0}")]
    Crypto(#[from] CryptoError),
    #[error("key file: {0}")]
    KeyFile(#[from] std::io::Error),
}

/// Stored sealed values that can be re-sealed in place, by id.
#[async_trait]
pub trait Resealable: Send + Sync {
    /// Names the source in the saved progress; must stay stable across releases.
    fn name(&self) -> &'static str;
    async fn count(&self) -> StorageResult<u64>;
    /// Up to `limit` (id, sealed) with id > `after`, ascending.
    async fn batch_after(&self, after: i64, limit: u64) -> StorageResult<Vec<(i64, Sealed)>>;
    /// The value as stored now; `NotFound` when it is gone.
    async fn current(&self, id: i64) -> StorageResult<Sealed>;
    /// Compare-and-swap: writes `new` only if the value is still `old`.
    async fn swap(&self, id: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool>;
}

struct MessageBodies(Arc<dyn Storage>);

#[async_trait]
impl Resealable for MessageBodies {
    fn name(&self) -> &'static str {
        "messages"
    }
    async fn count(&self) -> StorageResult<u64> {
        self.0.sealed_bodies_count().await
    }
    async fn batch_after(&self, after: i64, limit: u64) -> StorageResult<Vec<(i64, Sealed)>> {
        self.0.sealed_bodies_after(after, limit).await
    }
    async fn current(&self, id: i64) -> StorageResult<Sealed> {
        self.0.sealed_body(id).await
    }
    async fn swap(&self, id: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool> {
        self.0.reseal_body(id, old, new).await
    }
}

/// Uploaded files' sealed parts (bytes and thumbnails), on disk, by part id.
struct FileParts(Arc<dyn Storage>);

#[async_trait]
impl Resealable for FileParts {
    fn name(&self) -> &'static str {
        "files"
    }
    async fn count(&self) -> StorageResult<u64> {
        self.0.sealed_file_parts_count().await
    }
    async fn batch_after(&self, after: i64, limit: u64) -> StorageResult<Vec<(i64, Sealed)>> {
        self.0.sealed_file_parts_after(after, limit).await
    }
    async fn current(&self, id: i64) -> StorageResult<Sealed> {
        self.0.sealed_file_part(id).await
    }
    async fn swap(&self, id: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool> {
        self.0.reseal_file_part(id, old, new).await
    }
}

pub struct Rotator {
    storage: Arc<dyn Storage>,
    sealer: Arc<Sealer>,
    key_file: Option<PathBuf>,
    /// One start and one job at a time in this process.
    starting: tokio::sync::Mutex<()>,
    job: tokio::sync::Mutex<()>,
    settle: Duration,
}

impl Rotator {
    /// `key_file` is where the keys came from; `None` when they are set in config/env.
    pub fn new(storage: Arc<dyn Storage>, sealer: Arc<Sealer>, key_file: Option<PathBuf>) -> Self {
        Self {
            storage,
            sealer,
            key_file,
            starting: tokio::sync::Mutex::new(()),
            job: tokio::sync::Mutex::new(()),
            // A value sealed with the old key just before the swap may still be on its way
            // to the database (the message writer batches); the pass starts after it landed.
            settle: Duration::from_secs(1),
        }
    }

    pub fn can_rotate(&self) -> bool {
        self.key_file.is_some()
    }

    fn sources(&self) -> Vec<Box<dyn Resealable>> {
        vec![
            Box::new(MessageBodies(Arc::clone(&self.storage))),
            Box::new(FileParts(Arc::clone(&self.storage))),
        ]
    }

    /// Makes a new key the primary (file first, then the running Sealer) and records the
    /// rotation; [`Rotator::run`] then does the re-sealing.
    pub async fn start(&self) -> Result<RotationProgress, RotationError> {
        let key_file = self
            .key_file
            .as_ref()
            .ok_or(RotationError::ConfiguredKeys)?;
        let _one = self.starting.lock().await;
        if self.storage.rotation_unfinished().await?.is_some() {
            return Err(RotationError::Unfinished);
        }
        let key = fernet::Fernet::generate_key();
        let mut keys = vec![key.clone()];
        keys.extend(self.sealer.export_keys());
        // The file first: were the process to die now, the restart still knows the key
        // that may already have sealed something.
        let file = key_file.clone();
        let written = keys.clone();
        tokio::task::spawn_blocking(move || write_fernet_file(&file, &written))
            .await
            .map_err(|e| RotationError::KeyFile(std::io::Error::other(e.to_string())))??;
        self.sealer.add_primary(&key)?;
        let mut total = 0;
        for source in self.sources() {
            total += source.count().await?;
        }
        let first = self
            .sources()
            .first()
            .map(|s| s.name())
            .unwrap_or("messages");
        let progress = self
            .storage
            .rotation_start(&fingerprint(&key), first, total)
            .await?;
        tracing::info!(target = %progress.target, total, "key rotation started");
        Ok(progress)
    }

    /// Finishes the unfinished rotation, if any (after a start, or after a restart),
    /// calling `report` after every batch. Returns the finished progress, `None` when
    /// there was nothing to do.
    pub async fn run(
        &self,
        report: impl Fn(&RotationProgress) + Send + Sync,
    ) -> Result<Option<RotationProgress>, RotationError> {
        let _one = self.job.lock().await;
        let Some(mut progress) = self.storage.rotation_unfinished().await? else {
            return Ok(None);
        };
        let primary = self.sealer.primary_fingerprint();
        if progress.target != primary {
            return Err(RotationError::TargetMismatch {
                target: progress.target,
                primary,
            });
        }
        tokio::time::sleep(self.settle).await;
        let sources = self.sources();
        let start = sources
            .iter()
            .position(|s| s.name() == progress.source)
            .unwrap_or(0);
        for (index, source) in sources.iter().enumerate().skip(start) {
            let mut after = if index == start { progress.last_id } else { 0 };
            loop {
                let batch = source.batch_after(after, BATCH).await?;
                if batch.is_empty() {
                    break;
                }
                for (id, sealed) in batch {
                    self.reseal_one(source.as_ref(), id, sealed).await?;
                    after = id;
                    progress.done += 1;
                }
                self.storage
                    .rotation_advance(progress.id, source.name(), after, progress.done)
                    .await?;
                progress.source = source.name().to_owned();
                progress.last_id = after;
                progress.total = progress.total.max(progress.done);
                report(&progress);
            }
            if let Some(next) = sources.get(index + 1) {
                self.storage
                    .rotation_advance(progress.id, next.name(), 0, progress.done)
                    .await?;
            }
        }
        // A value sealed with an old key just before the swap can land after the pass went
        // by (a write in flight); retire only once a whole sweep finds none left.
        while self.reseal_stragglers(&sources).await? > 0 {}
        self.retire(&progress).await?;
        progress.total = progress.done;
        progress.finished = Some(chrono::Utc::now());
        report(&progress);
        Ok(Some(progress))
    }

    /// Re-seals whatever still uses an old key, in every source; how many there were.
    async fn reseal_stragglers(
        &self,
        sources: &[Box<dyn Resealable>],
    ) -> Result<u64, RotationError> {
        let mut found = 0;
        for source in sources {
            let mut after = 0;
            loop {
                let batch = source.batch_after(after, BATCH).await?;
                let Some(last) = batch.last().map(|(id, _)| *id) else {
                    break;
                };
                for (id, sealed) in batch {
                    // Values no key opens are left alone, so this loop ends.
                    if self.reseal_one(source.as_ref(), id, sealed).await? {
                        found += 1;
                    }
                }
                after = last;
            }
        }
        if found > 0 {
            tracing::info!(found, "values sealed during the rotation's pass re-sealed");
        }
        Ok(found)
    }

    /// Every row is sealed with the primary now: drop the old keys, file first (a crash
    /// after this re-runs a pass that finds nothing to do, then finishes).
    async fn retire(&self, progress: &RotationProgress) -> Result<(), RotationError> {
        if let Some(file) = self.key_file.clone() {
            let keys: Vec<String> = self.sealer.export_keys().into_iter().take(1).collect();
            tokio::task::spawn_blocking(move || write_fernet_file(&file, &keys))
                .await
                .map_err(|e| RotationError::KeyFile(std::io::Error::other(e.to_string())))??;
        }
        self.sealer.retire_old_keys()?;
        self.storage.rotation_finish(progress.id).await?;
        let entry = security_event(
            "keys.rotation.finish",
            None,
            progress.target.clone(),
            format!(
                "{} sealed values re-sealed; old keys retired",
                progress.done
            ),
            "",
        );
        audit::append(&*self.storage, entry).await;
        tracing::info!(target = %progress.target, done = progress.done, "key rotation finished");
        Ok(())
    }

    /// Re-seals one value unless it already uses the primary; whether it did. A concurrent edit makes the
    /// swap miss: the value is read again, so an edit sealed with the old key just before
    /// the rotation began is still re-sealed, and one sealed with the new key is kept.
    async fn reseal_one(
        &self,
        source: &dyn Resealable,
        id: i64,
        mut current: Sealed,
    ) -> Result<bool, RotationError> {
        loop {
            if self.sealer.sealed_with_primary(&current) {
                return Ok(false);
            }
            let new = match self.sealer.reseal(&current) {
                Ok(new) => new,
                Err(error) => {
                    // Opens with no key we have: retiring keys cannot make it worse.
                    tracing::warn!(source = source.name(), id, %error, "cannot re-seal");
                    return Ok(false);
                }
            };
            if source.swap(id, &current, &new).await? {
                return Ok(true);
            }
            current = match source.current(id).await {
                Ok(now) => now,
                Err(StorageError::NotFound) => return Ok(false),
                Err(error) => return Err(error.into()),
            };
        }
    }

    /// Resumes an unfinished rotation in the background (at startup), logging the outcome.
    pub fn resume_in_background(self: &Arc<Self>) {
        let rotator = Arc::clone(self);
        // Supervised: a panic mid-pass starts it again, from the progress saved in storage.
        crate::supervise::spawn("key rotation", move || {
            let rotator = Arc::clone(&rotator);
            async move {
                match rotator.storage.rotation_unfinished().await {
                    Ok(Some(progress)) => {
                        tracing::info!(target = %progress.target, done = progress.done, "resuming the key rotation");
                    }
                    Ok(None) => return,
                    Err(error) => {
                        tracing::error!(%error, "cannot check for an unfinished key rotation");
                        return;
                    }
                }
                if let Err(error) = rotator.run(|_| {}).await {
                    tracing::error!(%error, "key rotation stopped; it resumes at the next start");
                }
            }
        });
    }
}
