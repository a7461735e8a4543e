//! Group commit for new messages. Every entrance (WebSocket, REST) hands its sealed message
//! to one task, which stores whatever was queued meanwhile with one statement, publishes
//! the whole batch to the hub, and only then answers each sender: a message is
//! acknowledged only once committed.
//!
//! Publishing a batch in one piece per room is what makes fan-out cheap under load: every
//! socket of the room finds the batch's events together and writes them in one socket
//! write, where publishing them one by one would wake each socket once per message.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::domain::{NewMessage, Room, RoomKind, StoredMessage};
use crate::frontend::pages::view::MessageView;
use crate::frontend::templates::Templates;
use crate::frontend::ws::{render_activity, render_message};
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

/// What live delivery needs: the hub, the templates, and storage for member lists.
#[derive(Clone)]
pub struct Delivery {
    pub hub: Arc<dyn Hub>,
    pub storage: Arc<dyn Storage>,
    pub templates: Arc<Templates>,
}

/// A message stored and shown: what its sender gets back.
pub type Posted = (StoredMessage, MessageView);

struct Pending {
    new: NewMessage,
    room: Room,
    /// The plaintext, for rendering; storage only ever sees `new.body`, sealed.
    body: String,
    reply: oneshot::Sender<StorageResult<Posted>>,
}

/// The queue into the group-commit task.
pub struct Outbox {
    queue: mpsc::Sender<Pending>,
}

impl Outbox {
    /// Starts the outbox's task on the current runtime; it ends when the outbox is dropped.
    pub fn start(delivery: Delivery) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE);
        tokio::spawn(run(delivery, incoming));
        Self { queue }
    }

    /// Queues `new` (whose plaintext is `body`) for `room` behind every message submitted
    /// before it, and returns once queued; the answer says when it is committed and
    /// delivered. A sender can so have several messages in one batch, still stored in the
    /// order submitted.
    pub async fn submit(
        &self,
        room: &Room,
        new: NewMessage,
        body: String,
    ) -> StorageResult<Submitted> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending {
                new,
                room: room.clone(),
                body,
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

async fn run(delivery: Delivery, mut incoming: mpsc::Receiver<Pending>) {
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
        .map(|p| (p.new, (p.room, p.body, p.reply)))
        .unzip();
    let results = delivery.storage.append_messages(news).await;
    let mut posted = Vec::with_capacity(waiting.len());
    let mut replies = Vec::with_capacity(waiting.len());
    for ((room, body, reply), result) in waiting.into_iter().zip(results) {
        match result {
            Ok(stored) => {
                let view = MessageView::new(&stored, body);
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
    pub fn of(state: &crate::frontend::state::AppState) -> Self {
        Self {
            hub: Arc::clone(&state.hub),
            storage: Arc::clone(&state.storage),
            templates: Arc::clone(&state.templates),
        }
    }

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
    /// notice each. The member ids come from storage's remembered member lists, read once
    /// per call; the public room has no members and no notices.
    pub async fn notify_new(&self, room: &Room, messages: impl Iterator<Item = &StoredMessage>) {
        if room.kind == RoomKind::Public {
            return;
        }
        match self.storage.member_ids(room.id).await {
            Ok(members) => {
                let notices = messages
                    .map(|stored| {
                        render_activity(&self.templates, room.id, room.name.as_str(), stored)
                    })
                    .collect();
                self.hub.notify(&members, notices);
            }
            Err(e) => tracing::error!(error = %e, "members not read for notices"),
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
