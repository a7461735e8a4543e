//! Site state an admin changes at run time: the registration policy, invite links, key
//! rotation progress, and the re-sealing and snapshot primitives those need.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ByteStream, StorageResult};
use crate::domain::{NewUser, Sealed, User, UserId};

/// Who may create an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationPolicy {
    /// Anyone.
    #[default]
    Open,
    /// Nobody (except the very first account of a fresh install).
    Closed,
    /// Only someone holding a live invite link.
    Invite,
}

impl RegistrationPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Invite => "invite",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            "invite" => Some(Self::Invite),
            _ => None,
        }
    }
}

/// An invite link as stored: never the token, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub id: i64,
    pub token_hash: String,
    pub created_by: Option<UserId>,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub max_uses: Option<u64>,
    pub uses: u64,
    pub revoked: Option<DateTime<Utc>>,
}

/// Why an invite can or cannot be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteStatus {
    Live,
    Revoked,
    Expired,
    UsedUp,
}

impl Invite {
    pub fn status(&self, now: DateTime<Utc>) -> InviteStatus {
        if self.revoked.is_some() {
            InviteStatus::Revoked
        } else if self.expires.is_some_and(|e| e <= now) {
            InviteStatus::Expired
        } else if self.max_uses.is_some_and(|m| self.uses >= m) {
            InviteStatus::UsedUp
        } else {
            InviteStatus::Live
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewInvite {
    pub token_hash: String,
    pub created_by: UserId,
    pub expires: Option<DateTime<Utc>>,
    pub max_uses: Option<u64>,
}

/// A key rotation's progress: every re-sealable source in turn, each by ascending id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationProgress {
    pub id: i64,
    /// Fingerprint of the key everything is being re-sealed with.
    pub target: String,
    /// The source being worked through (`"messages"`, …).
    pub source: String,
    /// The last id of `source` done; the next batch starts after it.
    pub last_id: i64,
    pub done: u64,
    pub total: u64,
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait SiteStore: Send + Sync {
    /// The stored policy; `Open` when none was ever set.
    async fn registration_policy(&self) -> StorageResult<RegistrationPolicy>;
    async fn set_registration_policy(&self, policy: RegistrationPolicy) -> StorageResult<()>;

    /// `Conflict(Invite)` when the hash is already known.
    async fn invite_create(&self, new: NewInvite) -> StorageResult<Invite>;
    /// Every invite, newest first.
    async fn invites_list(&self) -> StorageResult<Vec<Invite>>;
    /// `NotFound` when no invite has this hash.
    async fn invite_by_hash(&self, token_hash: &str) -> StorageResult<Invite>;
    /// Revokes a live or spent invite; `NotFound` (nothing changed) when missing or
    /// already revoked.
    async fn invite_revoke(&self, id: i64) -> StorageResult<Invite>;
    /// Counts one use of a live invite and creates the account, atomically: of two
    /// concurrent uses of a last remaining use only one succeeds. `NotFound` (nothing
    /// stored) when the invite is unknown, revoked, expired or used up; the account's
    /// `Conflict`s as for `create_user` (and then the use is not counted).
    async fn create_user_with_invite(&self, token_hash: &str, new: NewUser) -> StorageResult<User>;

    /// How many sealed message bodies exist.
    async fn sealed_bodies_count(&self) -> StorageResult<u64>;
    /// Up to `limit` (id, sealed body) of messages with id > `after`, by ascending id.
    async fn sealed_bodies_after(
        &self,
        after: i64,
        limit: u64,
    ) -> StorageResult<Vec<(i64, Sealed)>>;
    /// The sealed body of message `id`; `NotFound` when it is gone.
    async fn sealed_body(&self, id: i64) -> StorageResult<Sealed>;
    /// Replaces message `id`'s body with `new` only if it is still `old`; false (nothing
    /// changed) when the row is gone or was changed meanwhile.
    async fn reseal_body(&self, id: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool>;

    /// Records a new rotation toward `target`. `Conflict(Rotation)` when one is unfinished.
    async fn rotation_start(
        &self,
        target: &str,
        source: &str,
        total: u64,
    ) -> StorageResult<RotationProgress>;
    /// The unfinished rotation, if any.
    async fn rotation_unfinished(&self) -> StorageResult<Option<RotationProgress>>;
    /// The newest rotation, finished or not.
    async fn rotation_latest(&self) -> StorageResult<Option<RotationProgress>>;
    /// Saves how far rotation `id` got. `NotFound` when missing or finished.
    async fn rotation_advance(
        &self,
        id: i64,
        source: &str,
        last_id: i64,
        done: u64,
    ) -> StorageResult<()>;
    /// Marks rotation `id` finished. `NotFound` when missing or already finished.
    async fn rotation_finish(&self, id: i64) -> StorageResult<()>;

    /// Whether [`SiteStore::snapshot`] works on this database (SQLite: yes; PostgreSQL:
    /// no, use pg_dump).
    async fn supports_snapshot(&self) -> StorageResult<bool>;
    /// A consistent copy of the whole database as it was when the call began, while writers
    /// carry on, streamed back in order as byte chunks: nothing of it is written where the
    /// caller can see it, and nothing is left on the storage host once the stream ends or is
    /// dropped. `Internal` when this database cannot snapshot (see
    /// [`SiteStore::supports_snapshot`]) or the copy fails; a chunk that fails ends the copy,
    /// which is then incomplete.
    async fn snapshot(&self) -> StorageResult<ByteStream>;
}
