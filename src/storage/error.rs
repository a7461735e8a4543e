//! What storage answers when it cannot do what was asked, and the stream a snapshot comes
//! back as: both cross the storage protocol as they are.

use serde::{Deserialize, Serialize};

/// Why storage refused or failed. It crosses the wire as it is, so a remote caller can
/// tell a conflict from a failure exactly as a local one can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was hit (or a rule like it, see [`Conflict`]); names what collided.
    #[error("{0} already exists")]
    Conflict(Conflict),
    #[error("storage failure: {0}")]
    Internal(String),
}

/// What a [`StorageError::Conflict`] collided on. Callers match the variant, never a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// Another account has this username (in any case).
    Username,
    /// Another account has this email address (in any case).
    Email,
    /// Another room has this name.
    Room,
    /// The membership already exists.
    Member,
    /// A message row collided (an id reused: only corruption can cause it).
    Message,
    /// A file row collided (an id reused: only corruption can cause it).
    File,
    /// An account token with this hash is already known.
    Token,
    /// A refresh token with this jti is already known.
    Jti,
    /// An invite with this token hash is already known.
    Invite,
    /// A key rotation is already unfinished.
    Rotation,
    /// The message already carries as many kinds of reaction as it may.
    ReactionKinds,
    /// The change would leave the site without an active admin.
    LastAdmin,
}

impl Conflict {
    /// The word for it in messages, and the field name the API reports a conflict under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::Room => "room",
            Self::Member => "member",
            Self::Message => "message",
            Self::File => "file",
            Self::Token => "token",
            Self::Jti => "jti",
            Self::Invite => "invite",
            Self::Rotation => "rotation",
            Self::ReactionKinds => "emoji",
            Self::LastAdmin => "last admin",
        }
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Bytes streamed out of storage in order, chunk by chunk (a snapshot): what crosses a wire
/// as a streamed body, where a path on the storage host would mean nothing to the caller.
pub type ByteStream = futures_util::stream::BoxStream<'static, StorageResult<bytes::Bytes>>;
