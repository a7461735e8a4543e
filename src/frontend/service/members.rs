//! Who is in each room, remembered on this side of the storage boundary, so the checks made
//! for every message (may this socket still write here, whom to tell about it) cost no
//! storage call, which after a split would be a network round trip. The chat service makes
//! every membership write, and forgets what each touched once storage has committed it; a
//! generation number keeps a read that raced such a write from being remembered. Entries
//! expire after a few seconds, which bounds how long a change made by another process (a
//! second frontend, the CLI) can go unseen here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::domain::{RoomId, UserId};
use crate::storage::{Storage, StorageResult};

/// How long a remembered member list is trusted.
const FRESH_FOR: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
struct MemberCache(Arc<Mutex<Cached>>);

#[derive(Default)]
struct Cached {
    generation: u64,
    rooms: HashMap<RoomId, (Instant, Arc<[UserId]>)>,
}

impl MemberCache {
    fn lock(&self) -> MutexGuard<'_, Cached> {
        // Plain data: a panic elsewhere leaves it consistent.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The room's members, sorted, and the generation to hand back to [`Self::remember`].
    fn get(&self, room: RoomId) -> Result<Arc<[UserId]>, u64> {
        let cached = self.lock();
        match cached.rooms.get(&room) {
            Some((read, members)) if read.elapsed() < FRESH_FOR => Ok(Arc::clone(members)),
            _ => Err(cached.generation),
        }
    }

    /// Keeps `members` of `room` as read at `generation`, unless a write came since.
    fn remember(&self, room: RoomId, generation: u64, mut members: Vec<UserId>) -> Arc<[UserId]> {
        members.sort_unstable();
        let members: Arc<[UserId]> = members.into();
        let mut cached = self.lock();
        if cached.generation == generation {
            cached
                .rooms
                .insert(room, (Instant::now(), Arc::clone(&members)));
        }
        members
    }

    /// After a committed write to `room`'s memberships.
    fn forget(&self, room: RoomId) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.rooms.remove(&room);
    }

    /// After a committed write that touched memberships of rooms not known here.
    fn forget_all(&self) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.rooms.clear();
    }
}

/// Storage's member lists, remembered.
pub struct Members {
    storage: Arc<dyn Storage>,
    cache: MemberCache,
}

impl Members {
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self {
            storage,
            cache: MemberCache::default(),
        }
    }

    /// The room's members, sorted; empty for the public room.
    pub async fn ids(&self, room: RoomId) -> StorageResult<Arc<[UserId]>> {
        match self.cache.get(room) {
            Ok(members) => Ok(members),
            Err(generation) => {
                let read = self.storage.member_ids(room).await?;
                Ok(self.cache.remember(room, generation, read))
            }
        }
    }

    /// Whether `user` is a member of `room`.
    pub async fn contains(&self, room: RoomId, user: UserId) -> StorageResult<bool> {
        Ok(self.ids(room).await?.binary_search(&user).is_ok())
    }

    /// After a committed write to `room`'s memberships.
    pub fn forget(&self, room: RoomId) {
        self.cache.forget(room);
    }

    /// After a committed write that touched memberships of rooms not known here.
    pub fn forget_all(&self) {
        self.cache.forget_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_remembered() {
        let cache = MemberCache::default();
        let room = RoomId(1);
        let Err(generation) = cache.get(room) else {
            panic!("empty at first")
        };
        cache.forget(room);
        cache.remember(room, generation, vec![UserId(2)]);
        assert!(cache.get(room).is_err(), "stale read dropped");
        let Err(generation) = cache.get(room) else {
            panic!("still empty")
        };
        cache.remember(room, generation, vec![UserId(3), UserId(2)]);
        assert_eq!(
            cache.get(room).ok().as_deref(),
            Some(&[UserId(2), UserId(3)][..])
        );
        cache.forget_all();
        assert!(cache.get(room).is_err());
    }
}
