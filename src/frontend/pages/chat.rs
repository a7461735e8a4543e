//! `/chat/` and `/chat/room/{name}/`: a room's recent history, who is online, the live
//! message form, and the list of one's rooms beside it.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Serialize;

use super::base_context;
use super::view::MessageView;
use crate::domain::{Room, RoomKind, RoomName, StoredMessage, User};
use crate::frontend::access;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;
use crate::storage::RoomSummary;

/// `GET /chat/`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn public_chat_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    render_public_chat(&request, &state, &session, &user).await
}

/// `GET /chat/room/{name}/`
#[tracing::instrument(skip_all, fields(user = %user.id, room = %name))]
pub async fn room_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = access::room_for(&state, &name, &user).await?;
    render_room(&request, &state, &session, &user, room).await
}

pub async fn render_public_chat(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<HttpResponse, AppError> {
    let room = state.storage.room_by_name(&RoomName::public()).await?;
    render_room(request, state, session, user, room).await
}

async fn render_room(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
    room: Room,
) -> Result<HttpResponse, AppError> {
    let recent = state
        .storage
        .messages_before(room.id, None, state.settings.chat.history)
        .await?;
    let messages = open_messages(state, recent.iter().rev())?;
    let online = state.hub.presence(room.id).usernames;
    let rooms: Vec<RoomLink> = state
        .storage
        .rooms_of(user.id)
        .await?
        .iter()
        .map(RoomLink::from)
        .collect();
    let title = rooms
        .iter()
        .find(|link| link.name == room.name.as_str())
        .map(|link| link.title.clone())
        .unwrap_or_else(|| room.title.clone());
    let context = context! {
        room => context! { name => room.name.as_str(), title => title, kind => room.kind.as_str() },
        rooms => Value::from(minijinja::value::Serde(&rooms)),
        messages => Value::from(minijinja::value::Serde(&messages)),
        online => online,
        ..base_context(session, Some(user))?
    };
    state.templates.page(request, "pages/chat.html", context)
}

/// A room in the sidebar.
#[derive(Debug, Serialize)]
struct RoomLink {
    name: String,
    title: String,
    kind: &'static str,
}

impl From<&RoomSummary> for RoomLink {
    fn from(summary: &RoomSummary) -> Self {
        let title = match (&summary.room.kind, &summary.peer) {
            (RoomKind::Private, Some(peer)) => peer.clone(),
            _ => summary.room.title.clone(),
        };
        Self {
            name: summary.room.name.as_str().to_owned(),
            title,
            kind: summary.room.kind.as_str(),
        }
    }
}

/// Unseals stored messages for display, in the order given.
pub fn open_messages<'a>(
    state: &AppState,
    messages: impl Iterator<Item = &'a StoredMessage>,
) -> Result<Vec<MessageView>, AppError> {
    messages
        .map(|m| Ok(MessageView::new(m, state.sealer.open_text(&m.body)?)))
        .collect()
}
