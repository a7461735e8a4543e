//! The audit log: what admins did and what security events happened. Append-only: the
//! trait has no way to change or remove an entry.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StorageResult;
use crate::domain::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    /// Something an admin did from the admin pages or the command line.
    Admin,
    /// Failed log-ins, lock-outs, key rotation and the like.
    Security,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Security => "security",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Self::Admin),
            "security" => Some(Self::Security),
            _ => None,
        }
    }
}

/// An entry to append. `action` is a short dotted name (`user.deactivate`, `login.failed`);
/// `actor_name` is kept as written so the entry survives the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub kind: AuditKind,
    pub action: String,
    pub actor: Option<UserId>,
    pub actor_name: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub entry: NewAuditEntry,
}

/// Which entries to list; every part left `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    /// Entries whose action starts with this.
    pub action_prefix: Option<String>,
    /// Entries whose actor name, target or detail contains this (any case).
    pub text: Option<String>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one entry, stamped now.
    async fn audit_append(&self, entry: NewAuditEntry) -> StorageResult<()>;
    /// Up to `limit` entries matching `filter` with an id below `before` (all when `None`),
    /// newest first.
    async fn audit_list(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u64,
    ) -> StorageResult<Vec<AuditEntry>>;
}
