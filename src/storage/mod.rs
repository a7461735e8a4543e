//! Everything persistent, behind [`Storage`]: one sub-trait per aggregate, owned domain
//! types only, every argument and result serde-able, so the same trait can be served over
//! a wire ([`wire`] is that protocol; [`loopback`] runs it in-process and the contract
//! suite proves it). Storage never holds a key and never sees a plaintext message body:
//! it keeps what it is given, sealed.

pub mod admin;
pub mod audit;
mod error;
pub mod files;
pub mod loopback;
pub mod notifications;
pub mod site;
pub mod sql;
pub mod wire;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use admin::AdminStore;
pub use audit::AuditStore;
pub use error::{ByteStream, Conflict, StorageError, StorageResult};
pub use files::FileStore;
pub use notifications::NotificationStore;
pub use site::SiteStore;

#[cfg(doc)]
use crate::domain::MAX_REACTION_KINDS;
use crate::domain::{
    Email, Emoji, MessageId, NewMessage, NewRoom, NewUser, ProfileUpdate, Reacted, Room, RoomId,
    RoomName, SealedBody, StoredMessage, User, UserId, Username,
};

/// An account with its password hash, for credential checks only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates an account. `Conflict(Username)` or `Conflict(Email)` when either is
    /// taken, compared case-insensitively.
    async fn create_user(&self, new: NewUser) -> StorageResult<User>;
    /// `NotFound` when no such account.
    async fn user_by_id(&self, id: UserId) -> StorageResult<User>;
    /// `NotFound` when no account has this username.
    async fn user_by_username(&self, username: &Username) -> StorageResult<User>;
    /// The accounts among `usernames` that exist (active or not), in no particular order;
    /// one query for any number.
    async fn users_by_usernames(&self, usernames: Vec<Username>) -> StorageResult<Vec<User>>;
    /// Replaces the display name and bio; returns the updated account. `NotFound` when
    /// no such account.
    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> StorageResult<User>;
    /// Looks up by username or email, case-insensitively; `NotFound` when neither matches.
    async fn credentials_by_login(&self, login: &str) -> StorageResult<Credentials>;
    /// How many accounts exist.
    async fn count_users(&self) -> StorageResult<u64>;
    /// Whether any active admin exists (a fresh install has none).
    async fn has_admin(&self) -> StorageResult<bool>;
    /// The recovery path: sets the password hash, makes the account an active admin and
    /// ends every session it had, atomically. `NotFound` when no such account.
    async fn recover_admin(&self, id: UserId, password_hash: String) -> StorageResult<()>;
    /// Up to `limit` accounts ordered by id, skipping the first `offset`, and how many
    /// accounts exist in all. A page past the end is empty, not an error.
    async fn list_users(&self, offset: u64, limit: u64) -> StorageResult<(Vec<User>, u64)>;
    /// Up to `limit` active accounts whose username starts with `prefix` (any case),
    /// alphabetically. An empty prefix matches nobody.
    async fn search_usernames(&self, prefix: &str, limit: u64) -> StorageResult<Vec<User>>;
    /// The people directory: up to `limit` active accounts whose username or display name
    /// contains `query` (any case; a leading `@` is ignored; empty matches everyone), by
    /// username, skipping `offset`; and how many match in all.
    async fn find_people(
        &self,
        query: &str,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<User>, u64)>;
    /// Renames the account; returns it updated. `Conflict(Username)` when another account
    /// has this username in any case; `NotFound` when no such account.
    async fn change_username(&self, id: UserId, username: &Username) -> StorageResult<User>;
    /// Deletes the account atomically: its sessions, refresh tokens and account tokens go;
    /// its messages stay with no author; each group room it administered passes to its
    /// longest-standing remaining member, or is deleted when no member remains.
    /// `Conflict(LastAdmin)` (nothing changed) when it is the last active admin;
    /// `NotFound` when no such account.
    async fn delete_user(&self, id: UserId) -> StorageResult<()>;
}

