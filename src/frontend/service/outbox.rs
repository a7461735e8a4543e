//! Group commit for new messages. Every entrance (WebSocket, REST) hands its sealed message
//! to one task, which stores whatever was queued meanwhile with one statement, publishes
//! the whole batch to the hub, and only then answers each sender: a message is
//! acknowledged only once committed.
//!
//! Publishing a batch in one piece per room is what makes fan-out cheap under load: every
//! socket of the room finds the batch's events together and writes them in one socket
//! write, where publishing them one by one would wake each socket once per message.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::members::Members;
use crate::domain::{NewMessage, Room, RoomKind, StoredMessage};
use crate::frontend::present::events::{render_activity, render_message};
use crate::frontend::present::templates::Templates;
use crate::frontend::present::view::{MessageText, MessageView};
use crate::frontend::reach::{Missed, Reach};
use crate::hub::Hub;
use crate::storage::{Storage, StorageError, StorageResult};

/// Most messages one batch carries.
const BATCH: usize = 256;
/// Messages that may wait for the outbox before senders wait to queue.
const QUEUE: usize = 4096;
/// A batch smaller than this waits `GATHER` for company before it is stored; a larger one
/// means the outbox is busy, and its next batch gathers while this one is written.
const GATHER_BELOW: usize = 8;
const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// What live delivery needs: the hub, the templates, storage, and the remembered member
/// lists.
#[derive(Clone)]
pub struct Delivery {
    pub hub: Arc<dyn Hub>,
    pub members: Arc<Members>,
    pub storage: Arc<dyn Storage>,
    pub templates: Arc<Templates>,
    /// Push to people who are not looking.
    pub reach: Arc<Reach>,
}

/// A message stored and shown: what its sender gets back.
pub type Posted = (StoredMessage, MessageView);

struct Pending {
    new: NewMessage,
    room: Room,
    /// The plaintext, for rendering; storage only ever sees `new.body`, sealed.
    text: MessageText,
    reply: oneshot::Sender<StorageResult<Posted>>,
}

/// The queue into the group-commit task.
pub struct Outbox {
    queue: mpsc::Sender<Pending>,
}

impl Outbox {
    /// Starts the outbox's task on the current runtime, supervised: a batch that panics
    /// fails its own senders (none of them is acknowledged), and the task starts again on
    /// the same queue. It ends when the outbox is dropped.
    pub fn start(delivery: Delivery) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let incoming = Arc::new(Mutex::new(incoming));
        crate::supervise::spawn("outbox", move || {
            run(delivery.clone(), Arc::clone(&incoming))
        });
        Self { queue }
    }

    /// Queues `new` (whose plaintext is `text`) for `room` behind every message submitted
    /// before it, and returns once queued; the answer says when it is committed and
    /// delivered. A sender can so have several messages in one batch, still stored in the
    /// order submitted.
    pub async fn submit(
        &self,
        room: &Room,
        new: NewMessage,
        text: MessageText,
    ) -> StorageResult<Submitted> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending {
                new,
                room: room.clone(),
                text,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        Ok(Submitted(answer))
    }
}

/// A message in the outbox's queue.
pub struct Submitted(oneshot::Receiver<StorageResult<Posted>>);

