//! What a person says about themselves: a display name and a short bio.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// Shown instead of the username when set: at most 50 characters, no control characters.
/// Empty means "use the username".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "Ensure this field has no more than {} characters.",
                Self::MAX_CHARS
            )));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid::new(
                "A display name cannot contain control characters.",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Up to 500 characters; line breaks allowed, other control characters not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bio(String);

impl Bio {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim().replace("\r\n", "\n");
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "Ensure this field has no more than {} characters.",
                Self::MAX_CHARS
            )));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(Invalid::new("The bio cannot contain control characters."));
        }
        Ok(Self(trimmed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A profile edit, already validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    pub display_name: DisplayName,
    pub bio: Bio,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            DisplayName::parse("  Ada L.  ").map(|d| d.0),
            Ok("Ada L.".into())
        );
        assert!(DisplayName::parse("").is_ok_and(|d| d.0.is_empty()));
        assert!(DisplayName::parse(&"é".repeat(50)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(51)).is_err());
        assert!(DisplayName::parse("bell\u{7}").is_err());
    }

    #[test]
    fn bios_keep_line_breaks_but_no_other_controls() {
        assert_eq!(Bio::parse("one\r\ntwo").map(|b| b.0), Ok("one\ntwo".into()));
        assert!(Bio::parse(&"b".repeat(501)).is_err());
        assert!(Bio::parse("esc\u{1b}[31m").is_err());
    }
}
