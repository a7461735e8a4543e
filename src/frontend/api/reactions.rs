//! `/api/groups/{id}/messages/{msg_id}/reactions/`: add one's reaction to a message, and
//! `…/reactions/{emoji}/` to take it back. Any reader of the room may react; the room
//! hears of it live (`reaction_added` / `reaction_removed`).

use actix_web::{HttpResponse, web};
use serde_json::Value;

use super::auth::ApiUser;
use super::error::{ApiError, required_string};
use super::groups::visible_room;
use super::shapes::{ErrorDetail, FieldErrors, ReactionCreate, ReactionsOut};
use crate::domain::{MessageId, Reacted};
use crate::frontend::service::messages::ChangeError;
use crate::frontend::state::AppState;

type JsonObject = serde_json::Map<String, Value>;

fn message_id(raw: &str) -> Result<MessageId, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(MessageId)
        .ok_or(ApiError::NotFound)
}

fn refused(error: ChangeError) -> ApiError {
    match error {
        ChangeError::Invalid(problem) => ApiError::field("emoji", &problem),
        ChangeError::NotFound => ApiError::NotFound,
        ChangeError::NotStored => ApiError::Internal(error.to_string()),
    }
}

fn answer(id: MessageId, reacted: &Reacted) -> ReactionsOut {
    ReactionsOut::new(id, &reacted.reactions)
}

/// `POST /api/groups/{id}/messages/{msg_id}/reactions/`
#[utoipa::path(
    post,
    path = "/api/groups/{id}/messages/{msg_id}/reactions/",
    tag = "messages",
    params(
        ("id" = i64, Path, description = "The group's id"),
        ("msg_id" = i64, Path, description = "The message's id"),
    ),
    request_body(content = ReactionCreate, content_type = "application/json"),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "Added; the message's reactions after", body = ReactionsOut),
        (status = 200, description = "The caller had already reacted so; nothing changed", body = ReactionsOut),
        (status = 400, description = "Not one emoji, or a 21st kind of reaction on the message", body = FieldErrors),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn reactions_post(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    ApiUser(me): ApiUser,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let (group, id) = path.into_inner();
    let room = visible_room(&state, &group, &me).await?;
    let id = message_id(&id)?;
    let mut body = body.into_inner();
    let mut errors = FieldErrors::new();
    let Some(emoji) = required_string(&mut errors, "emoji", body.remove("emoji")) else {
        return Err(ApiError::Validation(errors));
    };
    let reacted = state
        .chat
        .react(&room, &me, id, &emoji, true)
        .await
        .map_err(refused)?;
    let mut response = if reacted.changed {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(answer(id, &reacted)))
}

/// `DELETE /api/groups/{id}/messages/{msg_id}/reactions/{emoji}/`
#[utoipa::path(
    delete,
    path = "/api/groups/{id}/messages/{msg_id}/reactions/{emoji}/",
    tag = "messages",
    params(
        ("id" = i64, Path, description = "The group's id"),
        ("msg_id" = i64, Path, description = "The message's id"),
        ("emoji" = String, Path, description = "The emoji, percent-encoded"),
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "The caller's reaction is gone"),
        (status = 400, description = "Not one emoji", body = FieldErrors),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "No such reaction of the caller's, or a message missing or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn reaction_delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let (group, id, emoji) = path.into_inner();
    let room = visible_room(&state, &group, &me).await?;
    let id = message_id(&id)?;
    let reacted = state
        .chat
        .react(&room, &me, id, &emoji, false)
        .await
        .map_err(refused)?;
    if !reacted.changed {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
