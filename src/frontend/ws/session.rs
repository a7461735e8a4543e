//! One socket's life: join the room, relay its events, handle what the client sends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc};

use super::protocol::{Command, Format, Refusal, parse, render_refusal};
use crate::domain::{MessageId, Room, RoomKind, StoredMessage, User};
use crate::frontend::limits;
use crate::frontend::present::events::{render_message, render_typing};
use crate::frontend::service::messages::{ChangeError, PostError, QueuedPost};
use crate::frontend::state::AppState;
use crate::hub::{Ejection, Events, Notice, RoomEvent};

const HEARTBEAT: Duration = Duration::from_secs(30);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(75);
/// How many missed messages one resume page reads from storage.
const RESUME_PAGE: u64 = 200;
/// Closed with this when the socket fell behind the room's buffer; the client resumes.
pub const CLOSE_TOO_SLOW: u16 = 4008;
/// Closed with this when the account was deactivated or deleted: do not reconnect.
pub const CLOSE_ACCOUNT_CLOSED: u16 = 4003;
/// Closed with this when the person was removed from the room or the room was deleted.
pub const CLOSE_NOT_A_MEMBER: u16 = 4004;
/// How many queued events one turn of the loop writes before yielding (a batch is never
/// split): they leave in one socket write (actix-ws encodes everything queued into one
/// buffer), not one each.
const EVENTS_PER_TURN: usize = 64;
/// A socket writes its person's read mark at most this often: reading a busy room costs
/// one small UPDATE per socket per interval, not one per message.
const MARK_READ_EVERY: Duration = Duration::from_secs(2);
/// A socket relays at most one typing event per this interval; the rest are dropped
/// silently (clients send one every ~2 s while typing, so nothing is lost).
const TYPING_EVERY: Duration = Duration::from_millis(1500);

/// What one socket remembers between frames.
struct Tracking {
    /// Live events at or below this id were already sent by a resume.
    sent_up_to: MessageId,
    /// The newest message this socket has shown its person.
    read_up_to: MessageId,
    /// The read mark last written to storage by this socket.
    marked: MessageId,
    last_typing: Option<Instant>,
}

pub struct Connection {
    pub state: Arc<AppState>,
    pub room: Room,
    pub user: User,
    pub format: Format,
}

/// Why the loop stopped, and how to tell the client.
enum Exit {
    Gone,
    Close(CloseReason),
}

