//! Messages: the plaintext body as typed (frontend only) and the sealed form storage keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Invalid, RoomId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub i64);

/// A message as typed: trimmed, not empty, at most [`MessageBody::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new("This field may not be blank."));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "Ensure this field has no more than {} characters.",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Fernet token: the only form in which a body or file crosses into storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub String);

/// A message's sealed plaintext and how that plaintext is laid out, which only the
/// frontend can read: storage keeps `format` beside the bytes and never interprets either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBody {
    pub sealed: Sealed,
    /// 0: the plaintext is the words alone. n > 0: the words with their HTML, as the
    /// frontend's renderer of version n laid them out.
    pub format: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewMessage {
    pub room: RoomId,
    pub author: UserId,
    pub body: SealedBody,
    /// The message of the same room this one answers.
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// Who it mentions, each able to read the room, at most [`MAX_MENTIONS`].
    #[serde(default)]
    pub mentions: Vec<UserId>,
}

/// How many people one message may mention (and so notify); names past it stay text.
pub const MAX_MENTIONS: usize = 50;

/// The message a reply answers, as the reply shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    pub id: MessageId,
    /// `None` once the original is deleted.
    pub original: Option<Original>,
}

/// What a reply quotes of its original: who wrote it and its sealed body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    pub author: Option<Author>,
    pub body: SealedBody,
}

/// Who wrote a stored message, as shown beside it. `None` on the message once the
/// account is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// The uploaded avatar's stored name, if any.
    pub avatar: Option<String>,
}

impl Author {
    /// The name they go by: the display name, or the username when there is none.
    pub fn shown_name(&self) -> &str {
        super::user::shown_name(&self.username, &self.display_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMessage {
    pub id: MessageId,
    pub room: RoomId,
    pub author: Option<Author>,
    pub body: SealedBody,
    pub created: DateTime<Utc>,
    pub edited: Option<DateTime<Utc>>,
    /// The file this message carries, if any.
    pub file: Option<FileRef>,
    /// Its reactions, in the order the emoji were first used.
    #[serde(default)]
    pub reactions: Vec<super::ReactionGroup>,
    /// The message it answers, if it is a reply.
    #[serde(default)]
    pub reply: Option<ReplyRef>,
    /// Who it mentions.
    #[serde(default)]
    pub mentions: Vec<Author>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub i64);

/// An uploaded file as messages and pages see it: never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: FileId,
    pub room: RoomId,
    /// The room's name, which is part of the file's address.
    pub room_name: String,
    /// The name it was uploaded with, already made safe to show and to send back.
    pub name: String,
    /// What the content was sniffed to be; never what the client claimed.
    pub mime: String,
    /// Plaintext size in bytes.
    pub size: u64,
    pub has_thumb: bool,
}

/// A file to store with the message that carries it; bytes already sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewFile {
    pub room: RoomId,
    pub uploader: UserId,
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub sealed: Sealed,
    pub sealed_thumb: Option<Sealed>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(
            MessageBody::parse("  hi \n").map(|b| b.0),
            Ok("hi".to_owned())
        );
        assert!(MessageBody::parse(" \n\t ").is_err());
        assert!(MessageBody::parse(&"é".repeat(10_000)).is_ok());
        assert!(MessageBody::parse(&"é".repeat(10_001)).is_err());
    }
}
