//! Posting, editing, deleting and opening messages, the one way every entrance (WebSocket,
//! REST, pages, admin) does it: validate, seal, store, then render once and fan out to the
//! room's sockets.

use super::outbox::{Posted, Submitted};
use super::{Chat, bodies};
use crate::domain::{
    MessageBody, MessageId, NewMessage, ReplyRef, Room, SealedBody, StoredMessage, User,
};
use crate::frontend::present::events::{render_deleted, render_edited};
use crate::frontend::present::view::{MessageText, MessageView, Quote};
use crate::storage::StorageError;

/// What a message that does not open with any key shows instead of its words.
pub const UNREADABLE: &str = "[this message cannot be opened with the current keys]";

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The body was refused; the text is fit to show.
    #[error("{0}")]
    Invalid(String),
    /// The message to answer is not one of this room's; the text is fit to show.
    #[error("{0}")]
    Reply(String),
    /// Storage failed; nothing was stored.
    #[error("the message could not be saved")]
    NotStored,
}

/// A message queued for storage, behind everything queued before it.
pub struct QueuedPost(Submitted);

impl QueuedPost {
    /// The stored message and its plaintext view, once committed.
    pub async fn committed(self) -> Result<Posted, PostError> {
        self.0.committed().await.map_err(not_stored)
    }
}