pub async fn run(conn: Connection, mut ws: actix_ws::Session, mut stream: AggregatedMessageStream) {
    let conn = Arc::new(conn);
    // Started on the first write: most sockets only read, and an idle one should cost as
    // little memory as possible.
    let mut posts: Option<mpsc::Sender<Write>> = None;
    let mut subscription = conn.state.hub.join(
        conn.room.id,
        conn.user.id,
        &conn.user.username,
        conn.user.shown_name(),
    );
    // The account may have been closed, or the person removed from the room, between the
    // upgrade's check and joining: that ejection reached no socket, so look again now that
    // this one would get it.
    if let Some(why) = ejection_since_upgrade(&conn).await {
        drop(subscription);
        let _ = ws.close(Some(close_reason(why))).await;
        return;
    }
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    // Armed only while something read waits to be marked; one timer, reset when armed, so
    // relaying an event never registers a new one. An idle socket never polls it.
    let mark_timer = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(mark_timer);
    let mut mark_armed = false;
    let mut last_heard = Instant::now();
    let mut seen = Tracking {
        sent_up_to: MessageId(0),
        read_up_to: MessageId(0),
        marked: MessageId(0),
        last_typing: None,
    };
    let mut notices_open = true;

    let exit = loop {
        if !mark_armed && seen.read_up_to > seen.marked {
            mark_timer
                .as_mut()
                .reset(tokio::time::Instant::now() + MARK_READ_EVERY);
            mark_armed = true;
        }
        tokio::select! {
            incoming = stream.recv() => {
                last_heard = Instant::now();
                match incoming {
                    None | Some(Ok(AggregatedMessage::Close(_))) => break Exit::Gone,
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        if let Err(exit) = on_text(&conn, &mut ws, &mut posts, &text, &mut seen).await {
                            break exit;
                        }
                    }
                    Some(Ok(AggregatedMessage::Binary(_))) => {
                        let refusal = Refusal::new("binary_unsupported", "Binary frames are not accepted; send JSON text.");
                        if send_refusal(&conn, &mut ws, &refusal).await.is_err() { break Exit::Gone; }
                    }
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if ws.pong(&bytes).await.is_err() { break Exit::Gone; }
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Err(ProtocolError::Overflow)) => {
                        break Exit::Close(CloseReason { code: CloseCode::Size, description: Some("frame too large".into()) });
                    }
                    Some(Err(_)) => {
                        break Exit::Close(CloseReason { code: CloseCode::Protocol, description: None });
                    }
                }
            }
            event = subscription.events.recv() => match event {
                Ok(events) => {
                    if relay_queued(&conn, &mut ws, events, &mut subscription.events, &mut seen).await.is_err() {
                        break Exit::Gone;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, user = %conn.user.id, "socket too slow, closing");
                    break Exit::Close(CloseReason {
                        code: CloseCode::Other(CLOSE_TOO_SLOW),
                        description: Some("too slow: reconnect and resume".into()),
                    });
                }
                Err(RecvError::Closed) => break Exit::Gone,
            },
            changed = subscription.ejected.changed() => {
                let why = *subscription.ejected.borrow_and_update();
                match (why, changed) {
                    (Some(why), _) => {
                        tracing::info!(user = %conn.user.id, ?why, "socket ejected");
                        break Exit::Close(close_reason(why));
                    }
                    (None, Ok(())) => {}
                    (None, Err(_)) => break Exit::Gone,
                }
            }
            notice = subscription.notices.recv(), if notices_open => match notice {
                Ok(notice) => {
                    if relay_notice(&conn, &mut ws, &notice).await.is_err() { break Exit::Gone; }
                }
                // A missed notice only leaves a sidebar count stale until the next page.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => notices_open = false,
            },
            () = &mut mark_timer, if mark_armed => {
                mark_armed = false;
                mark_read_now(&conn, &mut seen);
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > CLIENT_TIMEOUT { break Exit::Gone; }
                if ws.ping(b"").await.is_err() { break Exit::Gone; }
            }
        }
    };
    drop(subscription);
    mark_read_now(&conn, &mut seen);
    if let Exit::Close(reason) = exit {
        let _ = ws.close(Some(reason)).await;
    } else {
        let _ = ws.close(None).await;
    }
}

fn close_reason(why: Ejection) -> CloseReason {
    let (code, description) = match why {
        Ejection::AccountClosed => (CLOSE_ACCOUNT_CLOSED, "account closed"),
        Ejection::RemovedFromRoom => (CLOSE_NOT_A_MEMBER, "no longer a member of this room"),
        Ejection::RoomDeleted => (CLOSE_NOT_A_MEMBER, "room deleted"),
    };
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.into()),
    }
}

/// Whether the socket's owner lost the account or the room since the upgrade checked; a
/// storage failure keeps the socket (the upgrade already checked once).
async fn ejection_since_upgrade(conn: &Connection) -> Option<Ejection> {
    let storage = &conn.state.storage;
    let checked = async {
        if !storage.user_by_id(conn.user.id).await?.is_active {
            return Ok(Some(Ejection::AccountClosed));
        }
        if !conn.state.chat.may_enter(&conn.room, &conn.user).await? {
            return Ok(Some(Ejection::RemovedFromRoom));
        }
        Ok(None)
    };
    match checked.await {
        Ok(ejection) => ejection,
        Err(crate::storage::StorageError::NotFound) => Some(Ejection::AccountClosed),
        Err(error) => {
            tracing::error!(%error, "could not re-check the socket's access");
            None
        }
    }
}