#[async_trait]
pub trait RoomStore: Send + Sync {
    /// Returns the room with this name, creating it from `new` when missing.
    async fn ensure_room(&self, new: NewRoom) -> StorageResult<Room>;
    /// `NotFound` when no room has this name.
    async fn room_by_name(&self, name: &RoomName) -> StorageResult<Room>;
    /// `NotFound` when no room has this id.
    async fn room_by_id(&self, id: RoomId) -> StorageResult<Room>;
    /// Creates a group room whose members are its admin and `members`, atomically.
    /// `Conflict(Room)` when the name is taken; `NotFound` when a member does not exist.
    async fn create_group(&self, new: NewRoom, members: Vec<UserId>) -> StorageResult<Room>;
    /// The private room of exactly `a` and `b` (in either order), created with both
    /// memberships when missing. `NotFound` when either person does not exist.
    async fn private_room(&self, a: UserId, b: UserId) -> StorageResult<Room>;
    /// Whether `user` is a member of `room` (the public room has no members: everyone reads it).
    async fn is_member(&self, room: RoomId, user: UserId) -> StorageResult<bool>;
    /// The rooms `user` is a member of, newest activity first.
    async fn rooms_of(&self, user: UserId) -> StorageResult<Vec<RoomSummary>>;
    /// The members of `room`, by username; empty for the public room.
    async fn members_of(&self, room: RoomId) -> StorageResult<Vec<User>>;
    /// Sets the title; `NotFound` when the room is missing.
    async fn rename_room(&self, room: RoomId, title: String) -> StorageResult<Room>;
    /// Replaces the member list atomically; the room's admin stays a member whatever the
    /// list says. `NotFound` when the room or any listed user is missing (nothing changes).
    async fn set_members(&self, room: RoomId, members: Vec<UserId>) -> StorageResult<()>;
    /// Adds one member; adding a member twice is not an error. `NotFound` when the room
    /// or the user is missing.
    async fn add_member(&self, room: RoomId, user: UserId) -> StorageResult<()>;
    /// Removes one member; removing a non-member is not an error.
    async fn remove_member(&self, room: RoomId, user: UserId) -> StorageResult<()>;
    /// Deletes the room with its memberships and messages; `NotFound` when missing.
    async fn delete_room(&self, room: RoomId) -> StorageResult<()>;
    /// The ids of `room`'s members; empty for the public room.
    async fn member_ids(&self, room: RoomId) -> StorageResult<Vec<UserId>>;
    /// For each room `user` is a member of, how many messages by others are newer than
    /// the membership's read mark; rooms with none are left out. One query for all rooms.
    async fn unread_counts(&self, user: UserId) -> StorageResult<Vec<(RoomId, u64)>>;
    /// Moves `user`'s read mark in `room` up to `up_to`; never back. A non-member (or the
    /// public room, which has no memberships) changes nothing and is not an error.
    async fn mark_read(&self, room: RoomId, user: UserId, up_to: MessageId) -> StorageResult<()>;
    /// `mark_read` for many (room, user, up to) at once, each (room, user) at most once.
    async fn mark_read_many(&self, marks: Vec<(RoomId, UserId, MessageId)>) -> StorageResult<()>;
}

