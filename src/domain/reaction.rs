//! Reactions: one emoji from one person on one message.

use serde::{Deserialize, Serialize};

use super::{Author, Invalid};

/// How many different emoji one message may carry; past it, a new one is refused (an
/// existing one can still be added to). Bounds what a flood of reactions can store.
pub const MAX_REACTION_KINDS: usize = 20;

/// One emoji as Unicode lists it, skin tones included: never text, never two.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Emoji(String);

impl Emoji {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        match emojis::get(trimmed) {
            Some(emoji) => Ok(Self(emoji.as_str().to_owned())),
            None => Err(Invalid::new("Enter one emoji.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everyone who reacted to a message with one emoji, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionGroup {
    pub emoji: Emoji,
    pub people: Vec<Author>,
}

/// What adding or removing a reaction did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reacted {
    /// False when there was nothing to do (already there, or already gone).
    pub changed: bool,
    /// The message's reactions afterwards, in the order the emoji were first used.
    pub reactions: Vec<ReactionGroup>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_emoji_is_a_reaction() {
        for ok in ["👍", " 🔥 ", "👍🏽", "❤️", "🏳️‍🌈"] {
            assert!(Emoji::parse(ok).is_ok(), "{ok:?}");
        }
        for refused in ["", "x", "👍👍", ":+1:", "<b>", "👍 ok", "\u{200d}"] {
            assert!(Emoji::parse(refused).is_err(), "{refused:?}");
        }
    }
}
