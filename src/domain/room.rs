//! Rooms: the public chat, group chats and private 1:1 chats.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Invalid, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomId(pub i64);

/// The slug used in URLs and `/ws/chatroom/{name}`: 1–64 of `a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomName(String);

impl RoomName {
    pub const PUBLIC: &'static str = "public-chat";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new("Not a valid room name."))
        }
    }

    pub fn public() -> Self {
        Self(Self::PUBLIC.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    /// Everyone signed in may read and write.
    Public,
    /// Members only; run by its admin.
    Group,
    /// Exactly two members.
    Private,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Group => "group",
            Self::Private => "private",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "public" => Some(Self::Public),
            "group" => Some(Self::Group),
            "private" => Some(Self::Private),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewRoom {
    pub name: RoomName,
    pub title: String,
    pub kind: RoomKind,
    pub admin: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: RoomId,
    pub name: RoomName,
    pub title: String,
    pub kind: RoomKind,
    pub admin: Option<UserId>,
    pub created: DateTime<Utc>,
}

/// A room's title as people see it: 1–80 characters, no control characters.
pub fn parse_title(raw: &str) -> Result<String, Invalid> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(Invalid::new("This field may not be blank."));
    }
    if title.chars().count() > 80 {
        return Err(Invalid::new(
            "Ensure this field has no more than 80 characters.",
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(Invalid::new("A title cannot contain control characters."));
    }
    Ok(title.to_owned())
}

impl RoomName {
    /// A fresh, URL-safe name for a group titled `title`: its slug plus a random suffix,
    /// so two groups may share a title.
    pub fn for_group(title: &str, suffix: &str) -> Self {
        let mut slug = String::new();
        for c in title.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
            if slug.len() >= 40 {
                break;
            }
        }
        let slug = slug.trim_end_matches('-');
        let base = if slug.is_empty() { "group" } else { slug };
        Self(format!("{base}-{suffix}"))
    }

    /// The one name the private room of two people has.
    pub fn for_pair(a: UserId, b: UserId) -> Self {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        Self(format!("dm-{}-{}", low.0, high.0))
    }
}