/// A room in someone's list, with what orders the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub room: Room,
    /// The newest message's id, `None` for a room nobody has written in.
    pub last_message: Option<MessageId>,
    /// For a private room, the other member's username.
    pub peer: Option<String>,
    /// For a private room, the name the other member goes by.
    #[serde(default)]
    pub peer_name: Option<String>,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message whose body is already sealed; returns it with its id and time once
    /// committed. `NotFound` when the room or author does not exist.
    async fn append_message(&self, new: NewMessage) -> StorageResult<StoredMessage>;
    /// Stores many messages at once, in one statement when all of them can be: one result
    /// per message, in the order given, each known committed. A message whose room or
    /// author is gone fails alone (`NotFound`).
    async fn append_messages(&self, batch: Vec<NewMessage>) -> Vec<StorageResult<StoredMessage>>;
    /// Up to `limit` messages of `room` older than `before` (all when `None`), newest first.
    async fn messages_before(
        &self,
        room: RoomId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>>;
    /// The message `id` of `room`; `NotFound` when missing or in another room.
    async fn message_by_id(&self, room: RoomId, id: MessageId) -> StorageResult<StoredMessage>;
    /// Up to `limit` messages of `room` newer than `after`, oldest first.
    async fn messages_after(
        &self,
        room: RoomId,
        after: MessageId,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>>;
    /// Replaces the body of message `id` of `room` with `body` (already sealed) and marks
    /// it edited now; returns it as stored. `NotFound` (and nothing changed) when the
    /// message is missing, in another room, or not written by `author`.
    async fn edit_message(
        &self,
        room: RoomId,
        id: MessageId,
        author: UserId,
        body: SealedBody,
        mentions: Vec<UserId>,
    ) -> StorageResult<StoredMessage>;
    /// Deletes message `id` of `room` for good: the row goes, and its bytes are not left
    /// behind in the database files. `NotFound` when missing or in another room. Who may
    /// delete is the caller's decision.
    async fn delete_message(&self, room: RoomId, id: MessageId) -> StorageResult<()>;
    /// Up to `limit` messages older than `before` (all when `None`) that mention `user`,
    /// in rooms `user` can read now (a member of, or the public room), newest first.
    async fn mentions_of(
        &self,
        user: UserId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>>;
    /// For each room `user` is a member of, how many mentions of them are newer than the
    /// membership's read mark; rooms with none are left out. One query for all rooms.
    async fn unread_mentions(&self, user: UserId) -> StorageResult<Vec<(RoomId, u64)>>;
    /// Adds `user`'s reaction `emoji` to message `id` of `room` (nothing to do when it is
    /// there already) and returns the message's reactions after. `NotFound` when the
    /// message is missing or in another room; `Conflict(ReactionKinds)`, with nothing
    /// stored, when the emoji would be the message's [`MAX_REACTION_KINDS`]+1st kind.
    /// Who may react is the caller's decision.
    async fn add_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted>;
    /// Removes `user`'s reaction `emoji` from message `id` of `room` when it is there,
    /// and returns the message's reactions after. `NotFound` when the message is missing
    /// or in another room.
    async fn remove_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted>;
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
    /// Replaces an existing session's state, user and expiry; `NotFound` when it no longer
    /// exists (revoked or expired meanwhile), in which case nothing is written.
    async fn session_update(&self, record: SessionRecord) -> StorageResult<()>;
    /// Moves a session's expiry and marks it seen now; `NotFound` when missing.
    async fn session_touch(&self, key_hash: &str, expires: DateTime<Utc>) -> StorageResult<()>;
    /// Deletes the session; deleting a missing one is not an error.
    async fn session_delete(&self, key_hash: &str) -> StorageResult<()>;
    /// Deletes every expired session; returns how many went.
    async fn session_purge_expired(&self) -> StorageResult<u64>;
    /// The live (unexpired) sessions of `user`, most recently seen first. None is not an error.
    async fn sessions_of_user(&self, user: UserId) -> StorageResult<Vec<SessionInfo>>;
    /// Deletes `user`'s session with this key hash. `NotFound` (and nothing deleted) when
    /// no such session, or when it belongs to someone else.
    async fn session_delete_of_user(&self, user: UserId, key_hash: &str) -> StorageResult<()>;
    /// Deletes every session of `user` except the one whose key hash is `keep` (all when
    /// `None`); returns how many went. None is not an error.
    async fn sessions_delete_for_user(
        &self,
        user: UserId,
        keep: Option<&str>,
    ) -> StorageResult<u64>;
}

/// A signed-in session as its owner sees it in a list: never its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub key_hash: String,
    pub user_agent: String,
    pub ip: String,
    pub created: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// What a single-use account token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenPurpose {
    /// A password reset link.
    Reset,
    /// An email address confirmation link.
    VerifyEmail,
    /// A link confirming a new address; the token carries the address.
    ChangeEmail,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::VerifyEmail => "verify_email",
            Self::ChangeEmail => "change_email",
        }
    }
}

