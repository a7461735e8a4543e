//! Room fan-out and presence. An event is rendered once by its sender, in every wire
//! format, and the same bytes go to every socket of the room. Events published together
//! (a batch of new messages) travel as one item, so each socket writes them in one go.
//! Each subscriber reads from a bounded ring: one that falls behind learns it lagged and
//! must resume from storage, so a slow socket can never grow the server's memory.
//!
//! [`Hub`] is what the rest of the server sees; [`LocalHub`] serves one process. A broker
//! for several instances implements the same trait: it forwards `publish_all` and the
//! ejections to its peers and feeds its local subscribers from them, the way `LocalHub`
//! does from its own maps.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytestring::ByteString;
use tokio::sync::{broadcast, watch};

use crate::domain::{RoomId, UserId};

/// How many publications (each one event or a batch of them) a subscriber may fall
/// behind before it is told it lagged.
const ROOM_BUFFER: usize = 1024;
/// How many notices about other rooms a person's sockets may fall behind; a notice only
/// moves a sidebar entry, so one that lagged simply misses some.
const NOTICE_BUFFER: usize = 64;
/// A room's presence is announced at most this often; joins and leaves in between are
/// gathered into the next announcement. A crowd arriving at once (everyone reconnecting
/// after a restart) then costs a few presence events, not one per person sent to every
/// socket, which grows with the square of the room.
const PRESENCE_EVERY: Duration = Duration::from_millis(250);

/// One event for a room, already rendered for each kind of client.
#[derive(Debug)]
pub struct RoomEvent {
    /// The message this event carries, so a resuming socket can skip what it already sent.
    pub message_id: Option<crate::domain::MessageId>,
    /// For browsers: an htmx out-of-band fragment.
    pub html: ByteString,
    /// For programs: a JSON event.
    pub json: ByteString,
    /// Who caused an ephemeral event (typing): that person's own sockets skip it.
    pub from: Option<UserId>,
}

/// News about one room for its members' sockets in other rooms (a sidebar entry moves,
/// its unread count grows). Rendered once; the same allocation goes to every recipient.
#[derive(Debug)]
pub struct Notice {
    pub room: RoomId,
    pub event: RoomEvent,
}

/// Who is in a room right now: distinct people, however many sockets each has open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub room: RoomId,
    /// Sorted.
    pub usernames: Vec<String>,
    /// The names they go by, in the order of `usernames`.
    pub names: Vec<String>,
    /// How many distinct people are online in the whole site.
    pub online_total: usize,
}

/// Why a socket must close now rather than wait for its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ejection {
    /// The account was deactivated or deleted: every socket of the person ends.
    AccountClosed,
    /// The person is no longer a member of this room.
    RemovedFromRoom,
    /// The room itself was deleted.
    RoomDeleted,
}

/// Events published together, in order: a subscriber receives them in one piece, so it
/// can write them to its socket in one go however the publisher's thread is scheduled.
pub type Events = Arc<[RoomEvent]>;

/// Renders a presence change into a [`RoomEvent`]; supplied by the frontend, so the hub
/// knows nothing of templates or JSON shapes.
pub type PresenceRenderer = Box<dyn Fn(&Presence) -> RoomEvent + Send + Sync>;

/// A socket's place in a room; leaving happens when it is dropped.
pub struct Subscription {
    pub events: broadcast::Receiver<Events>,
    /// Becomes `Some` when this socket must close, saying why.
    pub ejected: watch::Receiver<Option<Ejection>>,
    /// Notices about the person's other rooms, shared by all their sockets.
    pub notices: broadcast::Receiver<Arc<Notice>>,
    _seat: Box<dyn Send + Sync>,
}

