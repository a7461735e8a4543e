//! Who may sign up: the site's policy (open, closed, invite only), the first account that
//! becomes the admin, and invite links, which storage knows only by their SHA-256.

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::Chat;
use crate::frontend::error::AppError;
use crate::storage::StorageError;
use crate::storage::site::{InviteStatus, RegistrationPolicy};

/// The SHA-256 of an invite token, hex: what storage keeps and looks up.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What the sign-up page may do for this visitor under the current policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupGate {
    /// No admin yet: the first account signs up whatever the policy, and runs the place.
    FirstAdmin,
    Open,
    /// Invite only, with this live invite's token hash; the use is counted on creation.
    Invite(String),
    /// Refused, with a message fit to show.
    Refused(&'static str),
}

pub const CLOSED: &str = "Registration is closed on this Hearth. Ask an admin for an account.";
pub const INVITE_NEEDED: &str =
    "Signing up on this Hearth needs an invite link. Ask an admin for one.";
pub const INVITE_UNKNOWN: &str = "This invite link is not valid. Check that you copied all of it.";
pub const INVITE_REVOKED: &str = "This invite link has been revoked.";
pub const INVITE_EXPIRED: &str = "This invite link has expired.";
pub const INVITE_USED_UP: &str =
    "This invite link has already been used as many times as it allows.";

impl Chat {
    /// Decides [`SignupGate`] from the policy, whether an admin exists, and the invite token.
    pub async fn signup_gate(&self, invite: Option<&str>) -> Result<SignupGate, AppError> {
        if !self.storage.has_admin().await? {
            return Ok(SignupGate::FirstAdmin);
        }
        match self.storage.registration_policy().await? {
            RegistrationPolicy::Open => Ok(SignupGate::Open),
            RegistrationPolicy::Closed => Ok(SignupGate::Refused(CLOSED)),
            RegistrationPolicy::Invite => {
                let Some(token) = invite.map(str::trim).filter(|t| !t.is_empty()) else {
                    return Ok(SignupGate::Refused(INVITE_NEEDED));
                };
                let hash = hash_token(token);
                let found = match self.storage.invite_by_hash(&hash).await {
                    Ok(found) => found,
                    Err(StorageError::NotFound) => return Ok(SignupGate::Refused(INVITE_UNKNOWN)),
                    Err(e) => return Err(e.into()),
                };
                Ok(match found.status(Utc::now()) {
                    InviteStatus::Live => SignupGate::Invite(hash),
                    InviteStatus::Revoked => SignupGate::Refused(INVITE_REVOKED),
                    InviteStatus::Expired => SignupGate::Refused(INVITE_EXPIRED),
                    InviteStatus::UsedUp => SignupGate::Refused(INVITE_USED_UP),
                })
            }
        }
    }

    /// Why a live-looking invite failed at creation time (it was spent or revoked meanwhile).
    pub async fn invite_refusal(&self, hash: &str) -> &'static str {
        match self.storage.invite_by_hash(hash).await {
            Ok(found) => match found.status(Utc::now()) {
                InviteStatus::Revoked => INVITE_REVOKED,
                InviteStatus::Expired => INVITE_EXPIRED,
                InviteStatus::UsedUp | InviteStatus::Live => INVITE_USED_UP,
            },
            Err(_) => INVITE_UNKNOWN,
        }
    }
}
