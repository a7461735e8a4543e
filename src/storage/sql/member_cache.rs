//! Who is in each room, remembered, so the checks made for every message (may this socket
//! still write here, whom to tell about it) cost no query. Storage is the only writer of
//! memberships, and each of its membership writes forgets what it touched once committed;
//! a generation number keeps a read that raced such a write from being remembered. Entries
//! expire after a few seconds, which bounds how long a change made by another process on
//! the same database (several instances on PostgreSQL) can go unseen here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::domain::{RoomId, UserId};

/// How long a remembered member list is trusted.
const FRESH_FOR: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
pub(super) struct MemberCache(Arc<Mutex<Cached>>);

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
    pub(super) fn get(&self, room: RoomId) -> Result<Arc<[UserId]>, u64> {
        let cached = self.lock();
        match cached.rooms.get(&room) {
            Some((read, members)) if read.elapsed() < FRESH_FOR => Ok(Arc::clone(members)),
            _ => Err(cached.generation),
        }
    }

    /// Keeps `members` of `room` as read at `generation`, unless a write came since.
    pub(super) fn remember(
        &self,
        room: RoomId,
        generation: u64,
        mut members: Vec<UserId>,
    ) -> Arc<[UserId]> {
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
    pub(super) fn forget(&self, room: RoomId) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.rooms.remove(&room);
    }

    /// After a committed write that touched memberships of rooms not known here.
    pub(super) fn forget_all(&self) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.rooms.clear();
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