/// Relays `first` and whatever else is already queued, up to `EVENTS_PER_TURN` events:
/// they go out in the same socket write. A lag or a close shows up on the next `recv`.
async fn relay_queued(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    first: Events,
    events: &mut broadcast::Receiver<Events>,
    seen: &mut Tracking,
) -> Result<(), actix_ws::Closed> {
    let mut relayed = 0;
    let mut next = Some(first);
    while let Some(batch) = next {
        for event in batch.iter() {
            relay(conn, ws, event, seen).await?;
        }
        relayed += batch.len();
        next = if relayed < EVENTS_PER_TURN {
            events.try_recv().ok()
        } else {
            None
        };
    }
    Ok(())
}

/// Sends one room event in this socket's format, unless a resume already sent it or
/// this socket's own person caused it (typing).
async fn relay(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    event: &RoomEvent,
    seen: &mut Tracking,
) -> Result<(), actix_ws::Closed> {
    if event.message_id.is_some_and(|id| id <= seen.sent_up_to) {
        return Ok(());
    }
    if event.from == Some(conn.user.id) {
        return Ok(());
    }
    if let Some(id) = event.message_id {
        seen.read_up_to = seen.read_up_to.max(id);
    }
    ws.text(bytes_of(conn, event)).await
}

fn bytes_of(conn: &Connection, event: &RoomEvent) -> bytestring::ByteString {
    match conn.format {
        Format::Html => event.html.clone(),
        Format::Json => event.json.clone(),
    }
}

/// Sends a notice about another of the person's rooms; this room's own news already
/// arrives as room events.
async fn relay_notice(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    notice: &Notice,
) -> Result<(), actix_ws::Closed> {
    if notice.room == conn.room.id {
        return Ok(());
    }
    ws.text(bytes_of(conn, &notice.event)).await
}

/// Writes the read mark if this socket showed anything new since the last write, off the
/// loop. In the public room (no memberships) it only tells missed-mail what was seen.
fn mark_read_now(conn: &Arc<Connection>, seen: &mut Tracking) {
    if seen.read_up_to <= seen.marked {
        return;
    }
    seen.marked = seen.read_up_to;
    conn.state
        .chat
        .mark_read(conn.room.id, conn.user.id, seen.read_up_to);
}

/// Messages a socket sent that wait for storage; beyond this it is told to slow down.
const POST_QUEUE: usize = 64;
/// Posts of one socket queued in the outbox at once, waiting for their commit: a sender
/// that writes faster than one batch gets several messages into the next one.
const POSTS_IN_FLIGHT: usize = 32;

/// A write this socket asked for, waiting its turn.
enum Write {
    /// Words, and the message they answer.
    Post(String, Option<MessageId>),
    Change(Change),
}

/// A change to a message already stored.
enum Change {
    Edit(MessageId, String),
    Delete(MessageId),
    /// A reaction added (true) or removed.
    React(MessageId, String, bool),
}

