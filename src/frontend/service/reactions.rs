//! Reactions: any reader of a room adds or removes an emoji on a message; the room hears
//! of each change live.

use super::Chat;
use super::messages::ChangeError;
use crate::domain::{Emoji, MAX_REACTION_KINDS, MessageId, Reacted, Room, User};
use crate::frontend::present::events::render_reaction;
use crate::storage::{Conflict, StorageError};

impl Chat {
    /// Adds (`add`) or removes `user`'s reaction `raw` on message `id` of `room`, and tells
    /// the room when that changed anything. The caller has checked that `user` may read
    /// `room`. `Invalid` for what is not one emoji, or a kind of reaction past
    /// [`MAX_REACTION_KINDS`]; `NotFound` for a message missing or elsewhere. Nothing is
    /// stored on refusal.
    pub async fn react(
        &self,
        room: &Room,
        user: &User,
        id: MessageId,
        raw: &str,
        add: bool,
    ) -> Result<Reacted, ChangeError> {
        let emoji = Emoji::parse(raw).map_err(|e| ChangeError::Invalid(e.0))?;
        let reacted = if add {
            self.storage
                .add_reaction(room.id, id, user.id, emoji.clone())
                .await
        } else {
            self.storage
                .remove_reaction(room.id, id, user.id, emoji.clone())
                .await
        }
        .map_err(|error| match error {
            StorageError::Conflict(Conflict::ReactionKinds) => ChangeError::Invalid(format!(
                "A message can carry at most {MAX_REACTION_KINDS} different reactions."
            )),
            other => ChangeError::from(other),
        })?;
        if reacted.changed {
            let event = render_reaction(
                &self.delivery.templates,
                room.name.as_str(),
                id,
                &emoji,
                user,
                add,
                &reacted.reactions,
            );
            self.hub.publish(room.id, event);
        }
        Ok(reacted)
    }
}