impl Submitted {
    /// The message as stored, once committed and delivered.
    pub async fn committed(self) -> StorageResult<Posted> {
        self.0.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StorageError {
    StorageError::Internal("the outbox has stopped".into())
}

async fn run(delivery: Delivery, incoming: Arc<Mutex<mpsc::Receiver<Pending>>>) {
    let mut incoming = incoming.lock().await;
    let mut batch = Vec::with_capacity(BATCH);
    while incoming.recv_many(&mut batch, BATCH).await > 0 {
        if batch.len() < GATHER_BELOW {
            // Several people answering at once reach the server over a few hundred µs;
            // waiting a moment puts them in one batch, so each socket gets them in one
            // write instead of one write per message.
            tokio::time::sleep(GATHER).await;
            while batch.len() < BATCH {
                match incoming.try_recv() {
                    Ok(pending) => batch.push(pending),
                    Err(_) => break,
                }
            }
        }
        commit(&delivery, std::mem::take(&mut batch)).await;
    }
}

/// Stores one batch, delivers what was stored, then answers every sender.
async fn commit(delivery: &Delivery, batch: Vec<Pending>) {
    let (news, waiting): (Vec<NewMessage>, Vec<_>) = batch
        .into_iter()
        .map(|p| (p.new, (p.room, p.text, p.reply)))
        .unzip();
    let results = delivery.storage.append_messages(news).await;
    let mut posted = Vec::with_capacity(waiting.len());
    let mut replies = Vec::with_capacity(waiting.len());
    for ((room, text, reply), result) in waiting.into_iter().zip(results) {
        match result {
            Ok(stored) => {
                let view = MessageView::new(&stored, text);
                posted.push((room, stored, view));
                replies.push((reply, None));
            }
            Err(error) => replies.push((reply, Some(error))),
        }
    }
    // Sockets skip what a resume already sent by id, so each room hears its news in id order.
    posted.sort_by_key(|(_, stored, _)| stored.id);
    let rooms = by_room(&posted);
    for (room, messages) in &rooms {
        delivery.publish_new(room, messages);
    }
    for (room, messages) in &rooms {
        delivery
            .notify_new(room, messages.iter().map(|(stored, _)| *stored))
            .await;
    }
    let mut posted = posted.into_iter();
    for (reply, error) in replies {
        let answer = match error {
            Some(error) => Err(error),
            None => posted
                .next()
                .map(|(_, stored, view)| (stored, view))
                .ok_or_else(|| StorageError::Internal("a posted message went missing".into())),
        };
        let _ = reply.send(answer);
    }
}

impl Delivery {
    /// Publishes `room`'s new messages to its sockets as one publication, in order.
    pub fn publish_new(&self, room: &Room, messages: &[(&StoredMessage, &MessageView)]) {
        let events = messages
            .iter()
            .filter_map(|(stored, view)| {
                render_message(&self.templates, room.name.as_str(), stored, view)
                    .map_err(|e| tracing::error!(error = %e, "message fragment failed to render"))
                    .ok()
            })
            .collect();
        self.hub.publish_all(room.id, events);
    }

    /// Tells `room`'s members' sockets elsewhere (their sidebars) of its new messages, one
    /// notice each, and offers each message that mentions someone, or is a DM, to push
    /// (which only queues it). The member ids come from the remembered member lists, read
    /// once per call; the public room has no members and no notices.
    pub async fn notify_new(&self, room: &Room, messages: impl Iterator<Item = &StoredMessage>) {
        let members = match room.kind {
            RoomKind::Public => Arc::from([]),
            _ => match self.members.ids(room.id).await {
                Ok(members) => members,
                Err(e) => {
                    tracing::error!(error = %e, "members not read for notices");
                    return;
                }
            },
        };
        let mut notices = Vec::new();
        for stored in messages {
            if let Some(missed) = Missed::of(room, stored, &members) {
                self.reach.offer(missed);
            }
            if room.kind != RoomKind::Public {
                notices.push(render_activity(
                    &self.templates,
                    room.id,
                    room.name.as_str(),
                    stored,
                ));
            }
        }
        if !notices.is_empty() {
            self.hub.notify(&members, notices);
        }
    }
}

/// A batch's stored messages grouped by room, each room's in the batch's order.
type RoomMessages<'a> = Vec<(&'a Room, Vec<(&'a StoredMessage, &'a MessageView)>)>;

fn by_room(posted: &[(Room, StoredMessage, MessageView)]) -> RoomMessages<'_> {
    let mut rooms: RoomMessages<'_> = Vec::new();
    for (room, stored, view) in posted {
        match rooms.iter_mut().find(|(seen, _)| seen.id == room.id) {
            Some((_, messages)) => messages.push((stored, view)),
            None => rooms.push((room, vec![(stored, view)])),
        }
    }
    rooms
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::crypto::Sealer;
    use crate::domain::{Email, NewRoom, NewUser, RoomId, RoomName, UserId, Username};
    use crate::hub::{LocalHub, Notice, Presence, RoomEvent, Subscription};
    use crate::storage::sql::SqlStorage;