/// Stores this socket's writes (posts, edits, deletes) in the order sent, off the socket's
/// loop: the loop keeps relaying the room while writes are in flight, so a busy sender
/// never falls behind its own room. Posts are queued in the outbox without waiting for the
/// ones before them to commit (the outbox keeps their order); an edit or a delete waits
/// until every earlier post is stored.
fn start_poster(conn: Arc<Connection>, mut ws: actix_ws::Session) -> mpsc::Sender<Write> {
    let (sender, mut queue) = mpsc::channel::<Write>(POST_QUEUE);
    actix_web::rt::spawn(async move {
        let mut in_flight = FuturesOrdered::new();
        loop {
            let refusal = tokio::select! {
                write = queue.recv(), if in_flight.len() < POSTS_IN_FLIGHT => match write {
                    Some(Write::Post(raw, reply_to)) => match queue_post(&conn, &raw, reply_to).await {
                        Ok(queued) => {
                            in_flight.push_back(queued.committed());
                            continue;
                        }
                        Err(refusal) => refusal,
                    },
                    Some(Write::Change(change)) => {
                        while let Some(posted) = in_flight.next().await {
                            if let Err(error) = posted
                                && send_refusal(&conn, &mut ws, &post_refusal(error)).await.is_err()
                            {
                                return;
                            }
                        }
                        match store_change(&conn, change).await {
                            Ok(()) => continue,
                            Err(refusal) => refusal,
                        }
                    }
                    None => break,
                },
                Some(posted) = in_flight.next() => match posted {
                    Ok(_) => continue,
                    Err(error) => post_refusal(error),
                },
            };
            if send_refusal(&conn, &mut ws, &refusal).await.is_err() {
                break;
            }
        }
        // The socket is gone; posts already queued are stored all the same.
    });
    sender
}

async fn on_text(
    conn: &Arc<Connection>,
    ws: &mut actix_ws::Session,
    posts: &mut Option<mpsc::Sender<Write>>,
    text: &str,
    seen: &mut Tracking,
) -> Result<(), Exit> {
    // Ok: a write for the poster's queue; Err: already settled here (a resume, a refusal).
    let write = match parse_frame(conn, text) {
        Ok(Command::Typing) => {
            typing(conn, seen);
            return Ok(());
        }
        Ok(Command::Send { body, reply_to }) => {
            // A sent message ends a typing burst; the next keystroke starts another.
            seen.last_typing = None;
            Ok(Write::Post(body, reply_to))
        }
        Ok(Command::Edit { id, body }) => Ok(Write::Change(Change::Edit(id, body))),
        Ok(Command::Delete { id }) => Ok(Write::Change(Change::Delete(id))),
        Ok(Command::React { id, emoji, add }) => Ok(Write::Change(Change::React(id, emoji, add))),
        Ok(Command::Resume { after }) => {
            let resumed = resume(conn, ws, after, &mut seen.sent_up_to).await;
            seen.read_up_to = seen.read_up_to.max(seen.sent_up_to);
            Err(resumed)
        }
        Err(refusal) => Err(Err(refusal)),
    };
    let outcome = match write {
        Ok(write) => posts
            .get_or_insert_with(|| start_poster(Arc::clone(conn), ws.clone()))
            .try_send(write)
            .map_err(|error| match error {
                TrySendError::Full(_) => Refusal::new(
                    "busy",
                    "Too many of your messages are waiting to be saved; slow down.",
                ),
                TrySendError::Closed(_) => {
                    Refusal::new("unavailable", "This connection is closing.")
                }
            }),
        Err(done) => done,
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(refusal) => send_refusal(conn, ws, &refusal)
            .await
            .map_err(|_| Exit::Gone),
    }
}

fn parse_frame(conn: &Connection, text: &str) -> Result<Command, Refusal> {
    let max = conn.state.settings.limits.ws_max_frame;
    if text.len() > max {
        return Err(Refusal::new(
            "too_large",
            format!("Frames are limited to {} KiB.", max / 1024),
        ));
    }
    let command = parse(text);
    // Typing has its own per-socket throttle: it must not use up the person's allowance
    // for messages.
    if command != Ok(Command::Typing)
        && limits::check(&conn.state.limits.ws_messages, &conn.user.id).is_err()
    {
        return Err(Refusal::new(
            "rate_limited",
            "You are sending too fast; slow down.",
        ));
    }
    command
}

/// Relays a typing event to the room's other sockets, at most once per `TYPING_EVERY`
/// per socket.
fn typing(conn: &Connection, seen: &mut Tracking) {
    let now = Instant::now();
    if seen
        .last_typing
        .is_some_and(|last| now.duration_since(last) < TYPING_EVERY)
    {
        return;
    }
    seen.last_typing = Some(now);
    conn.state.hub.publish(
        conn.room.id,
        render_typing(&conn.state.templates, &conn.user),
    );
}

