//! `/admin/rooms/`: every room (public, group, private) with its member and message counts;
//! one room's members and recent messages; deleting a room; deleting any message.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::AdminUser;
use super::dashboard::admin_context;
use crate::audit;
use crate::domain::{MessageId, Room, RoomId, RoomKind};
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::limits::client_ip;
use crate::frontend::present::view::{MessageView, UserView};
use crate::frontend::service::messages::ChangeError;
use crate::frontend::state::AppState;

const PAGE_SIZE: u64 = 50;
/// How many of a room's newest messages its admin page shows.
const RECENT_MESSAGES: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct RoomsQuery {
    page: Option<u64>,
    done: Option<String>,
}

#[derive(Serialize)]
struct RoomRow {
    id: i64,
    name: String,
    title: String,
    kind: &'static str,
    members: u64,
    messages: u64,
    created: String,
}

fn row(room: &Room, members: u64, messages: u64) -> RoomRow {
    RoomRow {
        id: room.id.0,
        name: room.name.to_string(),
        title: room.title.clone(),
        kind: room.kind.as_str(),
        members,
        messages,
        created: room.created.format("%Y-%m-%d").to_string(),
    }
}

fn audit_target(room: &Room) -> String {
    format!("{} (#{})", room.name, room.id.0)
}

/// `GET /admin/rooms/?page=`
pub async fn rooms_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
    query: web::Query<RoomsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    let (stats, total) = state
        .storage
        .rooms_with_stats((page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
        .await?;
    let rows: Vec<RoomRow> = stats
        .iter()
        .map(|s| row(&s.room, s.members, s.messages))
        .collect();
    let context = context! {
        rooms => Value::from(minijinja::value::Serde(rows)),
        page => page,
        pages => total.div_ceil(PAGE_SIZE).max(1),
        total => total,
        deleted => query.done.as_deref() == Some("delete"),
        ..admin_context(&session, &admin, "rooms")?
    };
    state.templates.page(&request, "admin/rooms.html", context)
}

/// `GET /admin/rooms/{id}/`: members and the newest messages, opened for display.
pub async fn room_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let room = state.storage.room_by_id(RoomId(*id)).await?;
    let members: Vec<UserView> = state
        .storage
        .members_of(room.id)
        .await?
        .iter()
        .map(UserView::from)
        .collect();
    let mut messages: Vec<MessageView> = state
        .storage
        .messages_before(room.id, None, RECENT_MESSAGES)
        .await?
        .iter()
        .map(|m| state.chat.open(m))
        .collect();
    messages.reverse();
    let context = context! {
        room => Value::from(minijinja::value::Serde(row(&room, members.len() as u64, 0))),
        members => Value::from(minijinja::value::Serde(members)),
        messages => Value::from(minijinja::value::Serde(messages)),
        ..admin_context(&session, &admin, "rooms")?
    };
    state.templates.page(&request, "admin/room.html", context)
}

/// `POST /admin/rooms/{id}/delete/`: the room with its memberships and messages. The
/// public room is everyone's and stays.
#[tracing::instrument(skip_all, fields(admin = %admin.id))]
pub async fn room_delete_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let room = state.storage.room_by_id(RoomId(*id)).await?;
    if room.kind == RoomKind::Public {
        return Err(AppError::BadRequest(
            "The public room cannot be deleted; delete its messages instead.".into(),
        ));
    }
    state.chat.delete_room(room.id).await?;
    audit::append(
        &*state.storage,
        audit::admin_action(
            &admin,
            "room.delete",
            audit_target(&room),
            room.kind.as_str(),
            client_ip(&request),
        ),
    )
    .await;
    Ok(see_other("/admin/rooms/?done=delete"))
}

/// `POST /admin/rooms/{id}/messages/{message}/delete/`: moderation; the room's open sockets
/// see the message go, as when its author deletes it.
#[tracing::instrument(skip_all, fields(admin = %admin.id))]
pub async fn message_delete_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (room_id, message_id) = path.into_inner();
    let room = state.storage.room_by_id(RoomId(room_id)).await?;
    let message = state
        .storage
        .message_by_id(room.id, MessageId(message_id))
        .await?;
    match state.chat.moderate_message(&room, message.id).await {
        Ok(()) => {}
        Err(ChangeError::NotFound) => return Err(AppError::NotFound),
        Err(other) => return Err(AppError::Internal(other.to_string())),
    }
    let author = message
        .author
        .map_or_else(|| "deleted user".to_owned(), |a| a.username);
    audit::append(
        &*state.storage,
        audit::admin_action(
            &admin,
            "message.delete",
            format!("message #{} in {}", message_id, audit_target(&room)),
            format!("written by {author}"),
            client_ip(&request),
        ),
    )
    .await;
    Ok(see_other(format!("/admin/rooms/{}/", room.id.0)))
}
