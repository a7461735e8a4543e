//! Read marks from open sockets, written together. Each socket would otherwise write its
//! own row every couple of seconds: 250 writes a second for a 500-person room. Marks are
//! queued here, merged per (room, person) and written in one transaction twice a second.
//! A mark is a convenience, not a record: when the queue is full one is dropped, and the
//! next one from that socket carries it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};

use crate::domain::{MessageId, RoomId, UserId};
use crate::storage::Storage;

const QUEUE: usize = 8192;
const FLUSH_EVERY: Duration = Duration::from_millis(500);

type Mark = (RoomId, UserId, MessageId);

pub struct ReadMarks {
    queue: mpsc::Sender<Mark>,
}

impl ReadMarks {
    /// Starts the writer on the current runtime, supervised (a panic restarts it on the
    /// same queue).
    pub fn start(storage: Arc<dyn Storage>) -> Self {
        let (queue, marks) = mpsc::channel(QUEUE);
        let marks = Arc::new(Mutex::new(marks));
        crate::supervise::spawn("read marks", move || {
            write_marks(Arc::clone(&storage), Arc::clone(&marks))
        });
        Self { queue }
    }

    /// Queues `user`'s read mark in `room`, up to `up_to`.
    pub fn mark(&self, room: RoomId, user: UserId, up_to: MessageId) {
        if self.queue.try_send((room, user, up_to)).is_err() {
            tracing::debug!(%user, "read mark dropped: queue full");
        }
    }
}

async fn write_marks(storage: Arc<dyn Storage>, marks: Arc<Mutex<mpsc::Receiver<Mark>>>) {
    let mut marks = marks.lock().await;
    let mut every = tokio::time::interval(FLUSH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let mut merged: HashMap<(RoomId, UserId), MessageId> = HashMap::new();
        loop {
            match marks.try_recv() {
                Ok((room, user, up_to)) => {
                    let mark = merged.entry((room, user)).or_insert(up_to);
                    *mark = (*mark).max(up_to);
                }
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    flush(&storage, merged).await;
                    return;
                }
            }
        }
        flush(&storage, merged).await;
    }
}

async fn flush(storage: &Arc<dyn Storage>, merged: HashMap<(RoomId, UserId), MessageId>) {
    if merged.is_empty() {
        return;
    }
    let marks = merged
        .into_iter()
        .map(|((room, user), up_to)| (room, user, up_to))
        .collect();
    if let Err(error) = storage.mark_read_many(marks).await {
        tracing::warn!(%error, "read marks not saved");
    }
}

impl super::Chat {
    /// Queues `user`'s read mark in `room`, up to `up_to`; written with others soon after.
    pub fn mark_read(&self, room: RoomId, user: UserId, up_to: MessageId) {
        self.read_marks.mark(room, user, up_to);
    }
}
