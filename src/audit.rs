//! Writing the audit log, from request handlers, key rotation and the CLI alike. An entry that cannot be written is logged
//! and the action goes on: the audit log records actions, it does not gate them.

use crate::domain::User;
use crate::storage::Storage;
use crate::storage::audit::{AuditKind, NewAuditEntry};

/// Something an admin did: `action` like `user.deactivate`, `target` what it was done to.
pub fn admin_action(
    actor: &User,
    action: &str,
    target: impl Into<String>,
    detail: impl Into<String>,
    ip: impl ToString,
) -> NewAuditEntry {
    NewAuditEntry {
        kind: AuditKind::Admin,
        action: action.to_owned(),
        actor: Some(actor.id),
        actor_name: actor.username.to_string(),
        target: target.into(),
        detail: detail.into(),
        ip: ip.to_string(),
    }
}

/// A security event: `action` like `login.failed`; `actor` whoever it concerns, if known.
pub fn security_event(
    action: &str,
    actor: Option<&User>,
    target: impl Into<String>,
    detail: impl Into<String>,
    ip: impl ToString,
) -> NewAuditEntry {
    NewAuditEntry {
        kind: AuditKind::Security,
        action: action.to_owned(),
        actor: actor.map(|user| user.id),
        actor_name: actor
            .map(|user| user.username.to_string())
            .unwrap_or_default(),
        target: target.into(),
        detail: detail.into(),
        ip: ip.to_string(),
    }
}

/// Appends `entry`; a failure is logged, never returned.
pub async fn append(storage: &dyn Storage, entry: NewAuditEntry) {
    let action = entry.action.clone();
    if let Err(error) = storage.audit_append(entry).await {
        tracing::error!(%action, %error, "audit log entry could not be written");
    }
}
