//! Room fan-out and presence, in process. An event is rendered once by its sender, in
//! every wire format, and the same bytes go to every socket of the room. Each subscriber
//! reads from a bounded ring: one that falls behind learns it lagged and must resume from
//! storage, so a slow socket can never grow the server's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytestring::ByteString;
use tokio::sync::broadcast;

use crate::domain::{RoomId, UserId};

/// How many events a subscriber may fall behind before it is told it lagged.
const ROOM_BUFFER: usize = 1024;

/// One event for a room, already rendered for each kind of client.
#[derive(Debug)]
pub struct RoomEvent {
    /// The message this event carries, so a resuming socket can skip what it already sent.
    pub message_id: Option<crate::domain::MessageId>,
    /// For browsers: an htmx out-of-band fragment.
    pub html: ByteString,
    /// For programs: a JSON event.
    pub json: ByteString,
}

/// Who is in a room right now: distinct people, however many sockets each has open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub room: RoomId,
    pub usernames: Vec<String>,
}

/// Renders a presence change into a [`RoomEvent`]; supplied by the frontend, so the hub
/// knows nothing of templates or JSON shapes.
pub type PresenceRenderer = Box<dyn Fn(&Presence) -> RoomEvent + Send + Sync>;

struct RoomChannel {
    sender: broadcast::Sender<Arc<RoomEvent>>,
    /// user → (open sockets, username)
    present: HashMap<UserId, (usize, String)>,
}

pub struct Hub {
    rooms: Mutex<HashMap<RoomId, RoomChannel>>,
    render_presence: PresenceRenderer,
}

/// A socket's place in a room; leaving happens when it is dropped.
pub struct Subscription {
    pub events: broadcast::Receiver<Arc<RoomEvent>>,
    hub: Arc<Hub>,
    room: RoomId,
    user: UserId,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.leave(self.room, self.user);
    }
}

impl Hub {
    pub fn new(render_presence: PresenceRenderer) -> Arc<Self> {
        Arc::new(Self {
            rooms: Mutex::new(HashMap::new()),
            render_presence,
        })
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, RoomChannel>> {
        // A panic while holding this lock leaves plain maps behind, still consistent.
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Joins `user` to `room`; the returned subscription receives every later event.
    pub fn join(self: &Arc<Self>, room: RoomId, user: UserId, username: &str) -> Subscription {
        let mut rooms = self.rooms();
        let channel = rooms.entry(room).or_insert_with(|| RoomChannel {
            sender: broadcast::channel(ROOM_BUFFER).0,
            present: HashMap::new(),
        });
        let events = channel.sender.subscribe();
        let entry = channel
            .present
            .entry(user)
            .or_insert((0, username.to_owned()));
        entry.0 += 1;
        if entry.0 == 1 {
            self.announce(room, channel);
        }
        Subscription {
            events,
            hub: Arc::clone(self),
            room,
            user,
        }
    }

    fn leave(&self, room: RoomId, user: UserId) {
        let mut rooms = self.rooms();
        let Some(channel) = rooms.get_mut(&room) else {
            return;
        };
        if let Some(entry) = channel.present.get_mut(&user) {
            entry.0 -= 1;
            if entry.0 == 0 {
                channel.present.remove(&user);
                self.announce(room, channel);
            }
        }
        if channel.present.is_empty() && channel.sender.receiver_count() == 0 {
            rooms.remove(&room);
        }
    }

    /// Sends `event` to every socket in `room`; a room nobody is in drops it.
    pub fn publish(&self, room: RoomId, event: RoomEvent) {
        if let Some(channel) = self.rooms().get(&room) {
            let _ = channel.sender.send(Arc::new(event));
        }
    }

    /// Who is in `room` now.
    pub fn presence(&self, room: RoomId) -> Presence {
        let rooms = self.rooms();
        presence_of(room, rooms.get(&room))
    }

    fn announce(&self, room: RoomId, channel: &RoomChannel) {
        let event = (self.render_presence)(&presence_of(room, Some(channel)));
        let _ = channel.sender.send(Arc::new(event));
    }
}

fn presence_of(room: RoomId, channel: Option<&RoomChannel>) -> Presence {
    let mut usernames: Vec<String> = channel
        .map(|c| c.present.values().map(|(_, name)| name.clone()).collect())
        .unwrap_or_default();
    usernames.sort_unstable();
    Presence { room, usernames }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> Arc<Hub> {
        Hub::new(Box::new(|p: &Presence| RoomEvent {
            message_id: None,
            html: p.usernames.join(",").into(),
            json: p.usernames.len().to_string().into(),
        }))
    }

    #[test]
    fn a_person_with_several_sockets_counts_once_and_leaves_with_the_last() {
        let hub = hub();
        let room = RoomId(1);
        let first = hub.join(room, UserId(7), "ann");
        let second = hub.join(room, UserId(7), "ann");
        let bob = hub.join(room, UserId(8), "bob");
        assert_eq!(hub.presence(room).usernames, ["ann", "bob"]);
        drop(first);
        assert_eq!(hub.presence(room).usernames, ["ann", "bob"]);
        drop(second);
        assert_eq!(hub.presence(room).usernames, ["bob"]);
        drop(bob);
        assert!(hub.presence(room).usernames.is_empty());
    }

    #[test]
    fn published_events_reach_every_subscriber_as_the_same_allocation() {
        let hub = hub();
        let room = RoomId(1);
        let mut a = hub.join(room, UserId(1), "a");
        let mut b = hub.join(room, UserId(2), "b");
        while a.events.try_recv().is_ok() {}
        while b.events.try_recv().is_ok() {}
        hub.publish(
            room,
            RoomEvent {
                message_id: None,
                html: "x".into(),
                json: "y".into(),
            },
        );
        let (Ok(from_a), Ok(from_b)) = (a.events.try_recv(), b.events.try_recv()) else {
            panic!("both subscribers get the event")
        };
        assert!(Arc::ptr_eq(&from_a, &from_b));
    }
}
