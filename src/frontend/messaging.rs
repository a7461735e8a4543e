//! Posting a message, the one way every entrance (WebSocket, REST) does it: validate,
//! seal, store, then render once and fan out to the room's sockets.

use crate::domain::{MessageBody, NewMessage, Room, StoredMessage, User};
use crate::frontend::pages::view::MessageView;
use crate::frontend::state::AppState;
use crate::frontend::ws::render_message;

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The body was refused; the text is fit to show.
    #[error("{0}")]
    Invalid(String),
    /// Storage failed; nothing was stored.
    #[error("the message could not be saved")]
    NotStored,
}

/// Stores `raw` as `author`'s message in `room` and delivers it live. Returns the stored
/// message and its plaintext view. Nothing is stored when the body is refused.
pub async fn post_message(
    state: &AppState,
    room: &Room,
    author: &User,
    raw: &str,
) -> Result<(StoredMessage, MessageView), PostError> {
    let body = MessageBody::parse(raw).map_err(|e| PostError::Invalid(e.0))?;
    let new = NewMessage {
        room: room.id,
        author: author.id,
        body: state.sealer.seal(body.as_str().as_bytes()),
    };
    let stored = state.storage.append_message(new).await.map_err(|e| {
        tracing::error!(error = %e, "message not stored");
        PostError::NotStored
    })?;
    let view = MessageView::new(&stored, body.as_str().to_owned());
    // Stored already: a render failure only costs live delivery, which a reload repairs.
    match render_message(&state.templates, room.name.as_str(), &stored, &view) {
        Ok(event) => state.hub.publish(room.id, event),
        Err(e) => tracing::error!(error = %e, "message fragment failed to render"),
    }
    Ok((stored, view))
}
