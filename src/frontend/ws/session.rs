//! One socket's life: join the room, relay its events, handle what the client sends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use super::events::{render_message, render_refusal};
use super::protocol::{Command, Format, Refusal, parse};
use crate::domain::{MessageId, Room, RoomKind, StoredMessage, User};
use crate::frontend::limits;
use crate::frontend::messaging::{
    ChangeError, PostError, delete_message, edit_message, post_message,
};
use crate::frontend::pages::view::MessageView;
use crate::frontend::state::AppState;

const HEARTBEAT: Duration = Duration::from_secs(30);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(75);
/// How many missed messages one resume page reads from storage.
const RESUME_PAGE: u64 = 200;
/// Closed with this when the socket fell behind the room's buffer; the client resumes.
pub const CLOSE_TOO_SLOW: u16 = 4008;

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
    let posts = start_poster(Arc::clone(&conn), ws.clone());
    let mut subscription = conn
        .state
        .hub
        .join(conn.room.id, conn.user.id, &conn.user.username);
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut last_heard = Instant::now();
    // Live events at or below this id were already sent by a resume.
    let mut sent_up_to = MessageId(0);

    let exit = loop {
        tokio::select! {
            incoming = stream.recv() => {
                last_heard = Instant::now();
                match incoming {
                    None | Some(Ok(AggregatedMessage::Close(_))) => break Exit::Gone,
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        if let Err(exit) = on_text(&conn, &mut ws, &posts, &text, &mut sent_up_to).await {
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
                Ok(event) => {
                    if event.message_id.is_some_and(|id| id <= sent_up_to) {
                        continue;
                    }
                    let bytes = match conn.format { Format::Html => event.html.clone(), Format::Json => event.json.clone() };
                    if ws.text(bytes).await.is_err() { break Exit::Gone; }
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
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > CLIENT_TIMEOUT { break Exit::Gone; }
                if ws.ping(b"").await.is_err() { break Exit::Gone; }
            }
        }
    };
    drop(subscription);
    if let Exit::Close(reason) = exit {
        let _ = ws.close(Some(reason)).await;
    } else {
        let _ = ws.close(None).await;
    }
}

/// Messages a socket sent that wait for storage; beyond this it is told to slow down.
const POST_QUEUE: usize = 64;

/// A write this socket asked for, waiting its turn.
enum Write {
    Post(String),
    Edit(MessageId, String),
    Delete(MessageId),
}

/// Stores this socket's writes (posts, edits, deletes) one after another, in the order
/// sent, off the socket's loop: the loop keeps relaying the room while a write is in
/// flight, so a busy sender never falls behind its own room.
fn start_poster(conn: Arc<Connection>, mut ws: actix_ws::Session) -> mpsc::Sender<Write> {
    let (sender, mut queue) = mpsc::channel::<Write>(POST_QUEUE);
    actix_web::rt::spawn(async move {
        while let Some(write) = queue.recv().await {
            if let Err(refusal) = store(&conn, write).await
                && send_refusal(&conn, &mut ws, &refusal).await.is_err()
            {
                break;
            }
        }
    });
    sender
}

async fn on_text(
    conn: &Connection,
    ws: &mut actix_ws::Session,
    posts: &mpsc::Sender<Write>,
    text: &str,
    sent_up_to: &mut MessageId,
) -> Result<(), Exit> {
    // Ok: a write for the poster's queue; Err: already settled here (a resume, a refusal).
    let write = match parse_frame(conn, text) {
        Ok(Command::Send { body }) => Ok(Write::Post(body)),
        Ok(Command::Edit { id, body }) => Ok(Write::Edit(id, body)),
        Ok(Command::Delete { id }) => Ok(Write::Delete(id)),
        Ok(Command::Resume { after }) => Err(resume(conn, ws, after, sent_up_to).await),
        Err(refusal) => Err(Err(refusal)),
    };
    let outcome = match write {
        Ok(write) => posts.try_send(write).map_err(|error| match error {
            TrySendError::Full(_) => Refusal::new(
                "busy",
                "Too many of your messages are waiting to be saved; slow down.",
            ),
            TrySendError::Closed(_) => Refusal::new("unavailable", "This connection is closing."),
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
    if limits::check(&conn.state.limits.ws_messages, &conn.user.id).is_err() {
        return Err(Refusal::new(
            "rate_limited",
            "You are sending too fast; slow down.",
        ));
    }
    parse(text)
}

/// Carries out one write; nothing changes when it is refused.
async fn store(conn: &Connection, write: Write) -> Result<(), Refusal> {
    // Membership can end while the socket is open (removed, left): check every write.
    if conn.room.kind != RoomKind::Public {
        let member = conn
            .state
            .storage
            .is_member(conn.room.id, conn.user.id)
            .await;
        if !matches!(member, Ok(true)) {
            return Err(Refusal::new(
                "not_member",
                "You are no longer a member of this room.",
            ));
        }
    }
    let (state, room, user) = (&conn.state, &conn.room, &conn.user);
    let changed = match write {
        Write::Post(raw) => {
            return match post_message(state, room, user, &raw).await {
                Ok(_) => Ok(()),
                Err(PostError::Invalid(detail)) => Err(Refusal::new("invalid", detail)),
                Err(PostError::NotStored) => Err(Refusal::new(
                    "unavailable",
                    "The message could not be saved; try again.",
                )),
            };
        }
        Write::Edit(id, raw) => edit_message(state, room, user, id, &raw).await.map(|_| ()),
        Write::Delete(id) => delete_message(state, room, user, id).await,
    };
    changed.map_err(|error| match error {
        ChangeError::Invalid(detail) => Refusal::new("invalid", detail),
        ChangeError::NotFound => {
            Refusal::new("not_found", "No such message of yours in this room.")
        }
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
    let body = conn.state.sealer.open_text(&message.body).map_err(|_| {
        tracing::error!(
            message = message.id.0,
            "stored message does not open with any key"
        );
        Refusal::new("unavailable", "A stored message could not be read.")
    })?;
    let view = MessageView::new(message, body);
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
