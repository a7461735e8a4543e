//! The fragments the chat page loads after it is shown: older messages as the person
//! scrolls up (`/chat/room/{name}/history/?before=ID`), and the room list when a room it
//! does not show yet gets a message (`/chat/sidebar/`), and a message's words as typed for
//! its editor (`/chat/room/{name}/messages/{id}/words/`).

use actix_web::{HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::chat::room_links;
use crate::domain::{MessageId, RoomKind};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::present::markdown::EVERYONE;
use crate::frontend::state::AppState;

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    /// Kept as text so a malformed id answers our own 400, not the extractor's.
    before: Option<String>,
}

/// `GET /chat/room/{name}/history/?before=ID`: the page of messages just older than
/// `ID`, oldest first, under a new "load more" sentinel when older ones remain. Keyset
/// paging by id, so pages never overlap or skip, whatever is posted meanwhile.
#[tracing::instrument(skip_all, fields(user = %user.id, room = %name))]
pub async fn history_get(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<HistoryQuery>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = state.chat.room_for(&name, &user).await?;
    let before = query
        .before
        .as_deref()
        .and_then(|b| b.trim().parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(MessageId)
        .ok_or_else(|| AppError::BadRequest("before must be a message id.".into()))?;
    let page = state.settings.chat.history;
    // One more than a page says whether another page follows, without asking again.
    let mut older = state
        .storage
        .messages_before(room.id, Some(before), page + 1)
        .await?;
    let more = older.len() as u64 > page;
    older.truncate(page as usize);
    let messages = state.chat.open_all(older.iter().rev());
    let html = state.templates.render(
        "partials/history_page.html",
        context! {
            room => context! { name => room.name.as_str() },
            messages => Value::from(minijinja::value::Serde(&messages)),
            more => more,
            before => older.last().map(|m| m.id.0),
        },
    )?;
    Ok(fragment(html))
}

/// `GET /chat/room/{name}/messages/{id}/words/`: message `id`'s words as typed, as plain
/// text, for the edit box (the page shows only their HTML). 404 for a message that is not
/// in this room, and for a room the person cannot read.
#[tracing::instrument(skip_all, fields(user = %user.id, room = %path.0))]
pub async fn words_get(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let (name, id) = path.into_inner();
    let room = state.chat.room_for(&name, &user).await?;
    let message = state.storage.message_by_id(room.id, MessageId(id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(state.chat.open_text(&message).words))
}

#[derive(Debug, Deserialize)]
pub struct PeopleQuery {
    q: Option<String>,
}

/// How many people the `@` list offers at once.
const PEOPLE: usize = 8;

/// `GET /chat/room/{name}/people/?q=PREFIX`: who an `@` in this room's message box may
/// mention, as JSON `[{"username", "name"}]`: members whose username or name starts with
/// the prefix (in the public room, any active account by username), and `everyone` for a
/// group's admin.
#[tracing::instrument(skip_all, fields(user = %user.id, room = %name))]
pub async fn people_get(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<PeopleQuery>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = state.chat.room_for(&name, &user).await?;
    let prefix = query.q.as_deref().unwrap_or_default().trim().to_lowercase();
    let mut people: Vec<serde_json::Value> = Vec::new();
    if room.kind == RoomKind::Group && room.admin == Some(user.id) && EVERYONE.starts_with(&prefix)
    {
        people.push(serde_json::json!({ "username": EVERYONE, "name": "Everyone in this group" }));
    }
    let found = if room.kind == RoomKind::Public {
        if prefix.is_empty() {
            Vec::new()
        } else {
            state
                .storage
                .search_usernames(&prefix, PEOPLE as u64 + 1)
                .await?
        }
    } else {
        state.storage.members_of(room.id).await?
    };
    people.extend(
        found
            .iter()
            .filter(|p| p.id != user.id && p.is_active)
            .filter(|p| {
                p.username.starts_with(&prefix)
                    || p.shown_name().to_lowercase().starts_with(&prefix)
            })
            .take(PEOPLE)
            .map(|p| serde_json::json!({ "username": p.username, "name": p.shown_name() })),
    );
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(people))
}

#[derive(Debug, Deserialize)]
pub struct SidebarQuery {
    /// The room the page shows, highlighted in the list.
    current: Option<String>,
}

/// `GET /chat/sidebar/?current=NAME`: the person's room list with unread counts.
pub async fn sidebar_get(
    state: web::Data<AppState>,
    query: web::Query<SidebarQuery>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let rooms = room_links(&state, &user).await?;
    let html = state.templates.render(
        "partials/room_list.html",
        context! {
            rooms => Value::from(minijinja::value::Serde(&rooms)),
            current => query.current.as_deref().unwrap_or_default(),
        },
    )?;
    Ok(fragment(html))
}

fn fragment(html: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
