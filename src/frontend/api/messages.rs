//! `/api/groups/{id}/messages/`: a room's messages newest first, cursor paginated; posting
//! goes through `messaging::post_message`, so it is sealed and delivered live like any other.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::ApiState;
use super::auth::ApiUser;
use super::error::{ApiError, required_string};
use super::groups::visible_room;
use super::pagination::Cursor;
use super::shapes::{CursorPage, ErrorDetail, FieldErrors, MessageCreate, MessageOut, MessagePage};
use crate::domain::{MessageId, Room, StoredMessage};
use crate::frontend::service::messages::PostError;
use crate::frontend::state::AppState;

/// A request body read field by field (see `tokens`).
type JsonObject = serde_json::Map<String, Value>;

fn open(state: &AppState, room: &Room, message: &StoredMessage) -> MessageOut {
    MessageOut::new(room.name.as_str(), message, state.chat.open_text(message))
}

/// `POST`'s body as the type the document describes; the body's length is checked when
/// it is posted, like a message typed in a page.
fn read_message(mut body: JsonObject) -> Result<MessageCreate, ApiError> {
    let mut errors = FieldErrors::new();
    let reply_to = match body.remove("reply_to") {
        None | Some(Value::Null) => None,
        Some(id) => match id.as_i64().filter(|id| *id > 0) {
            Some(id) => Some(id),
            None => {
                errors.push("reply_to", "A valid integer is required.".to_owned());
                None
            }
        },
    };
    match required_string(&mut errors, "body", body.remove("body")) {
        Some(body) if errors.is_empty() => Ok(MessageCreate { body, reply_to }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// One page of `room` at `cursor`, newest first, with the cursors of the pages beside it.
async fn page_at(
    state: &AppState,
    room: &Room,
    cursor: Cursor,
    size: u64,
) -> Result<(Vec<StoredMessage>, Cursor, Cursor), ApiError> {
    let storage = &state.storage;
    let page = match cursor {
        Cursor::Start => storage.messages_before(room.id, None, size).await?,
        Cursor::Before(id) => storage.messages_before(room.id, Some(id), size).await?,
        Cursor::After(id) => {
            let mut newer = storage.messages_after(room.id, id, size).await?;
            newer.reverse();
            newer
        }
    };
    let (Some(newest), Some(oldest)) = (page.first(), page.last()) else {
        return Ok((page, Cursor::Start, Cursor::Start));
    };
    let older = !storage
        .messages_before(room.id, Some(oldest.id), 1)
        .await?
        .is_empty();
    let newer = cursor != Cursor::Start
        && !storage
            .messages_after(room.id, newest.id, 1)
            .await?
            .is_empty();
    let next = if older {
        Cursor::Before(oldest.id)
    } else {
        Cursor::Start
    };
    let previous = if newer {
        Cursor::After(newest.id)
    } else {
        Cursor::Start
    };
    Ok((page, next, previous))
}

/// `GET /api/groups/{id}/messages/`
#[utoipa::path(
    get,
    path = "/api/groups/{id}/messages/",
    tag = "messages",
    description = "The room's messages, newest first; follow `next` for older ones.",
    params(
        ("id" = i64, Path, description = "The group's id"),
        ("cursor" = Option<String>, Query, description = "An opaque cursor from `next` or `previous`"),
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of messages", body = MessagePage),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "`Invalid cursor`, or a room that is missing or not the caller's", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn messages_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    path: web::Path<String>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let room = visible_room(&state, &path, &me).await?;
    let cursor = Cursor::from_request(&request)?;
    let (page, next, previous) = page_at(&state, &room, cursor, api.page_size).await?;
    let results = page
        .iter()
        .map(|m| open(&state, &room, m))
        .collect::<Vec<_>>();
    Ok(HttpResponse::Ok().json(MessagePage(CursorPage::new(
        &request, next, previous, results,
    ))))
}

/// `POST /api/groups/{id}/messages/`
#[utoipa::path(
    post,
    path = "/api/groups/{id}/messages/",
    tag = "messages",
    description = "Posts a message: sealed at rest and delivered live to the room's WebSockets.",
    params(("id" = i64, Path, description = "The group's id")),
    request_body(description = "The message as `application/json`, or `application/fernet`: a Fernet token of the same JSON under `api.link_key`, answered the same way", content((MessageCreate = "application/json"), (String = "application/fernet"))),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "The message posted", body = MessageOut),
        (status = 400, description = "Field errors (a body over 10,000 characters among them), malformed JSON, or an `application/fernet` token that does not open", body = FieldErrors),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 413, description = "Body over `server.max_body`", body = ErrorDetail),
        (status = 415, description = "Body neither `application/json` nor `application/fernet`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn messages_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    ApiUser(me): ApiUser,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let room = visible_room(&state, &path, &me).await?;
    let MessageCreate {
        body: raw,
        reply_to,
    } = read_message(body.into_inner())?;
    let (stored, view) = state
        .chat
        .post_message(&room, &me, &raw, reply_to.map(MessageId))
        .await
        .map_err(|e| match e {
            PostError::Invalid(problem) => ApiError::field("body", &problem),
            PostError::Reply(problem) => ApiError::field("reply_to", &problem),
            PostError::NotStored => ApiError::Internal(e.to_string()),
        })?;
    Ok(HttpResponse::Created().json(MessageOut::new(room.name.as_str(), &stored, view.text)))
}

/// `GET /api/groups/{id}/messages/{msg_id}/`
#[utoipa::path(
    get,
    path = "/api/groups/{id}/messages/{msg_id}/",
    tag = "messages",
    params(
        ("id" = i64, Path, description = "The group's id"),
        ("msg_id" = i64, Path, description = "The message's id"),
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The message", body = MessageOut),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn message_get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let (group, id) = path.into_inner();
    let room = visible_room(&state, &group, &me).await?;
    let id = id.parse::<i64>().map_err(|_| ApiError::NotFound)?;
    let message = state.storage.message_by_id(room.id, MessageId(id)).await?;
    Ok(HttpResponse::Ok().json(open(&state, &room, &message)))
}
