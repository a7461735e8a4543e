//! Reaching people who are not looking. A message that mentions someone, or a DM, is
//! noted for them (missed-mail mails what is still unread later) and pushed to each device
//! they turned Web Push on for when they have no socket open, as far as the room's level
//! allows. Delivery only ever offers work to a bounded queue and moves on: a push service
//! that hangs or fails never delays a message.

pub mod push;
pub mod services;

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

use crate::domain::{MessageId, Room, RoomKind, StoredMessage, UserId};
use crate::frontend::present::view::room_page;
use crate::hub::Hub;
use crate::storage::Storage;
use push::{Outcome, Payload, PushSender};

/// Messages that may wait to be pushed; more are dropped (and logged), never waited for.
const QUEUE: usize = 1024;
/// Requests to push services in flight at once.
const IN_FLIGHT: usize = 16;

/// Why someone hears of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Mentioned,
    Direct,
}

/// A new message, and who might want to hear of it.
#[derive(Debug, Clone)]
pub struct Missed {
    pub room: Room,
    pub message: MessageId,
    pub author: String,
    pub to: Vec<(UserId, Why)>,
}

impl Missed {
    /// Who `message` of `room` concerns: the people it mentions and, in a private chat,
    /// its other member (`members` are the room's). Never its author. `None` when no one.
    pub fn of(room: &Room, message: &StoredMessage, members: &[UserId]) -> Option<Self> {
        let author = message.author.as_ref()?;
        let mut to: Vec<(UserId, Why)> = message
            .mentions
            .iter()
            .map(|person| (person.id, Why::Mentioned))
            .collect();
        if room.kind == RoomKind::Private {
            for member in members {
                if !to.iter().any(|(id, _)| id == member) {
                    to.push((*member, Why::Direct));
                }
            }
        }
        to.retain(|(id, _)| *id != author.id);
        (!to.is_empty()).then(|| Self {
            room: room.clone(),
            message: message.id,
            author: author.shown_name().to_owned(),
            to,
        })
    }

    fn payload(&self, why: Why) -> Payload {
        let (title, body) = match why {
            Why::Direct => (self.author.clone(), "sent you a message".to_owned()),
            Why::Mentioned => (
                format!("{} in {}", self.author, self.room.title),
                "mentioned you".to_owned(),
            ),
        };
        Payload {
            title,
            body,
            url: room_page(&self.room),
            tag: format!("hearth-room-{}", self.room.name.as_str()),
        }
    }
}

/// The queue into the push task; a no-op when push is off.
pub struct Reach {
    queue: Option<mpsc::Sender<Missed>>,
    public_key: Option<String>,
}

impl Reach {
    /// Push is off: offers are dropped.
    pub fn off() -> Self {
        Self {
            queue: None,
            public_key: None,
        }
    }

    /// Starts the task on the current runtime, supervised; `push` is `None` when push is
    /// off (what is missed is still noted for mail).
    pub fn start(storage: Arc<dyn Storage>, hub: Arc<dyn Hub>, push: Option<PushSender>) -> Self {
        let public_key = push.as_ref().map(|sender| sender.public_key().to_owned());
        let (queue, incoming) = mpsc::channel(QUEUE);
        let incoming = Arc::new(tokio::sync::Mutex::new(incoming));
        let worker = Arc::new(Worker {
            storage,
            hub,
            push,
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
        });
        crate::supervise::spawn("push", move || {
            run(Arc::clone(&worker), Arc::clone(&incoming))
        });
        Self {
            queue: Some(queue),
            public_key,
        }
    }

    /// The VAPID public key browsers subscribe with; `None` when push is off.
    pub fn public_key(&self) -> Option<&str> {
        self.public_key.as_deref()
    }

    /// Hands `missed` to the push task without waiting: a full queue drops it.
    pub fn offer(&self, missed: Missed) {
        let Some(queue) = &self.queue else {
            return;
        };
        if let Err(mpsc::error::TrySendError::Full(dropped)) = queue.try_send(missed) {
            tracing::warn!(room = %dropped.room.name.as_str(), "push queue full; a notification was dropped");
        }
    }
}

struct Worker {
    storage: Arc<dyn Storage>,
    hub: Arc<dyn Hub>,
    push: Option<PushSender>,
    in_flight: Arc<Semaphore>,
}

async fn run(worker: Arc<Worker>, incoming: Arc<tokio::sync::Mutex<mpsc::Receiver<Missed>>>) {
    let mut incoming = incoming.lock().await;
    while let Some(missed) = incoming.recv().await {
        let mut wanted = Vec::with_capacity(missed.to.len());
        for (user, why) in &missed.to {
            if worker.wants(&missed, *user, *why).await {
                wanted.push((*user, *why));
            }
        }
        // Noted before any push is waited for, so a read mark that comes soon after
        // finds the note to cancel.
        let noted = wanted
            .iter()
            .map(|(user, _)| (*user, missed.room.id, missed.message))
            .collect();
        if let Err(error) = worker.storage.note_missed(noted).await {
            tracing::warn!(%error, "missed messages not noted for mail");
        }
        for (user, why) in wanted {
            worker.push_to(&missed, user, why).await;
        }
    }
}

impl Worker {
    /// Whether `user`'s level for the room lets `missed` reach them at all.
    async fn wants(&self, missed: &Missed, user: UserId, why: Why) -> bool {
        match self.storage.notification_levels(user).await {
            Ok(levels) => levels
                .into_iter()
                .find_map(|(room, level)| (room == missed.room.id).then_some(level))
                .unwrap_or_default()
                .wants(why == Why::Direct, why == Why::Mentioned),
            Err(error) => {
                tracing::error!(%error, "notification levels not read; not notified");
                false
            }
        }
    }

    /// Pushes `missed` to each of `user`'s devices unless they are online. Each request
    /// runs as its own task, at most `IN_FLIGHT` at once, so one slow service holds up
    /// only its own requests.
    async fn push_to(self: &Arc<Self>, missed: &Missed, user: UserId, why: Why) {
        if self.push.is_none() || self.hub.is_online(user) {
            return;
        }
        let devices = match self.storage.push_subscriptions(user).await {
            Ok(devices) => devices,
            Err(error) => {
                tracing::error!(%error, "push devices not read; not pushed");
                return;
            }
        };
        let payload = missed.payload(why);
        for device in devices {
            let Ok(permit) = Arc::clone(&self.in_flight).acquire_owned().await else {
                return;
            };
            let worker = Arc::clone(self);
            let payload = payload.clone();
            tokio::spawn(async move {
                let Some(sender) = &worker.push else {
                    return;
                };
                let outcome = sender.send(&device, &payload).await;
                drop(permit);
                match outcome {
                    Outcome::Accepted => tracing::debug!(device = device.id, "pushed"),
                    Outcome::Gone => {
                        tracing::info!(device = device.id, "push subscription gone; forgotten");
                        if let Err(error) =
                            worker.storage.forget_push_endpoint(&device.endpoint).await
                        {
                            tracing::error!(%error, "a gone push subscription was not forgotten");
                        }
                    }
                    Outcome::Failed(why) => tracing::warn!(device = device.id, %why, "push failed"),
                }
            });
        }
    }
}