    /// A real hub whose first publication panics, as a bug in rendering or fan-out would.
    struct FailsOnce {
        inner: LocalHub,
        failed: AtomicBool,
    }

    impl Hub for FailsOnce {
        fn join(&self, room: RoomId, user: UserId, username: &str, name: &str) -> Subscription {
            self.inner.join(room, user, username, name)
        }
        fn publish_all(&self, room: RoomId, events: Vec<RoomEvent>) {
            if !self.failed.swap(true, Ordering::SeqCst) {
                panic!("fan-out failed");
            }
            self.inner.publish_all(room, events);
        }
        fn notify(&self, users: &[UserId], notices: Vec<Notice>) {
            self.inner.notify(users, notices);
        }
        fn presence(&self, room: RoomId) -> Presence {
            self.inner.presence(room)
        }
        fn online_count(&self) -> usize {
            self.inner.online_count()
        }
        fn is_online(&self, user: UserId) -> bool {
            self.inner.is_online(user)
        }
        fn eject_user(&self, user: UserId) -> usize {
            self.inner.eject_user(user)
        }
        fn eject_from_room(&self, room: RoomId, user: UserId) -> usize {
            self.inner.eject_from_room(room, user)
        }
        fn close_room(&self, room: RoomId) -> usize {
            self.inner.close_room(room)
        }
    }

    #[tokio::test]
    async fn posting_works_again_after_a_batch_failed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("db.sqlite3").display()
        );
        let storage = SqlStorage::connect(&url).await.unwrap();
        storage.migrate().await.unwrap();
        let storage: Arc<dyn Storage> = Arc::new(storage);
        let room = storage
            .ensure_room(NewRoom {
                name: RoomName::public(),
                title: "Public chat".into(),
                kind: RoomKind::Public,
                admin: None,
            })
            .await
            .unwrap();
        let ann = storage
            .create_user(NewUser {
                username: Username::parse("ann").unwrap(),
                email: Email::parse("ann@example.org").unwrap(),
                password_hash: "$argon2id$placeholder".into(),
                is_admin: false,
            })
            .await
            .unwrap();
        let hub = Arc::new(FailsOnce {
            inner: LocalHub::new(Box::new(|presence: &Presence| RoomEvent {
                message_id: None,
                html: presence.usernames.join(",").into(),
                json: String::new().into(),
                from: None,
            })),
            failed: AtomicBool::new(false),
        });
        let outbox = Outbox::start(Delivery {
            hub,
            members: Arc::new(Members::new(Arc::clone(&storage))),
            storage: Arc::clone(&storage),
            templates: Arc::new(Templates::new()),
            reach: Arc::new(Reach::off()),
        });
        let sealer = Sealer::new(&[fernet::Fernet::generate_key()]).unwrap();
        let new = |text: &str| NewMessage {
            room: room.id,
            author: ann.id,
            body: super::super::bodies::seal(&sealer, text, &|_| false).0,
            reply_to: None,
            mentions: Vec::new(),
        };

        let first = outbox
            .submit(&room, new("lost"), MessageText::rendered("lost".into()))
            .await
            .unwrap();
        assert!(
            first.committed().await.is_err(),
            "a batch that failed acknowledges nothing"
        );
        let second = outbox
            .submit(&room, new("saved"), MessageText::rendered("saved".into()))
            .await
            .unwrap();
        let (stored, view) = second
            .committed()
            .await
            .expect("the restarted outbox stores");
        assert_eq!(view.text.words, "saved");
        let newest = storage.messages_before(room.id, None, 1).await.unwrap();
        assert_eq!(newest[0].id, stored.id);
    }
}
