//! How much of a room reaches a person who is not looking at it.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// A person's notification level for one room, as Campfire has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationLevel {
    /// Every message from someone else.
    Everything,
    /// Messages that mention them, and every message of a private (1:1) chat.
    #[default]
    Mentions,
    /// None at all.
    Nothing,
}

impl NotificationLevel {
    pub const ALL: [Self; 3] = [Self::Everything, Self::Mentions, Self::Nothing];

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "everything" => Ok(Self::Everything),
            "mentions" => Ok(Self::Mentions),
            "nothing" => Ok(Self::Nothing),
            _ => Err(Invalid::new("Choose everything, mentions or nothing.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everything => "everything",
            Self::Mentions => "mentions",
            Self::Nothing => "nothing",
        }
    }

    /// What the choice is called where a person picks it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Everything => "Everything",
            Self::Mentions => "Mentions and DMs",
            Self::Nothing => "Nothing",
        }
    }

    /// Whether a message from someone else reaches the person: `private` for a 1:1 chat,
    /// `mentioned` when it names them.
    pub fn wants(self, private: bool, mentioned: bool) -> bool {
        match self {
            Self::Everything => true,
            Self::Mentions => private || mentioned,
            Self::Nothing => false,
        }
    }
}

/// What a person chose about mail for what they missed, and when they were last mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreferences {
    /// Mail about mentions and DMs still unread (on unless turned off).
    pub email_missed: bool,
    /// Put the messages' words in that mail (off unless turned on: bodies are encrypted at
    /// rest, and a mail carries them out in clear).
    pub email_text: bool,
    pub last_emailed: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for MailPreferences {
    fn default() -> Self {
        Self {
            email_missed: true,
            email_text: false,
            last_emailed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationLevel::{self, *};

    #[test]
    fn each_level_parses_from_its_own_name_only() {
        for level in NotificationLevel::ALL {
            assert_eq!(NotificationLevel::parse(level.as_str()), Ok(level));
        }
        for bad in ["", "all", "Everything", "mentions;drop", "none"] {
            assert!(NotificationLevel::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_default_reaches_mentions_and_private_chats_only() {
        let level = NotificationLevel::default();
        assert!(level.wants(true, false));
        assert!(level.wants(false, true));
        assert!(!level.wants(false, false));
        assert!(Everything.wants(false, false));
        assert!(!Nothing.wants(true, true));
    }
}
