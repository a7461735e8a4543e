//! `/api/groups/{id}/messages/`: the message object (the one the JSON WebSocket sends too,
//! so it lives in `frontend::present::wire`), its page and the body that posts one.

use serde::Serialize;
use utoipa::ToSchema;

use super::pages::CursorPage;
use crate::domain::{MessageId, ReactionGroup};
pub use crate::frontend::present::wire::{Author, MessageOut, QuoteOut, ReactionOut};

// DRF's cursor envelope of messages, named for the document like `UserPage`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct MessagePage(#[schema(inline)] pub CursorPage<MessageOut>);

/// `POST /api/groups/{id}/messages/`'s body. The handler reads the JSON field by field
/// (for DRF's per-field errors) into this type.
#[derive(Debug, ToSchema)]
pub struct MessageCreate {
    /// Up to 10,000 characters.
    pub body: String,
    /// The id of a message of the same group this one answers.
    #[schema(nullable = false)]
    pub reply_to: Option<i64>,
}

/// `POST /api/groups/{id}/messages/{msg_id}/reactions/`'s body.
#[derive(Debug, ToSchema)]
pub struct ReactionCreate {
    /// One emoji, e.g. "👍" (skin tones allowed).
    pub emoji: String,
}

/// A message's reactions, in the order the emoji were first used.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionsOut {
    /// The message's id.
    pub message: i64,
    pub reactions: Vec<ReactionOut>,
}

impl ReactionsOut {
    pub fn new(message: MessageId, groups: &[ReactionGroup]) -> Self {
        Self {
            message: message.0,
            reactions: ReactionOut::all(groups),
        }
    }
}
