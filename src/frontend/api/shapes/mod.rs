//! The JSON shapes of `/api`: one Rust type per object a client sees or sends. Handlers
//! build and serialise exactly these types, and `openapi` describes the same types, so the
//! document cannot drift from the answers. Nothing here knows about requests or storage
//! beyond turning a domain value into its shape.
//!
//! The message object is `frontend::present::wire::MessageOut`, shared with the JSON WebSocket.

pub mod errors;
pub mod groups;
pub mod messages;
pub mod pages;
pub mod tokens;
pub mod users;

pub use errors::{ErrorDetail, FieldErrors};
pub use groups::{GroupCreate, GroupKind, GroupOut, GroupPage, GroupUpdate};
pub use messages::{
    Author, MessageCreate, MessageOut, MessagePage, QuoteOut, ReactionCreate, ReactionOut,
    ReactionsOut,
};
pub use pages::{CursorPage, Page};
pub use tokens::{RefreshRequest, TokenPair, TokenRequest};
pub use users::{UserOut, UserPage};
