//! `/api/mentions/`: the newest messages that mention the caller, across the groups they
//! can read, newest first, cursor paginated like a group's messages.

use actix_web::{HttpRequest, HttpResponse, web};

use super::ApiState;
use super::auth::ApiUser;
use super::error::ApiError;
use super::pagination::Cursor;
use super::shapes::{CursorPage, ErrorDetail, MessageOut, MessagePage};
use crate::frontend::state::AppState;

/// `GET /api/mentions/`
#[utoipa::path(
    get,
    path = "/api/mentions/",
    tag = "messages",
    params(("cursor" = Option<String>, Query, description = "The `next` link's cursor")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of messages that mention the caller; `group` says where each is", body = MessagePage),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "`Invalid cursor`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn mentions_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let before = match Cursor::from_request(&request)? {
        Cursor::Start => None,
        Cursor::Before(id) => Some(id),
        // Only ever older pages: this list is read from its newest end.
        Cursor::After(_) => return Err(ApiError::InvalidCursor),
    };
    let (found, more) = state
        .chat
        .mentions_of(&me, before, api.page_size)
        .await
        .map_err(ApiError::from)?;
    let next = match found.last() {
        Some((_, oldest)) if more => Cursor::Before(oldest.id),
        _ => Cursor::Start,
    };
    let results = found
        .iter()
        .map(|(room, message)| {
            MessageOut::new(room.name.as_str(), message, state.chat.open_text(message))
        })
        .collect();
    Ok(HttpResponse::Ok().json(MessagePage(CursorPage::new(
        &request,
        next,
        Cursor::Start,
        results,
    ))))
}
