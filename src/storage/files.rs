//! Uploaded files: their metadata here, their sealed bytes in the data dir's files folder.
//! Avatars: re-encoded images in the data dir's avatars folder, named at random.

use async_trait::async_trait;

use super::StorageResult;
use crate::domain::{FileId, FileRef, NewFile, RoomId, Sealed, SealedBody, StoredMessage, UserId};

#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `file` and a message of its uploader carrying it (with `caption`, sealed),
    /// atomically: on any failure neither a row nor a file on disk is left. `NotFound`
    /// when the room or uploader does not exist.
    async fn create_file_message(
        &self,
        file: NewFile,
        caption: SealedBody,
    ) -> StorageResult<StoredMessage>;
    /// The file `id` of `room`; `NotFound` when missing or in another room.
    async fn file_by_id(&self, room: RoomId, id: FileId) -> StorageResult<FileRef>;
    /// The sealed bytes of file `id` of `room` (its thumbnail when `thumb`); `NotFound`
    /// when missing, in another room, or without a thumbnail.
    async fn file_content(&self, room: RoomId, id: FileId, thumb: bool) -> StorageResult<Sealed>;
    /// Removes from disk the files whose rows were deleted (with their message or room);
    /// returns how many went.
    async fn collect_file_garbage(&self) -> StorageResult<u64>;
    /// Stores `image` (already re-encoded, `extension` without dot) as `user`'s avatar under
    /// a fresh random name and deletes the one it replaces; returns the new name.
    /// `NotFound` (nothing written) when no such account.
    async fn replace_avatar(
        &self,
        user: UserId,
        image: Vec<u8>,
        extension: &str,
    ) -> StorageResult<String>;
    /// The bytes of the avatar called `name`; `NotFound` when there is none.
    async fn avatar_content(&self, name: &str) -> StorageResult<Vec<u8>>;

    // Key rotation: every sealed file part (a file's bytes, id `2 × file id`, and its
    // thumbnail, `2 × file id + 1`) can be re-sealed in place, like message bodies.

    /// How many sealed file parts exist.
    async fn sealed_file_parts_count(&self) -> StorageResult<u64>;
    /// Up to `limit` (part id, sealed) with part id > `after`, ascending.
    async fn sealed_file_parts_after(
        &self,
        after: i64,
        limit: u64,
    ) -> StorageResult<Vec<(i64, Sealed)>>;
    /// The sealed part as stored now; `NotFound` when it is gone.
    async fn sealed_file_part(&self, part: i64) -> StorageResult<Sealed>;
    /// Replaces the part with `new` only if it still is `old` (atomically on disk); false
    /// when it is gone or changed meanwhile.
    async fn reseal_file_part(&self, part: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool>;
}
