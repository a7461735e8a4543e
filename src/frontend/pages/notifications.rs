//! `POST /chat/room/{name}/notifications/`: what of a room reaches its reader when they
//! are not looking (everything, mentions and DMs, or nothing), chosen from the room.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;
use serde::Deserialize;

use super::chat::notification_choices;
use crate::domain::NotificationLevel;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::{base_context, see_other};
use crate::frontend::present::templates::is_htmx;
use crate::frontend::present::view::room_page;
use crate::frontend::state::AppState;

#[derive(Debug, Deserialize)]
pub struct LevelForm {
    #[serde(default)]
    level: String,
}

/// Stores the choice; htmx gets the room's bell menu back, a plain form the room.
#[tracing::instrument(skip_all, fields(user = %user.id, room = %name))]
pub async fn level_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    form: web::Form<LevelForm>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = state.chat.room_for(&name, &user).await?;
    let level =
        NotificationLevel::parse(&form.level).map_err(|invalid| AppError::BadRequest(invalid.0))?;
    state
        .storage
        .set_notification_level(room.id, user.id, level)
        .await?;
    if !is_htmx(&request) {
        return Ok(see_other(room_page(&room)));
    }
    let context = context! {
        room => context! { name => room.name.as_str(), level => level.as_str() },
        levels => notification_choices(),
        ..base_context(&session, Some(&user))?
    };
    let html = state
        .templates
        .render("partials/notify_menu.html", context)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
