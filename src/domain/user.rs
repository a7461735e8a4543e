//! People: their id, their validated username and email, and the stored account record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// 3–30 characters of `a-z 0-9 _ -`. Kept as typed (lower case is enforced), so the
/// case-insensitive uniqueness key is the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let candidate = raw.trim().to_ascii_lowercase();
        let length = candidate.chars().count();
        if !(3..=30).contains(&length) {
            return Err(Invalid::new("Username must be 3 to 30 characters long."));
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if !candidate.chars().all(allowed) {
            return Err(Invalid::new(
                "Username may contain only letters a-z, digits, underscores and hyphens.",
            ));
        }
        Ok(Self(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A syntactically plausible address (one `@`, a dotted domain, no spaces, ≤ 254 chars).
/// Whether it receives mail is what verification is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let candidate = raw.trim();
        let refuse = || Invalid::new("Enter a valid email address.");
        if candidate.len() > 254
            || candidate
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refuse());
        }
        let (local, domain) = candidate.split_once('@').ok_or_else(refuse)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(refuse());
        }
        // The domain part is case-insensitive everywhere; the local part is kept as typed.
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes addresses unique regardless of case.
    pub fn uniqueness_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// What storage needs to create an account; the hash is already argon2id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub password_hash: String,
    pub is_admin: bool,
}

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub bio: String,
    pub avatar: Option<String>,
    pub is_admin: bool,
    pub is_active: bool,
    pub email_verified: bool,
    pub created: DateTime<Utc>,
}

impl User {
    /// The name to show: the display name when set, else the username.
    pub fn shown_name(&self) -> &str {
        shown_name(self.username.as_str(), &self.display_name)
    }
}

/// The name someone goes by: their display name, or their username when it is blank.
pub fn shown_name<'a>(username: &'a str, display_name: &'a str) -> &'a str {
    if display_name.trim().is_empty() {
        username
    } else {
        display_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_restricted() {
        assert_eq!(
            Username::parse(" Alice_01 ").map(|u| u.0),
            Ok("alice_01".to_owned())
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(31)).is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("alïce").is_err());
        assert!(Username::parse("<script>").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("a@example.org").is_ok());
        assert!(Email::parse("A@Example.ORG").is_ok_and(|e| e.as_str() == "A@example.org"));
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b..c",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
