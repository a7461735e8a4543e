//! Changing who is in a group, the one way every entrance (the pages, the admin pages and
//! `/api/groups/`) does it: storage first, then the open sockets that lost access end.

use rand::Rng;

use std::collections::HashSet;

use super::Chat;
use crate::domain::{NewRoom, Room, RoomId, RoomKind, RoomName, User, UserId};
use crate::storage::{StorageError, StorageResult};

/// Letters that cannot be misread for one another.
const SUFFIX_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

impl Chat {
    /// Creates a group titled `title` (already validated) run by `admin`, with `members`.
    /// Its name is the title's slug plus a random suffix, which keeps names unique and
    /// unguessable; a rare collision is retried.
    pub async fn create_group(
        &self,
        admin: &User,
        title: &str,
        members: Vec<UserId>,
    ) -> StorageResult<Room> {
        for _ in 0..3 {
            let suffix: String = (0..8)
                .map(|_| {
                    char::from(
                        SUFFIX_ALPHABET[rand::thread_rng().gen_range(0..SUFFIX_ALPHABET.len())],
                    )
                })
                .collect();
            let new = NewRoom {
                name: RoomName::for_group(title, &suffix),
                title: title.to_owned(),
                kind: RoomKind::Group,
                admin: Some(admin.id),
            };
            match self.storage.create_group(new, members.clone()).await {
                Err(StorageError::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(StorageError::Internal(
            "no free room name after three tries".into(),
        ))
    }

    /// Removes `user` from `room`; their sockets in it close at once, so a removed member
    /// stops reading, not only writing.
    pub async fn remove_member(&self, room: RoomId, user: UserId) -> StorageResult<()> {
        self.storage.remove_member(room, user).await?;
        self.hub.eject_from_room(room, user);
        Ok(())
    }

    /// Replaces the members of `room`; the sockets of everyone who lost their place close.
    pub async fn replace_members(&self, room: RoomId, members: Vec<UserId>) -> StorageResult<()> {
        let before = self.storage.members_of(room).await?;
        let kept: HashSet<UserId> = members.iter().copied().collect();
        self.storage.set_members(room, members).await?;
        // The admin stays whatever the list says; `is_member` knows who really left.
        for user in before.iter().filter(|u| !kept.contains(&u.id)) {
            if !self.storage.is_member(room, user.id).await? {
                self.hub.eject_from_room(room, user.id);
            }
        }
        Ok(())
    }

    /// Deletes `room` with its messages; every socket in it closes.
    pub async fn delete_room(&self, room: RoomId) -> StorageResult<()> {
        self.storage.delete_room(room).await?;
        self.hub.close_room(room);
        Ok(())
    }
}
