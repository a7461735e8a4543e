//! What templates see: plain serialisable views of domain records, built in one place.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{Author, MessageId, ReactionGroup, StoredMessage, User};

/// Tailwind classes for initials avatars; listed here in full so Tailwind's scan finds them.
const AVATAR_COLOURS: [&str; 8] = [
    "bg-orange-500",
    "bg-amber-600",
    "bg-emerald-600",
    "bg-teal-600",
    "bg-sky-600",
    "bg-indigo-500",
    "bg-fuchsia-600",
    "bg-rose-500",
];

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub initials: String,
    pub colour: &'static str,
    /// The uploaded avatar's URL; `None` shows the initials.
    pub avatar: Option<String>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        let mut view = Self::new(user.id.0, &user.username, user.shown_name());
        view.avatar = user.avatar.as_deref().map(super::media::avatar_url);
        view
    }
}

impl UserView {
    pub fn new(id: i64, username: &str, name: &str) -> Self {
        let initials: String = name
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter_map(|part| part.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        let hash = username
            .bytes()
            .fold(0usize, |acc, b| acc.wrapping_mul(31).wrapping_add(b.into()));
        Self {
            id,
            username: username.to_owned(),
            name: name.to_owned(),
            initials,
            colour: AVATAR_COLOURS[hash % AVATAR_COLOURS.len()],
            avatar: None,
        }
    }

    fn deleted() -> Self {
        Self::new(0, "", "deleted user")
    }
}

/// A message opened: the words as typed, the sanitised HTML they render to, and what it
/// quotes of the message it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageText {
    pub words: String,
    /// Sanitised by [`super::markdown::to_html`]: safe to put in a page as is.
    pub html: String,
    pub quote: Option<Quote>,
}

impl MessageText {
    /// `words` with HTML rendered now.
    pub fn rendered(words: String) -> Self {
        let html = super::markdown::to_html(&words);
        Self {
            words,
            html,
            quote: None,
        }
    }
}

/// What a reply shows of the message it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub id: i64,
    /// Who wrote the original; `None` once it is deleted, or its author is.
    pub author: Option<Author>,
    /// The name shown: the author's, "deleted user", or nothing once the original is gone.
    pub name: Option<String>,
    /// The start of the original's words on one line; `None` once it is deleted.
    pub excerpt: Option<String>,
}

impl Quote {
    /// How much of the original a reply shows.
    pub const EXCERPT_CHARS: usize = 120;

    /// The quote of original `id`, whose author and words are given while it exists.
    pub fn new(id: MessageId, original: Option<(Option<&Author>, &str)>) -> Self {
        let Some((author, words)) = original else {
            return Self {
                id: id.0,
                author: None,
                name: None,
                excerpt: None,
            };
        };
        let flat = words.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut excerpt: String = flat.chars().take(Self::EXCERPT_CHARS).collect();
        if flat.chars().count() > Self::EXCERPT_CHARS {
            excerpt.push('…');
        }
        Self {
            id: id.0,
            author: author.cloned(),
            name: Some(author.map_or("deleted user", Author::shown_name).to_owned()),
            excerpt: Some(excerpt),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub author: UserView,
    pub text: MessageText,
    /// ISO 8601, for `<time datetime>`.
    pub created: String,
    /// HH:MM UTC, shown until the page's script localises it.
    pub time: String,
    pub edited: bool,
    pub file: Option<super::media::FileView>,
    pub reactions: Vec<ReactionView>,
}

/// One emoji's reactions on a message, as the page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct ReactionView {
    pub emoji: String,
    pub count: usize,
    /// Who reacted, by username, space-separated and space-padded, so app.js can find the
    /// viewer's own with one `includes(' name ')`.
    pub users: String,
    /// Who reacted, by the names people go by, for the hover text.
    pub names: String,
}

impl ReactionView {
    pub fn all(groups: &[ReactionGroup]) -> Vec<Self> {
        groups
            .iter()
            .map(|group| {
                let mut users = String::from(" ");
                for person in &group.people {
                    users.push_str(&person.username);
                    users.push(' ');
                }
                let names: Vec<&str> = group.people.iter().map(Author::shown_name).collect();
                Self {
                    emoji: group.emoji.as_str().to_owned(),
                    count: group.people.len(),
                    users,
                    names: names.join(", "),
                }
            })
            .collect()
    }
}

impl MessageView {
    pub fn new(message: &StoredMessage, text: MessageText) -> Self {
        let author = message
            .author
            .as_ref()
            .map(|a| {
                let mut view = UserView::new(a.id.0, &a.username, a.shown_name());
                view.avatar = a.avatar.as_deref().map(super::media::avatar_url);
                view
            })
            .unwrap_or_else(UserView::deleted);
        Self {
            id: message.id.0,
            author,
            text,
            created: iso(message.created),
            time: message.created.format("%H:%M").to_string(),
            edited: message.edited.is_some(),
            file: message.file.as_ref().map(super::media::FileView::from),
            reactions: ReactionView::all(&message.reactions),
        }
    }
}

pub fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The page that shows `room`: the public room is the chat's home.
pub fn room_page(room: &crate::domain::Room) -> String {
    match room.kind {
        crate::domain::RoomKind::Public => "/chat/".to_owned(),
        _ => format!("/chat/room/{}/", room.name.as_str()),
    }
}
