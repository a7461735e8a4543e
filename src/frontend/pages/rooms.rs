//! Opening rooms: a new group chat, and the private chat with one person.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::domain::room::parse_title;
use crate::domain::{RoomName, Username};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::{base_context, see_other};
use crate::frontend::state::AppState;

#[derive(Debug, Deserialize)]
pub struct NewGroupForm {
    #[serde(default)]
    title: String,
}

fn room_location(name: &RoomName) -> String {
    format!("/chat/room/{name}/")
}

/// `GET /chat/dm/{username}/`: opens (creating when needed) the private room of the
/// signed-in person and `username`.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn dm_get(
    state: web::Data<AppState>,
    username: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&username).map_err(|_| AppError::NotFound)?;
    let peer = state.storage.user_by_username(&username).await?;
    if peer.id == me.id || !peer.is_active {
        return Err(AppError::NotFound);
    }
    let room = state.storage.private_room(me.id, peer.id).await?;
    Ok(see_other(room_location(&room.name)))
}

/// `GET /chat/new_groupchat/`
pub async fn new_group_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let context =
        context! { error => Value::from(()), title => "", ..base_context(&session, Some(&me))? };
    state
        .templates
        .page(&request, "pages/new_group.html", context)
}

/// `POST /chat/new_groupchat/`: creates a group with the signed-in person as its admin.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn new_group_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(me): CurrentUser,
    form: web::Form<NewGroupForm>,
) -> Result<HttpResponse, AppError> {
    let title = match parse_title(&form.title) {
        Ok(title) => title,
        Err(problem) => {
            let context = context! { error => problem.0, title => form.title.trim(), ..base_context(&session, Some(&me))? };
            return state.templates.page_with_status(
                &request,
                "pages/new_group.html",
                context,
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let room = state.chat.create_group(&me, &title, Vec::new()).await?;
    Ok(see_other(room_location(&room.name)))
}