fn not_stored(error: StorageError) -> PostError {
    tracing::error!(%error, "message not stored");
    PostError::NotStored
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

impl Chat {
    /// A stored message unsealed and ready to show: the one way every entrance opens one.
    /// A message that opens with no key (its key was lost) is logged and shows
    /// [`UNREADABLE`], so one such row never hides the rest of a room.
    pub fn open(&self, message: &StoredMessage) -> MessageView {
        MessageView::new(message, self.open_text(message))
    }

    /// Only the words, HTML and quote of [`Self::open`], for callers that show no page
    /// view (the API).
    pub fn open_text(&self, message: &StoredMessage) -> MessageText {
        let mut text = self.open_body(message.id, &message.body);
        text.quote = message.reply.as_ref().map(|reply| self.quote(reply));
        text
    }

    fn open_body(&self, id: MessageId, body: &SealedBody) -> MessageText {
        bodies::open(&self.sealer, body).unwrap_or_else(|error| {
            tracing::error!(message = id.0, %error, "stored message does not open with any key");
            MessageText::rendered(UNREADABLE.to_owned())
        })
    }

    /// What a reply shows of `reply`'s original.
    fn quote(&self, reply: &ReplyRef) -> Quote {
        let original = reply.original.as_ref().map(|original| {
            let words = self.open_body(reply.id, &original.body).words;
            (original.author.as_ref(), words)
        });
        Quote::new(
            reply.id,
            original
                .as_ref()
                .map(|(author, words)| (*author, words.as_str())),
        )
    }

    /// [`Self::open`] for several, in the order given.
    pub fn open_all<'a>(
        &self,
        messages: impl IntoIterator<Item = &'a StoredMessage>,
    ) -> Vec<MessageView> {
        messages.into_iter().map(|m| self.open(m)).collect()
    }

    /// Stores `raw` as `author`'s message in `room` and delivers it live. Returns the
    /// stored message and its plaintext view. Nothing is stored when the body is refused.
    pub async fn post_message(
        &self,
        room: &Room,
        author: &User,
        raw: &str,
        reply_to: Option<MessageId>,
    ) -> Result<Posted, PostError> {
        self.queue_post(room, author, raw, reply_to)
            .await?
            .committed()
            .await
    }

    /// Validates and seals `raw` and queues it as `author`'s message in `room`, answering
    /// message `reply_to` of the same room if given; returns once it is queued, not
    /// stored. Nothing is queued when the body or the message to answer is refused.
    pub async fn queue_post(
        &self,
        room: &Room,
        author: &User,
        raw: &str,
        reply_to: Option<MessageId>,
    ) -> Result<QueuedPost, PostError> {
        let body = MessageBody::parse(raw).map_err(|e| PostError::Invalid(e.0))?;
        let quote = match reply_to {
            Some(id) => Some(self.quote_for_reply(room, id).await?),
            None => None,
        };
        let names = self
            .mentionable(room, author, body.as_str())
            .await
            .map_err(not_stored)?;
        let (sealed, mut text, mentioned) =
            bodies::seal(&self.sealer, body.as_str(), &|name| names.allows(name));
        text.quote = quote;
        let new = NewMessage {
            room: room.id,
            author: author.id,
            body: sealed,
            reply_to,
            mentions: names.people(&mentioned, author.id),
        };
        self.outbox
            .submit(room, new, text)
            .await
            .map(QueuedPost)
            .map_err(not_stored)
    }

    /// The quote of message `id` of `room`, which a new message is to answer.
    async fn quote_for_reply(&self, room: &Room, id: MessageId) -> Result<Quote, PostError> {
        let original =
            self.storage
                .message_by_id(room.id, id)
                .await
                .map_err(|error| match error {
                    StorageError::NotFound => {
                        PostError::Reply("No such message in this room to reply to.".into())
                    }
                    other => not_stored(other),
                })?;
        let words = self.open_body(original.id, &original.body).words;
        Ok(Quote::new(id, Some((original.author.as_ref(), &words))))
    }

    /// Delivers a message stored outside the outbox (a file's) live: to the room's
    /// sockets, and as a notice to its members' sockets elsewhere. Stored already: a
    /// failure here only costs live delivery, which a reload repairs.
    pub async fn deliver_new(&self, room: &Room, stored: &StoredMessage, view: &MessageView) {
        self.delivery.publish_new(room, &[(stored, view)]);
        self.delivery
            .notify_new(room, std::iter::once(stored))
            .await;
    }

    /// Replaces the body of `editor`'s own message `id` in `room` with `raw` (validated
    /// like a new message), marks it edited and delivers the change live. `NotFound` for a
    /// message that is missing, elsewhere, or someone else's.
    pub async fn edit_message(
        &self,
        room: &Room,
        editor: &User,
        id: MessageId,
        raw: &str,
    ) -> Result<(StoredMessage, MessageView), ChangeError> {
        let body = MessageBody::parse(raw).map_err(|e| ChangeError::Invalid(e.0))?;
        let names = self.mentionable(room, editor, body.as_str()).await?;
        let (sealed, mut text, mentioned) =
            bodies::seal(&self.sealer, body.as_str(), &|name| names.allows(name));
        let stored = self
            .storage
            .edit_message(
                room.id,
                id,
                editor.id,
                sealed,
                names.people(&mentioned, editor.id),
            )
            .await?;
        text.quote = stored.reply.as_ref().map(|reply| self.quote(reply));
        let view = MessageView::new(&stored, text);
        match render_edited(&self.delivery.templates, room.name.as_str(), &stored, &view) {
            Ok(event) => self.hub.publish(room.id, event),
            Err(e) => tracing::error!(error = %e, "edited message failed to render"),
        }
        Ok((stored, view))
    }

    /// Deletes message `id` of `room` for good and tells the room. Its author may delete
    /// it, and so may the room's admin; anyone else gets `NotFound`, as for a missing
    /// message.
    pub async fn delete_message(
        &self,
        room: &Room,
        deleter: &User,
        id: MessageId,
    ) -> Result<(), ChangeError> {
        let message = self.storage.message_by_id(room.id, id).await?;
        let own = message.author.as_ref().is_some_and(|a| a.id == deleter.id);
        if !own && room.admin != Some(deleter.id) {
            return Err(ChangeError::NotFound);
        }
        self.remove_message(room, id).await
    }

    /// Moderation by a site admin: deletes message `id` of `room` for good, whoever wrote
    /// it, and tells the room, as [`Self::delete_message`] does. `NotFound` when missing or
    /// elsewhere. The caller has already checked that the deleter is a site admin.
    pub async fn moderate_message(&self, room: &Room, id: MessageId) -> Result<(), ChangeError> {
        self.remove_message(room, id).await
    }

    async fn remove_message(&self, room: &Room, id: MessageId) -> Result<(), ChangeError> {
        self.storage.delete_message(room.id, id).await?;
        self.hub.publish(room.id, render_deleted(id));
        Ok(())
    }
}
