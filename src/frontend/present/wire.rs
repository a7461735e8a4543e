//! The JSON shapes programs see, shared by the REST API and the JSON WebSocket so the
//! two can never drift apart; `/api/schema/` documents these same types.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::media::file_url;
use crate::domain::{Author as Writer, ReactionGroup, StoredMessage};
use crate::frontend::present::view::{MessageText, iso};

/// A message's author.
// Fields in alphabetical order, as in `MessageOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Author {
    pub display_name: String,
    pub id: i64,
    pub username: String,
}

/// A message: `group` is the room's name, `author` null once the account is gone, `file`
/// the URL of the file the message carries (null when none).
// Fields in alphabetical order: this object used to be built with `json!`, whose maps sort
// their keys, and programs comparing bytes (or signing them) see exactly what they saw.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageOut {
    /// Null when the account is gone.
    #[schema(required = true)]
    pub author: Option<Author>,
    pub body: String,
    #[serde(serialize_with = "iso_time")]
    pub created: DateTime<Utc>,
    /// When it was last edited, or null.
    #[schema(required = true)]
    #[serde(serialize_with = "iso_time_or_null")]
    pub edited: Option<DateTime<Utc>>,
    /// The file's URL, or null.
    #[schema(required = true)]
    pub file: Option<String>,
    /// The room's name.
    pub group: String,
    /// `body` rendered: the Markdown subset as sanitised HTML, with links made clickable.
    /// The same HTML the pages show.
    pub html: String,
    pub id: i64,
    /// Who it mentions (people who can read the group), in no particular order.
    pub mentions: Vec<Author>,
    /// What it shows of the message it answers; null when it is not a reply.
    #[schema(required = true)]
    pub quote: Option<QuoteOut>,
    /// Its reactions, in the order the emoji were first used.
    pub reactions: Vec<ReactionOut>,
    /// The id of the message of the same group it answers, or null.
    #[schema(required = true)]
    pub reply_to: Option<i64>,
}

/// The start of the message a reply answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteOut {
    /// Null once the original or its author is deleted.
    #[schema(required = true)]
    pub author: Option<Author>,
    /// Its first 120 characters on one line; null once the original is deleted.
    #[schema(required = true)]
    pub excerpt: Option<String>,
}

/// Everyone who reacted to a message with one emoji, earliest first.
// Fields in alphabetical order, as in `MessageOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReactionOut {
    pub count: usize,
    pub emoji: String,
    pub users: Vec<Author>,
}

impl ReactionOut {
    pub fn all(groups: &[ReactionGroup]) -> Vec<Self> {
        groups
            .iter()
            .map(|group| Self {
                count: group.people.len(),
                emoji: group.emoji.as_str().to_owned(),
                users: group.people.iter().map(Author::from).collect(),
            })
            .collect()
    }
}

impl From<&Writer> for Author {
    fn from(author: &Writer) -> Self {
        Self {
            display_name: author.display_name.clone(),
            id: author.id.0,
            username: author.username.clone(),
        }
    }
}

impl MessageOut {
    /// `message` of the room `room_name`, whose opened text is `text`.
    pub fn new(room_name: &str, message: &StoredMessage, text: MessageText) -> Self {
        Self {
            author: message.author.as_ref().map(Author::from),
            body: text.words,
            created: message.created,
            edited: message.edited,
            file: message.file.as_ref().map(file_url),
            group: room_name.to_owned(),
            html: text.html,
            id: message.id.0,
            mentions: message.mentions.iter().map(Author::from).collect(),
            quote: text.quote.map(|quote| QuoteOut {
                author: quote.author.as_ref().map(Author::from),
                excerpt: quote.excerpt,
            }),
            reactions: ReactionOut::all(&message.reactions),
            reply_to: message.reply.as_ref().map(|reply| reply.id.0),
        }
    }
}

/// The message object for `message` of `room_name` with its opened `text`; the JSON
/// WebSocket's events carry it as their `message`.
pub fn message_json(room_name: &str, message: &StoredMessage, text: &MessageText) -> MessageOut {
    MessageOut::new(room_name, message, text.clone())
}

/// Times as the rest of the site writes them (`view::iso`: milliseconds, `Z`), not
/// chrono's default, which varies its precision with the value.
fn iso_time<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&iso(*time))
}

fn iso_time_or_null<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => iso_time(time, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::domain::{FileId, FileRef, MessageId, RoomId, Sealed, SealedBody, UserId};

    fn stored(author: Option<Writer>, file: Option<FileRef>) -> StoredMessage {
        let created = Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 5).single();
        StoredMessage {
            id: MessageId(41),
            room: RoomId(3),
            author,
            body: SealedBody {
                sealed: Sealed("sealed".into()),
                format: 1,
            },
            created: created.unwrap_or_default(),
            edited: created.map(|t| t + chrono::Duration::milliseconds(1_250)),
            file,
            reactions: Vec::new(),
            reply: None,
            mentions: Vec::new(),
        }
    }

    /// What `message_json` wrote before it was typed, kept here to compare against.
    fn as_json_map(room_name: &str, message: &StoredMessage, text: &MessageText) -> String {
        let author = message
            .author
            .as_ref()
            .map(|a| json!({ "id": a.id, "username": a.username, "display_name": a.display_name }));
        json!({
            "id": message.id,
            "group": room_name,
            "author": author,
            "body": text.words,
            "html": text.html,
            "mentions": [],
            "quote": null,
            "reactions": [],
            "reply_to": null,
            "file": message.file.as_ref().map(file_url),
            "created": iso(message.created),
            "edited": message.edited.map(iso),
        })
        .to_string()
    }

    #[test]
    fn message_object_writes_the_same_bytes_as_the_json_map_it_replaced() {
        let ann = Writer {
            id: UserId(7),
            username: "ann".into(),
            display_name: "Ann \"A\" Lee".into(),
            avatar: None,
        };
        let file = FileRef {
            id: FileId(5),
            room: RoomId(3),
            room_name: "g-1".into(),
            name: "a.png".into(),
            mime: "image/png".into(),
            size: 10,
            has_thumb: false,
        };
        for message in [stored(Some(ann), Some(file)), stored(None, None)] {
            let text = MessageText::rendered("hi <b>".into());
            let typed = serde_json::to_string(&message_json("g-1", &message, &text));
            assert_eq!(
                typed.ok(),
                Some(as_json_map("g-1", &message, &text)),
                "{message:?}"
            );
        }
    }
}