/// The fan-out every socket and every writer goes through.
pub trait Hub: Send + Sync {
    /// Joins `user` to `room`; the returned subscription receives every later event.
    /// `name` is the name `user` goes by, which presence shows beside the username.
    fn join(&self, room: RoomId, user: UserId, username: &str, name: &str) -> Subscription;
    /// Sends `events`, in order and as one piece, to every socket in `room`; a room nobody
    /// is in drops them.
    fn publish_all(&self, room: RoomId, events: Vec<RoomEvent>);
    /// Sends one event to every socket in `room`.
    fn publish(&self, room: RoomId, event: RoomEvent) {
        self.publish_all(room, vec![event]);
    }
    /// Sends each of `notices` to every socket of each of `users` who is online; the rest
    /// drop them. One call per batch: each person is looked up once, not once per notice.
    fn notify(&self, users: &[UserId], notices: Vec<Notice>);
    /// Who is in `room` now.
    fn presence(&self, room: RoomId) -> Presence;
    /// How many distinct people have at least one socket open.
    fn online_count(&self) -> usize;
    /// Whether `user` has at least one socket open.
    fn is_online(&self, user: UserId) -> bool;
    /// Ends every socket of `user`; returns how many were open.
    fn eject_user(&self, user: UserId) -> usize;
    /// Ends `user`'s sockets in `room`; returns how many were open.
    fn eject_from_room(&self, room: RoomId, user: UserId) -> usize;
    /// Ends every socket in `room`; returns how many were open.
    fn close_room(&self, room: RoomId) -> usize;
}

struct Seat {
    sockets: usize,
    username: String,
    name: String,
    ejection: watch::Sender<Option<Ejection>>,
}

struct RoomChannel {
    sender: broadcast::Sender<Events>,
    present: HashMap<UserId, Seat>,
    /// When presence was last announced.
    announced: Option<Instant>,
    /// Whether a later announcement is already due.
    scheduled: bool,
}

/// One online person: open sockets per room, and their notice channel.
struct Person {
    rooms: HashMap<RoomId, usize>,
    notices: broadcast::Sender<Arc<Notice>>,
}

impl Person {
    /// The one room all of this person's sockets are in, if there is exactly one.
    fn sole_room(&self) -> Option<RoomId> {
        match self.rooms.len() {
            1 => self.rooms.keys().next().copied(),
            _ => None,
        }
    }
}

/// Everyone online.
#[derive(Default)]
struct People {
    by_user: HashMap<UserId, Person>,
}

impl People {
    fn join(&mut self, user: UserId, room: RoomId) -> broadcast::Receiver<Arc<Notice>> {
        let person = self.by_user.entry(user).or_insert_with(|| Person {
            rooms: HashMap::new(),
            notices: broadcast::channel(NOTICE_BUFFER).0,
        });
        *person.rooms.entry(room).or_insert(0) += 1;
        person.notices.subscribe()
    }

    fn leave(&mut self, user: UserId, room: RoomId) {
        let Some(person) = self.by_user.get_mut(&user) else {
            return;
        };
        if let Some(sockets) = person.rooms.get_mut(&room) {
            *sockets -= 1;
            if *sockets == 0 {
                person.rooms.remove(&room);
            }
        }
        if person.rooms.is_empty() {
            self.by_user.remove(&user);
        }
    }
}

struct Maps {
    rooms: Mutex<HashMap<RoomId, RoomChannel>>,
    /// Never locked while `rooms` is wanted next: the lock order is rooms, then people.
    people: Mutex<People>,
    render_presence: PresenceRenderer,
}

/// The hub of a single process.
pub struct LocalHub {
    maps: Arc<Maps>,
}

/// Leaves the room when the subscription that holds it is dropped.
struct LocalSeat {
    maps: Arc<Maps>,
    room: RoomId,
    user: UserId,
}

impl Drop for LocalSeat {
    fn drop(&mut self) {
        self.maps.leave(self.room, self.user);
    }
}

impl LocalHub {
    pub fn new(render_presence: PresenceRenderer) -> Self {
        Self {
            maps: Arc::new(Maps {
                rooms: Mutex::new(HashMap::new()),
                people: Mutex::new(People::default()),
                render_presence,
            }),
        }
    }
}

