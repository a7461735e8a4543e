//! Everything persistent, behind [`Storage`]: one sub-trait per aggregate, owned domain
//! types only, so the same trait can later be served over a wire. Storage never holds a key
//! and never sees a plaintext message body: it keeps what it is given, sealed.

pub mod sql;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    MessageId, NewMessage, NewRoom, NewUser, ProfileUpdate, Room, RoomId, RoomName, StoredMessage,
    User, UserId, Username,
};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was hit; names what collided (`"username"`, `"email"`, …).
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("storage failure: {0}")]
    Internal(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// An account with its password hash, for credential checks only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates an account. `Conflict("username")` or `Conflict("email")` when either is
    /// taken, compared case-insensitively.
    async fn create_user(&self, new: NewUser) -> StorageResult<User>;
    /// `NotFound` when no such account.
    async fn user_by_id(&self, id: UserId) -> StorageResult<User>;
    /// `NotFound` when no account has this username.
    async fn user_by_username(&self, username: &Username) -> StorageResult<User>;
    /// Replaces the display name and bio; returns the updated account. `NotFound` when
    /// no such account.
    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> StorageResult<User>;
    /// Looks up by username or email, case-insensitively; `NotFound` when neither matches.
    async fn credentials_by_login(&self, login: &str) -> StorageResult<Credentials>;
    /// How many accounts exist.
    async fn count_users(&self) -> StorageResult<u64>;
    /// The recovery path: sets the password hash, makes the account an active admin and
    /// ends every session it had, atomically. `NotFound` when no such account.
    async fn recover_admin(&self, id: UserId, password_hash: String) -> StorageResult<()>;
}

#[async_trait]
pub trait RoomStore: Send + Sync {
    /// Returns the room with this name, creating it from `new` when missing.
    async fn ensure_room(&self, new: NewRoom) -> StorageResult<Room>;
    /// `NotFound` when no room has this name.
    async fn room_by_name(&self, name: &RoomName) -> StorageResult<Room>;
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message whose body is already sealed; returns it with its id and time once
    /// committed. `NotFound` when the room or author does not exist.
    async fn append_message(&self, new: NewMessage) -> StorageResult<StoredMessage>;
    /// Up to `limit` messages of `room` older than `before` (all when `None`), newest first.
    async fn messages_before(
        &self,
        room: RoomId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>>;
    /// Up to `limit` messages of `room` newer than `after`, oldest first.
    async fn messages_after(
        &self,
        room: RoomId,
        after: MessageId,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>>;
}

/// A browser session as the server keeps it; the cookie holds only the key, and storage
/// holds only the key's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub key_hash: String,
    pub user: Option<UserId>,
    /// The session's state as the web layer serialised it.
    pub state: String,
    pub expires: DateTime<Utc>,
    pub user_agent: String,
    pub ip: String,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The live session with this key hash; `NotFound` when missing or expired.
    async fn session_load(&self, key_hash: &str) -> StorageResult<SessionRecord>;
    /// Creates or replaces the session with this key hash.
    async fn session_save(&self, record: SessionRecord) -> StorageResult<()>;
    /// Moves a session's expiry and marks it seen now; `NotFound` when missing.
    async fn session_touch(&self, key_hash: &str, expires: DateTime<Utc>) -> StorageResult<()>;
    /// Deletes the session; deleting a missing one is not an error.
    async fn session_delete(&self, key_hash: &str) -> StorageResult<()>;
    /// Deletes every expired session; returns how many went.
    async fn session_purge_expired(&self) -> StorageResult<u64>;
}

/// Everything the frontend may ask of persistence.
pub trait Storage: UserStore + RoomStore + MessageStore + SessionStore {}

impl<T: UserStore + RoomStore + MessageStore + SessionStore> Storage for T {}
