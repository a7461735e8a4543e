//! Posting, editing and deleting messages, the one way every entrance (WebSocket, REST)
//! does it: validate, seal, store, then render once and fan out to the room's sockets.

use crate::domain::{MessageBody, MessageId, NewMessage, Room, RoomKind, StoredMessage, User};
use crate::frontend::pages::view::MessageView;
use crate::frontend::state::AppState;
use crate::frontend::ws::{render_activity, render_deleted, render_edited, render_message};
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
    deliver_new(state, room, &stored, &view).await;
    Ok((stored, view))
}

/// Delivers a stored new message live: to the room's sockets, and as a notice to its
/// members' sockets elsewhere (their sidebars). The member ids come from storage's
/// remembered member lists, not a query per message; the public room has no members and
/// no notices. Stored
/// already: a failure here only costs live delivery, which a reload repairs.
pub async fn deliver_new(
    state: &AppState,
    room: &Room,
    stored: &StoredMessage,
    view: &MessageView,
) {
    match render_message(&state.templates, room.name.as_str(), stored, view) {
        Ok(event) => state.hub.publish(room.id, event),
        Err(e) => tracing::error!(error = %e, "message fragment failed to render"),
    }
    if room.kind == RoomKind::Public {
        return;
    }
    match state.storage.member_ids(room.id).await {
        Ok(members) => state.hub.notify(
            &members,
            render_activity(&state.templates, room.id, room.name.as_str(), stored),
        ),
        Err(e) => tracing::error!(error = %e, "members not read for notices"),
    }
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