impl Maps {
    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, RoomChannel>> {
        // A panic while holding this lock leaves plain maps behind, still consistent.
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn people(&self) -> MutexGuard<'_, People> {
        self.people
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn leave(self: &Arc<Self>, room: RoomId, user: UserId) {
        self.people().leave(user, room);
        let mut rooms = self.rooms();
        let Some(channel) = rooms.get_mut(&room) else {
            return;
        };
        if let Some(seat) = channel.present.get_mut(&user) {
            seat.sockets -= 1;
            if seat.sockets == 0 {
                channel.present.remove(&user);
                self.announce(room, channel);
            }
        }
        if channel.present.is_empty() && channel.sender.receiver_count() == 0 {
            rooms.remove(&room);
        }
    }

    /// Announces the room's presence now, or schedules it for when `PRESENCE_EVERY` has
    /// passed since the last announcement (at once outside a runtime, as in unit tests).
    fn announce(self: &Arc<Self>, room: RoomId, channel: &mut RoomChannel) {
        if channel.scheduled {
            return;
        }
        if let Some(due) = channel.announced.map(|at| at + PRESENCE_EVERY)
            && due > Instant::now()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            channel.scheduled = true;
            let maps = Arc::clone(self);
            runtime.spawn(async move {
                tokio::time::sleep_until(due.into()).await;
                if let Some(channel) = maps.rooms().get_mut(&room) {
                    channel.scheduled = false;
                    maps.announce_now(room, channel);
                }
            });
            return;
        }
        self.announce_now(room, channel);
    }

    fn announce_now(&self, room: RoomId, channel: &mut RoomChannel) {
        channel.announced = Some(Instant::now());
        let total = self.people().by_user.len();
        let event = (self.render_presence)(&presence_of(room, Some(channel), total));
        let _ = channel.sender.send(Arc::from([event]));
    }
}

/// Tells the seat's sockets to close; how many there were.
fn eject(seat: &Seat, why: Ejection) -> usize {
    seat.ejection.send_replace(Some(why));
    seat.sockets
}

impl Hub for LocalHub {
    fn join(&self, room: RoomId, user: UserId, username: &str, name: &str) -> Subscription {
        let notices = self.maps.people().join(user, room);
        let mut rooms = self.maps.rooms();
        let channel = rooms.entry(room).or_insert_with(|| RoomChannel {
            sender: broadcast::channel(ROOM_BUFFER).0,
            present: HashMap::new(),
            announced: None,
            scheduled: false,
        });
        let events = channel.sender.subscribe();
        let seat = channel.present.entry(user).or_insert_with(|| Seat {
            sockets: 0,
            username: username.to_owned(),
            name: name.to_owned(),
            ejection: watch::channel(None).0,
        });
        // Sockets ejected a moment ago may not have left yet; one joining now (the person
        // was added back) must not inherit their ejection.
        if seat.ejection.borrow().is_some() {
            seat.ejection = watch::channel(None).0;
        }
        seat.sockets += 1;
        let ejected = seat.ejection.subscribe();
        if seat.sockets == 1 {
            self.maps.announce(room, channel);
        }
        Subscription {
            events,
            ejected,
            notices,
            _seat: Box::new(LocalSeat {
                maps: Arc::clone(&self.maps),
                room,
                user,
            }),
        }
    }

    fn publish_all(&self, room: RoomId, events: Vec<RoomEvent>) {
        if events.is_empty() {
            return;
        }
        if let Some(channel) = self.maps.rooms().get(&room) {
            let _ = channel.sender.send(Arc::from(events));
        }
    }

    fn notify(&self, users: &[UserId], notices: Vec<Notice>) {
        let notices: Vec<Arc<Notice>> = notices.into_iter().map(Arc::new).collect();
        let people = self.maps.people();
        for person in users.iter().filter_map(|user| people.by_user.get(user)) {
            // Someone whose every socket is in that room already sees the message itself.
            for notice in notices
                .iter()
                .filter(|n| person.sole_room() != Some(n.room))
            {
                let _ = person.notices.send(Arc::clone(notice));
            }
        }
    }

    fn presence(&self, room: RoomId) -> Presence {
        let rooms = self.maps.rooms();
        let total = self.maps.people().by_user.len();
        presence_of(room, rooms.get(&room), total)
    }

    fn online_count(&self) -> usize {
        self.maps.people().by_user.len()
    }

    fn is_online(&self, user: UserId) -> bool {
        self.maps.people().by_user.contains_key(&user)
    }

    fn eject_user(&self, user: UserId) -> usize {
        self.maps
            .rooms()
            .values()
            .filter_map(|channel| channel.present.get(&user))
            .map(|seat| eject(seat, Ejection::AccountClosed))
            .sum()
    }

    fn eject_from_room(&self, room: RoomId, user: UserId) -> usize {
        self.maps
            .rooms()
            .get(&room)
            .and_then(|channel| channel.present.get(&user))
            .map_or(0, |seat| eject(seat, Ejection::RemovedFromRoom))
    }

