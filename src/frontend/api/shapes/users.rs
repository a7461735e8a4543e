//! `/api/users/`: an account's public fields, and one's own email.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::pages::Page;
use crate::domain::{User, UserId};
use crate::frontend::present::media::avatar_url;

/// An account's public fields; `email` only in one's own detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    id: i64,
    username: String,
    display_name: String,
    /// The avatar's URL, or null.
    #[schema(required = true)]
    avatar: Option<String>,
    date_joined: DateTime<Utc>,
    /// Only when the account is the caller's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

impl UserOut {
    /// The public fields; `email` only when `viewer` is the account itself, so another
    /// person's address cannot leak through any answer built here.
    pub fn of(user: User, viewer: UserId) -> Self {
        let own = user.id == viewer;
        Self {
            id: user.id.0,
            username: user.username,
            display_name: user.display_name,
            avatar: user.avatar.as_deref().map(avatar_url),
            date_joined: user.created,
            email: own.then_some(user.email),
        }
    }
}

// DRF's page-number envelope of accounts. A newtype only to name `Page<UserOut>` in the
// document; no `///`, which utoipa would wrap with the inlined page in an `allOf`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct UserPage(#[schema(inline)] pub Page<UserOut>);
