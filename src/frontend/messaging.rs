//! Posting, editing and deleting messages, the one way every entrance (WebSocket, REST)
//! does it: validate, seal, store, then render once and fan out to the room's sockets.

use crate::domain::{MessageBody, MessageId, NewMessage, Room, StoredMessage, User};
use crate::frontend::outbox::{Delivery, Posted, Submitted};
use crate::frontend::pages::view::MessageView;
use crate::frontend::state::AppState;
use crate::frontend::ws::{render_deleted, render_edited};
use crate::storage::StorageError;

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
) -> Result<Posted, PostError> {
    queue_post(state, room, author, raw)
        .await?
        .committed()
        .await
}

/// A message queued for storage, behind everything queued before it.
pub struct QueuedPost(Submitted);

impl QueuedPost {
    /// The stored message and its plaintext view, once committed.
    pub async fn committed(self) -> Result<Posted, PostError> {
        self.0.committed().await.map_err(not_stored)
    }
}

/// Validates and seals `raw` and queues it as `author`'s message in `room`; returns once
/// it is queued, not stored. Nothing is queued when the body is refused.
pub async fn queue_post(
    state: &AppState,
    room: &Room,
    author: &User,
    raw: &str,
) -> Result<QueuedPost, PostError> {
    let body = MessageBody::parse(raw).map_err(|e| PostError::Invalid(e.0))?;
    let new = NewMessage {
        room: room.id,
        author: author.id,
        body: state.sealer.seal(body.as_str().as_bytes()),
    };
    state
        .outbox
        .submit(room, new, body.as_str().to_owned())
        .await
        .map(QueuedPost)
        .map_err(not_stored)
}

fn not_stored(error: StorageError) -> PostError {
    tracing::error!(%error, "message not stored");
    PostError::NotStored
}

/// Delivers a message stored outside the outbox (a file's) live: to the room's sockets,
/// and as a notice to its members' sockets elsewhere. Stored already: a failure here only
/// costs live delivery, which a reload repairs.
pub async fn deliver_new(
    state: &AppState,
    room: &Room,
    stored: &StoredMessage,
    view: &MessageView,
) {
    let delivery = Delivery::of(state);
    delivery.publish_new(room, &[(stored, view)]);
    delivery.notify_new(room, std::iter::once(stored)).await;
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The new body was refused; the text is fit to show. Nothing changed.
    #[error("{0}")]
    Invalid(String),
    /// No such message in this room that this person may change. Someone else's message
    /// answers the same, so its existence does not leak. Nothing changed.
    #[error("no such message")]
    NotFound,
    /// Storage failed; nothing is known to have changed.
    #[error("the change could not be saved")]
    NotStored,
}

impl From<StorageError> for ChangeError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => Self::NotFound,
            other => {
                tracing::error!(error = %other, "message change not stored");
                Self::NotStored
            }
        }
    }
}

/// Replaces the body of `editor`'s own message `id` in `room` with `raw` (validated like a
/// new message), marks it edited and delivers the change live. `NotFound` for a message
/// that is missing, elsewhere, or someone else's.
pub async fn edit_message(
    state: &AppState,
    room: &Room,
    editor: &User,
    id: MessageId,
    raw: &str,
) -> Result<(StoredMessage, MessageView), ChangeError> {
    let body = MessageBody::parse(raw).map_err(|e| ChangeError::Invalid(e.0))?;
    let sealed = state.sealer.seal(body.as_str().as_bytes());
    let stored = state
        .storage
        .edit_message(room.id, id, editor.id, sealed)
        .await?;
    let view = MessageView::new(&stored, body.as_str().to_owned());
    match render_edited(&state.templates, room.name.as_str(), &stored, &view) {
        Ok(event) => state.hub.publish(room.id, event),
        Err(e) => tracing::error!(error = %e, "edited message failed to render"),
    }
    Ok((stored, view))
}

/// Deletes message `id` of `room` for good and tells the room. Its author may delete it,
/// and so may the room's admin; anyone else gets `NotFound`, as for a missing message.
pub async fn delete_message(
    state: &AppState,
    room: &Room,
    deleter: &User,
    id: MessageId,
) -> Result<(), ChangeError> {
    let message = state.storage.message_by_id(room.id, id).await?;
    let own = message.author.as_ref().is_some_and(|a| a.id == deleter.id);
    if !own && room.admin != Some(deleter.id) {
        return Err(ChangeError::NotFound);
    }
    remove_message(state, room, id).await
}

/// Moderation by a site admin: deletes message `id` of `room` for good, whoever wrote it,
/// and tells the room, as [`delete_message`] does. `NotFound` when missing or elsewhere.
/// The caller has already checked that the deleter is a site admin.
pub async fn moderate_message(
    state: &AppState,
    room: &Room,
    id: MessageId,
) -> Result<(), ChangeError> {
    remove_message(state, room, id).await
}

async fn remove_message(state: &AppState, room: &Room, id: MessageId) -> Result<(), ChangeError> {
    state.storage.delete_message(room.id, id).await?;
    state.hub.publish(room.id, render_deleted(id));
    Ok(())
}