    fn close_room(&self, room: RoomId) -> usize {
        self.maps.rooms().get(&room).map_or(0, |channel| {
            channel
                .present
                .values()
                .map(|seat| eject(seat, Ejection::RoomDeleted))
                .sum()
        })
    }
}

fn presence_of(room: RoomId, channel: Option<&RoomChannel>, online_total: usize) -> Presence {
    let mut people: Vec<(String, String)> = channel
        .map(|c| {
            c.present
                .values()
                .map(|seat| (seat.username.clone(), seat.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    people.sort_unstable();
    let (usernames, names) = people.into_iter().unzip();
    Presence {
        room,
        usernames,
        names,
        online_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> LocalHub {
        LocalHub::new(Box::new(|p: &Presence| RoomEvent {
            message_id: None,
            html: p.usernames.join(",").into(),
            json: p.usernames.len().to_string().into(),
            from: None,
        }))
    }

    #[test]
    fn a_person_with_several_sockets_counts_once_and_leaves_with_the_last() {
        let hub = hub();
        let room = RoomId(1);
        let first = hub.join(room, UserId(7), "ann", "ann");
        let second = hub.join(room, UserId(7), "ann", "ann");
        let bob = hub.join(room, UserId(8), "bob", "bob");
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
        let mut a = hub.join(room, UserId(1), "a", "a");
        let mut b = hub.join(room, UserId(2), "b", "b");
        while a.events.try_recv().is_ok() {}
        while b.events.try_recv().is_ok() {}
        hub.publish(
            room,
            RoomEvent {
                message_id: None,
                html: "x".into(),
                json: "y".into(),
                from: None,
            },
        );
        let (Ok(from_a), Ok(from_b)) = (a.events.try_recv(), b.events.try_recv()) else {
            panic!("both subscribers get the event")
        };
        assert!(Arc::ptr_eq(&from_a, &from_b));
    }

    #[tokio::test]
    async fn a_crowd_joining_at_once_is_announced_in_a_few_presence_events() {
        let hub = hub();
        let room = RoomId(1);
        let mut watcher = hub.join(room, UserId(0), "watcher", "watcher");
        let crowd: Vec<Subscription> = (1..=100)
            .map(|n| hub.join(room, UserId(n), &format!("p{n:03}"), "p"))
            .collect();
        tokio::time::sleep(PRESENCE_EVERY * 2).await;
        let mut announced = Vec::new();
        while let Ok(batch) = watcher.events.try_recv() {
            announced.extend(batch.iter().map(|e| e.html.to_string()));
        }
        assert!(
            announced.len() <= 2,
            "101 joins within one interval make at most two announcements, not {}",
            announced.len()
        );
        let last = announced.last().map(|names| names.split(',').count());
        assert_eq!(last, Some(101), "the last one names everyone");
        drop(crowd);
    }

    #[test]
    fn events_published_together_arrive_together_and_in_order() {
        let hub = hub();
        let room = RoomId(1);
        let mut a = hub.join(room, UserId(1), "a", "a");
        while a.events.try_recv().is_ok() {}
        let event = |n: &str| RoomEvent {
            message_id: None,
            html: n.into(),
            json: n.into(),
            from: None,
        };
        hub.publish_all(room, vec![event("1"), event("2"), event("3")]);
        hub.publish_all(room, Vec::new());
        let Ok(batch) = a.events.try_recv() else {
            panic!("the batch arrives")
        };
        let order: Vec<&str> = batch.iter().map(|e| &*e.json).collect();
        assert_eq!(order, ["1", "2", "3"]);
        assert!(a.events.try_recv().is_err(), "an empty batch sends nothing");
    }

    #[test]
    fn online_counts_people_and_an_ejection_reaches_only_its_sockets() {
        let hub = hub();
        let ann_a = hub.join(RoomId(1), UserId(7), "ann", "ann");
        let ann_b = hub.join(RoomId(2), UserId(7), "ann", "ann");
        let bob = hub.join(RoomId(1), UserId(8), "bob", "bob");
        assert_eq!(hub.online_count(), 2);
        assert!(hub.is_online(UserId(7)) && !hub.is_online(UserId(9)));
        assert_eq!(hub.eject_user(UserId(7)), 2);
        assert_eq!(*ann_a.ejected.borrow(), Some(Ejection::AccountClosed));
        assert_eq!(*ann_b.ejected.borrow(), Some(Ejection::AccountClosed));
        assert_eq!(*bob.ejected.borrow(), None);
        drop(ann_a);
        drop(ann_b);
        assert_eq!(hub.online_count(), 1);
        assert!(!hub.is_online(UserId(7)), "gone with the last socket");
        assert_eq!(hub.eject_user(UserId(7)), 0);
        drop(bob);
        assert_eq!(hub.online_count(), 0);
    }

    #[test]
    fn a_notice_reaches_every_socket_of_the_online_people_named_and_no_one_else() {
        let hub = hub();
        let mut ann_a = hub.join(RoomId(1), UserId(7), "ann", "ann");
        let mut ann_b = hub.join(RoomId(2), UserId(7), "ann", "ann");
        let mut bob = hub.join(RoomId(1), UserId(8), "bob", "bob");
        hub.notify(
            &[UserId(7), UserId(9)],
            vec![Notice {
                room: RoomId(3),
                event: RoomEvent {
                    message_id: None,
                    html: "n".into(),
                    json: "n".into(),
                    from: None,
                },
            }],
        );
        let (Ok(a), Ok(b)) = (ann_a.notices.try_recv(), ann_b.notices.try_recv()) else {
            panic!("both of ann's sockets get the notice")
        };
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.room, RoomId(3));
        assert!(bob.notices.try_recv().is_err());
        assert_eq!(hub.presence(RoomId(1)).online_total, 2);
    }

    #[test]
    fn removal_from_a_room_ends_only_that_rooms_sockets() {
        let hub = hub();
        let here = hub.join(RoomId(1), UserId(7), "ann", "ann");
        let elsewhere = hub.join(RoomId(2), UserId(7), "ann", "ann");
        let bob = hub.join(RoomId(1), UserId(8), "bob", "bob");
        assert_eq!(hub.eject_from_room(RoomId(1), UserId(7)), 1);
        assert_eq!(*here.ejected.borrow(), Some(Ejection::RemovedFromRoom));
        assert_eq!(*elsewhere.ejected.borrow(), None);
        assert_eq!(*bob.ejected.borrow(), None);
        assert_eq!(hub.close_room(RoomId(1)), 2);
        assert_eq!(*bob.ejected.borrow(), Some(Ejection::RoomDeleted));
        assert_eq!(*elsewhere.ejected.borrow(), None);
    }

    #[test]
    fn notices_sent_together_each_reach_a_person_elsewhere_in_order() {
        let hub = hub();
        let mut ann_elsewhere = hub.join(RoomId(2), UserId(7), "ann", "ann");
        let mut bob_here = hub.join(RoomId(1), UserId(8), "bob", "bob");
        let notice = |n: &str| Notice {
            room: RoomId(1),
            event: RoomEvent {
                message_id: None,
                html: n.into(),
                json: n.into(),
                from: None,
            },
        };
        hub.notify(&[UserId(7), UserId(8)], vec![notice("1"), notice("2")]);
        let received: Vec<String> = std::iter::from_fn(|| ann_elsewhere.notices.try_recv().ok())
            .map(|n| n.event.json.to_string())
            .collect();
        assert_eq!(received, ["1", "2"], "one notice per message, in order");
        assert!(
            bob_here.notices.try_recv().is_err(),
            "bob sees the room itself"
        );
    }

    #[test]
    fn notices_skip_people_whose_every_socket_is_in_that_room() {
        let hub = hub();
        let room = RoomId(1);
        let mut ann_here = hub.join(room, UserId(7), "ann", "ann");
        let mut bob_elsewhere = hub.join(RoomId(2), UserId(8), "bob", "bob");
        let notice = || Notice {
            room,
            event: RoomEvent {
                message_id: None,
                html: "n".into(),
                json: "n".into(),
                from: None,
            },
        };
        hub.notify(&[UserId(7), UserId(8)], vec![notice()]);
        assert!(
            ann_here.notices.try_recv().is_err(),
            "ann sees the room itself"
        );
        assert!(bob_elsewhere.notices.try_recv().is_ok());
        let mut ann_elsewhere = hub.join(RoomId(3), UserId(7), "ann", "ann");
        hub.notify(&[UserId(7)], vec![notice()]);
        assert!(
            ann_elsewhere.notices.try_recv().is_ok(),
            "ann's other tab needs it"
        );
    }
}
