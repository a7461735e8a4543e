//! Validated values and the owned records that cross the storage boundary.
//! Nothing here knows about HTTP or SQL: a raw string becomes a domain value at the edge,
//! through `parse`, and nothing deeper sees it raw.

pub mod message;
pub mod notification;
pub mod password;
pub mod profile;
pub mod push;
pub mod reaction;
pub mod room;
pub mod user;

pub use message::{
    Author, FileId, FileRef, MAX_MENTIONS, MessageBody, MessageId, NewFile, NewMessage, Original,
    ReplyRef, Sealed, SealedBody, StoredMessage,
};
pub use notification::{MailPreferences, NotificationLevel};
pub use profile::{Bio, DisplayName, ProfileUpdate};
pub use push::{MAX_PUSH_DEVICES, NewPushSubscription, PushSubscription};
pub use reaction::{Emoji, MAX_REACTION_KINDS, Reacted, ReactionGroup};
pub use room::{NewRoom, Room, RoomId, RoomKind, RoomName};
pub use user::{Email, NewUser, User, UserId, Username};

/// Why a value was refused at the edge; the text is fit to show the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
