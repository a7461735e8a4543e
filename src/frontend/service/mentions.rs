//! Mentions: which `@names` in a message name someone who can read its room (and
//! `@everyone`, for a group's admin), so only they are marked, stored and told. Naming
//! someone who cannot read the room marks nothing and tells no one.

use std::collections::HashMap;

use super::Chat;
use crate::domain::{MAX_MENTIONS, Room, RoomKind, User, UserId, Username};
use crate::frontend::present::markdown::{EVERYONE, mention_candidates};
use crate::storage::StorageResult;

/// For each name a message may mention, the people it names.
pub struct Mentionable(HashMap<String, Vec<UserId>>);

impl Mentionable {
    pub fn allows(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The people `names` (as rendered) name, each once, never `author`.
    pub fn people(&self, names: &[String], author: UserId) -> Vec<UserId> {
        let mut people: Vec<UserId> = names
            .iter()
            .filter_map(|name| self.0.get(name))
            .flatten()
            .copied()
            .filter(|id| *id != author)
            .collect();
        people.sort_unstable();
        people.dedup();
        people
    }
}

impl Chat {
    /// Whom the `@names` in `words`, written by `author` in `room`, may mention: people
    /// who can read the room (in the public room, any active account), and everyone in a
    /// group when its admin writes `@everyone`.
    pub(super) async fn mentionable(
        &self,
        room: &Room,
        author: &User,
        words: &str,
    ) -> StorageResult<Mentionable> {
        let candidates = mention_candidates(words);
        let mut names = HashMap::new();
        if candidates.is_empty() {
            return Ok(Mentionable(names));
        }
        if room.kind == RoomKind::Public {
            let usernames = candidates
                .iter()
                .take(MAX_MENTIONS)
                .filter_map(|name| Username::parse(name).ok())
                .collect();
            for user in self.storage.users_by_usernames(usernames).await? {
                if user.is_active {
                    names.insert(user.username.clone(), vec![user.id]);
                }
            }
            return Ok(Mentionable(names));
        }
        let members = self.storage.members_of(room.id).await?;
        for member in &members {
            if candidates.contains(&member.username) {
                names.insert(member.username.clone(), vec![member.id]);
            }
        }
        let may_address_all = room.kind == RoomKind::Group && room.admin == Some(author.id);
        if may_address_all && candidates.iter().any(|c| c == EVERYONE) {
            names.insert(EVERYONE.to_owned(), members.iter().map(|m| m.id).collect());
        }
        Ok(Mentionable(names))
    }
}

impl Chat {
    /// Up to `limit` of the newest messages older than `before` that mention `user`, in
    /// rooms `user` can read now, each with its room, and whether older ones remain.
    pub async fn mentions_of(
        &self,
        user: &User,
        before: Option<crate::domain::MessageId>,
        limit: u64,
    ) -> StorageResult<(Vec<(Room, crate::domain::StoredMessage)>, bool)> {
        let mut found = self
            .storage
            .mentions_of(user.id, before, limit.saturating_add(1))
            .await?;
        let more = found.len() as u64 > limit;
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let mut rooms: HashMap<crate::domain::RoomId, Room> = HashMap::new();
        let mut page = Vec::with_capacity(found.len());
        for message in found {
            let room = match rooms.get(&message.room) {
                Some(room) => room.clone(),
                None => {
                    let room = self.storage.room_by_id(message.room).await?;
                    rooms.insert(room.id, room.clone());
                    room
                }
            };
            page.push((room, message));
        }
        Ok((page, more))
    }
}
