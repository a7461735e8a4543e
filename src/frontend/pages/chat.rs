//! `/chat/`: the public chat: recent history, who is online, and the live message form.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;

use super::base_context;
use super::view::MessageView;
use crate::domain::{Room, RoomName, StoredMessage, User};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;

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

pub async fn render_public_chat(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<HttpResponse, AppError> {
    let room = state.storage.room_by_name(&RoomName::public()).await?;
    let recent = state
        .storage
        .messages_before(room.id, None, state.settings.chat.history)
        .await?;
    let messages = open_messages(state, recent.iter().rev())?;
    let online = state.hub.presence(room.id).usernames;
    let context = context! {
        room => room_view(&room),
        messages => minijinja::Value::from(minijinja::value::Serde(&messages)),
        online => online,
        ..base_context(session, Some(user))?
    };
    state.templates.page(request, "pages/chat.html", context)
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

fn room_view(room: &Room) -> minijinja::Value {
    context! { name => room.name.as_str(), title => room.title.clone(), kind => room.kind.as_str() }
}
