//! `/api/groups/{id}/messages/`: the message object (the one the JSON WebSocket sends too,
//! so it lives in `frontend::present::wire`), its page and the body that posts one.

use serde::Serialize;
use utoipa::ToSchema;

use super::pages::CursorPage;
pub use crate::frontend::present::wire::{Author, MessageOut};

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
}