/// Membership can end while the socket is open (removed, left): every write checks it.
async fn still_member(conn: &Connection) -> Result<(), Refusal> {
    if conn.room.kind == RoomKind::Public {
        return Ok(());
    }
    match conn.state.chat.may_enter(&conn.room, &conn.user).await {
        Ok(true) => Ok(()),
        _ => Err(Refusal::new(
            "not_member",
            "You are no longer a member of this room.",
        )),
    }
}

/// Queues a new message; nothing is stored when it is refused.
async fn queue_post(
    conn: &Connection,
    raw: &str,
    reply_to: Option<MessageId>,
) -> Result<QueuedPost, Refusal> {
    still_member(conn).await?;
    conn.state
        .chat
        .queue_post(&conn.room, &conn.user, raw, reply_to)
        .await
        .map_err(post_refusal)
}

fn post_refusal(error: PostError) -> Refusal {
    match error {
        PostError::Invalid(detail) => Refusal::new("invalid", detail),
        PostError::Reply(detail) => Refusal::new("not_found", detail),
        PostError::NotStored => {
            Refusal::new("unavailable", "The message could not be saved; try again.")
        }
    }
}

/// Carries out an edit, a delete or a reaction; nothing changes when it is refused.
async fn store_change(conn: &Connection, change: Change) -> Result<(), Refusal> {
    still_member(conn).await?;
    let (chat, room, user) = (&conn.state.chat, &conn.room, &conn.user);
    let missing = match change {
        Change::React(..) => "No such message in this room.",
        Change::Edit(..) | Change::Delete(..) => "No such message of yours in this room.",
    };
    let changed = match change {
        Change::Edit(id, raw) => chat.edit_message(room, user, id, &raw).await.map(|_| ()),
        Change::Delete(id) => chat.delete_message(room, user, id).await,
        Change::React(id, emoji, add) => chat.react(room, user, id, &emoji, add).await.map(|_| ()),
    };
    changed.map_err(|error| match error {
        ChangeError::Invalid(detail) => Refusal::new("invalid", detail),
        ChangeError::NotFound => Refusal::new("not_found", missing),
        ChangeError::NotStored => {
            Refusal::new("unavailable", "The change could not be saved; try again.")
        }
    })
}

/// Sends this socket every message after `after`, oldest first, before live traffic.
async fn resume(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    after: MessageId,
    sent_up_to: &mut MessageId,
) -> Result<(), Refusal> {
    let mut cursor = after;
    loop {
        let page = conn
            .state
            .storage
            .messages_after(conn.room.id, cursor, RESUME_PAGE)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "resume read failed");
                Refusal::new(
                    "unavailable",
                    "Missed messages could not be loaded; try again.",
                )
            })?;
        for message in &page {
            let bytes = render_one(conn, message)?;
            if ws.text(bytes).await.is_err() {
                return Ok(());
            }
            cursor = message.id;
        }
        *sent_up_to = (*sent_up_to).max(cursor);
        if (page.len() as u64) < RESUME_PAGE {
            return Ok(());
        }
    }
}

fn render_one(
    conn: &Connection,
    message: &StoredMessage,
) -> Result<bytestring::ByteString, Refusal> {
    let view = conn.state.chat.open(message);
    let event = render_message(
        &conn.state.templates,
        conn.room.name.as_str(),
        message,
        &view,
    )
    .map_err(|_| Refusal::new("unavailable", "A message could not be shown."))?;
    Ok(match conn.format {
        Format::Html => event.html,
        Format::Json => event.json,
    })
}

async fn send_refusal(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    refusal: &Refusal,
) -> Result<(), actix_ws::Closed> {
    ws.text(render_refusal(
        &conn.state.templates,
        refusal,
        conn.format == Format::Json,
    ))
    .await
}