/// Single-use links mailed to a person (password reset, email confirmation), by the
/// SHA-256 of their token: storage never holds a usable token.
#[async_trait]
pub trait AccountTokenStore: Send + Sync {
    /// Records a new live token of `user`. `NotFound` when no such account;
    /// `Conflict(Token)` when the hash is already known.
    async fn account_token_create(
        &self,
        hash: &str,
        user: UserId,
        purpose: TokenPurpose,
        expires: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// The account a live token (this purpose, unused, unexpired) belongs to, without
    /// spending it. `NotFound` for an unknown, used, expired or other-purpose token.
    async fn account_token_peek(&self, hash: &str, purpose: TokenPurpose) -> StorageResult<UserId>;
    /// Spends a live `Reset` token, sets its account's password hash and deletes every
    /// session of that account, atomically; returns the account. `NotFound` (and nothing
    /// changed) when the token is unknown, used, expired or of another purpose.
    async fn reset_password(&self, hash: &str, password_hash: String) -> StorageResult<UserId>;
    /// Spends a live `VerifyEmail` token and marks its account's email verified,
    /// atomically; returns the account. `NotFound` (nothing changed) as for `reset_password`.
    async fn confirm_email(&self, hash: &str) -> StorageResult<UserId>;
    /// Sets `user`'s password hash and deletes every session of theirs except `keep`,
    /// atomically. `NotFound` (nothing changed) when no such account.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        keep: Option<&str>,
    ) -> StorageResult<()>;
    /// Sets `user`'s address at once, unverified, and voids their live `VerifyEmail` and
    /// `ChangeEmail` tokens; returns the account. `Conflict(Email)` when another account
    /// has it in any case; `NotFound` when no such account. Nothing changes on error.
    async fn change_email(&self, user: UserId, email: &Email) -> StorageResult<User>;
    /// Records a `ChangeEmail` token moving `user` to `email`, voiding their earlier ones so
    /// only the newest link works. `Conflict(Email)` when another account has the
    /// address in any case; `NotFound` when no such account.
    async fn email_change_request(
        &self,
        hash: &str,
        user: UserId,
        email: &Email,
        expires: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// The address of `user`'s live `ChangeEmail` token, if any.
    async fn email_change_pending(&self, user: UserId) -> StorageResult<Option<String>>;
    /// Spends a live `ChangeEmail` token and moves its account to the token's address,
    /// marked verified, atomically; returns the account. `NotFound` for an unknown, used,
    /// expired or other-purpose token; `Conflict(Email)` when the address was taken
    /// meanwhile. Nothing changes on error.
    async fn confirm_email_change(&self, hash: &str) -> StorageResult<User>;
}

/// Refresh tokens of the API, by their `jti`: storage knows which are live, never the
/// token itself or the key that signs it.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Records a new live refresh token of `user`. `NotFound` when no such account;
    /// `Conflict(Jti)` when the jti is already known.
    async fn token_issue(
        &self,
        jti: &str,
        user: UserId,
        expires: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Spends `old_jti` and records `new_jti` in its place, atomically: of two concurrent
    /// rotations of one token only one succeeds. `NotFound` (and nothing changed) when
    /// `old_jti` is unknown, already revoked, expired, or not `user`'s.
    async fn token_rotate(
        &self,
        old_jti: &str,
        new_jti: &str,
        user: UserId,
        new_expires: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Revokes every live (unrevoked, unexpired) refresh token of `user`; returns how many.
    /// None is not an error.
    async fn token_revoke_all_for_user(&self, user: UserId) -> StorageResult<u64>;
    /// Deletes every expired refresh token, spent or not (an expired token is refused
    /// whether or not its row exists); returns how many went.
    async fn token_purge_expired(&self) -> StorageResult<u64>;
}

/// Everything the frontend may ask of persistence.
pub trait Storage:
    UserStore
    + RoomStore
    + MessageStore
    + SessionStore
    + TokenStore
    + AccountTokenStore
    + AuditStore
    + FileStore
    + AdminStore
    + SiteStore
    + NotificationStore
{
}

impl<T> Storage for T where
    T: UserStore
        + RoomStore
        + MessageStore
        + SessionStore
        + TokenStore
        + AccountTokenStore
        + AuditStore
        + FileStore
        + AdminStore
        + SiteStore
        + NotificationStore
{
}
