//! `/chat/mentions/`: the newest messages that mention the person, across the rooms they
//! can read, each linking to the message in its room.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::chat::room_links;
use crate::domain::MessageId;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::present::view::{MessageView, room_page};
use crate::frontend::state::AppState;

/// Mentions shown per page.
const PAGE: u64 = 30;

#[derive(Debug, Deserialize)]
pub struct MentionsQuery {
    before: Option<String>,
}

/// A mention as the page lists it.
#[derive(Debug, Serialize)]
struct MentionView {
    room_title: String,
    /// Where the message is: its room's page, scrolled to it.
    href: String,
    message: MessageView,
}

/// `GET /chat/mentions/?before=ID`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn mentions_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<MentionsQuery>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let before = match query.before.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(MessageId)
                .ok_or_else(|| AppError::BadRequest("before must be a message id.".into()))?,
        ),
    };
    let (found, more) = state.chat.mentions_of(&user, before, PAGE).await?;
    let older = more.then(|| found.last().map(|(_, m)| m.id.0)).flatten();
    let rooms = room_links(&state, &user).await?;
    let mentions: Vec<MentionView> = found
        .iter()
        .map(|(room, message)| {
            let page = room_page(room);
            let room_title = rooms
                .iter()
                .find(|link| link.name() == room.name.as_str())
                .map_or_else(|| room.title.clone(), |link| link.title().to_owned());
            MentionView {
                room_title,
                href: format!("{page}#message-{}", message.id.0),
                message: state.chat.open(message),
            }
        })
        .collect();
    let context = context! {
        mentions => Value::from(minijinja::value::Serde(&mentions)),
        older => older,
        rooms => Value::from(minijinja::value::Serde(&rooms)),
        current => "mentions",
        ..base_context(&session, Some(&user))?
    };
    state
        .templates
        .page(&request, "pages/mentions.html", context)
}
