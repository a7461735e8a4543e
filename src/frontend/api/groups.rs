//! `/api/groups/`: the rooms the caller may see (the public room and their own), page-number
//! paginated; creating a group makes the caller its admin; PUT and DELETE are the admin's.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::ApiState;
use super::auth::ApiUser;
use super::error::{ApiError, required_string};
use super::pagination::page_number;
use super::shapes::{
    ErrorDetail, FieldErrors, GroupCreate, GroupOut, GroupPage, GroupUpdate, Page,
};
use crate::domain::room::parse_title;
use crate::domain::{Room, RoomId, RoomKind, RoomName, User, UserId};
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// A request body read field by field (see `tokens`).
type JsonObject = serde_json::Map<String, Value>;

/// `room` as the API shows it, with its members.
async fn group_out(state: &AppState, room: Room) -> Result<GroupOut, ApiError> {
    let members = state.storage.members_of(room.id).await?;
    Ok(GroupOut::new(room, members.into_iter().map(|u| u.id)))
}

/// The room with id `raw` when `user` may see it (the one access rule, `access::room_for`);
/// a missing room and someone else's answer the same 404.
pub async fn visible_room(state: &AppState, raw: &str, user: &User) -> Result<Room, ApiError> {
    let id = raw.parse::<i64>().map_err(|_| ApiError::NotFound)?;
    let room = state.storage.room_by_id(RoomId(id)).await?;
    Ok(state.chat.room_for(room.name.as_str(), user).await?)
}

/// The room with id `raw` when `user` administers it: 404 when they may not see it, 403
/// when they may see it but not change it (including the public and private rooms).
async fn administered_room(state: &AppState, raw: &str, user: &User) -> Result<Room, ApiError> {
    let room = visible_room(state, raw, user).await?;
    if room.kind != RoomKind::Group || room.admin != Some(user.id) {
        return Err(ApiError::PermissionDenied);
    }
    Ok(room)
}

/// Python's name for a JSON value's type, as DRF's messages quote it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// `members` as DRF's `PrimaryKeyRelatedField(many=True)` reads it: a list of existing
/// user ids. `None` when absent; errors go to `errors`.
async fn read_members(
    state: &AppState,
    errors: &mut FieldErrors,
    value: Option<Value>,
) -> Result<Option<Vec<UserId>>, ApiError> {
    let mut refuse = |message: String| {
        errors.push("members", message);
        Ok(None)
    };
    let items = match value {
        None => return Ok(None),
        Some(Value::Null) => return refuse("This field may not be null.".into()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return refuse(format!(
                "Expected a list of items but got type \"{}\".",
                type_name(&other)
            ));
        }
    };
    let mut ids = Vec::with_capacity(items.len());
    for item in &items {
        let id = match item {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let Some(id) = id else {
            return refuse(format!(
                "Incorrect type. Expected pk value, received {}.",
                type_name(item)
            ));
        };
        ids.push(UserId(id));
    }
    ids.sort_unstable();
    ids.dedup();
    for id in &ids {
        match state.storage.user_by_id(*id).await {
            Ok(_) => {}
            Err(StorageError::NotFound) => {
                return refuse(format!("Invalid pk \"{}\" - object does not exist.", id.0));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(ids))
}

/// `title` when present: a room title or a field error.
fn read_title(errors: &mut FieldErrors, value: Option<Value>) -> Option<String> {
    let raw = required_string(errors, "title", value)?;
    match parse_title(&raw) {
        Ok(title) => Some(title),
        Err(problem) => {
            errors.push("title", problem.0);
            None
        }
    }
}

/// `POST /api/groups/`'s body as the type the document describes: a title, and members
/// that exist.
async fn read_create(state: &AppState, mut body: JsonObject) -> Result<GroupCreate, ApiError> {
    let mut errors = FieldErrors::new();
    let title = read_title(&mut errors, body.remove("title"));
    let members = read_members(state, &mut errors, body.remove("members")).await?;
    match title.filter(|_| errors.is_empty()) {
        Some(title) => Ok(GroupCreate { title, members }),
        None => Err(ApiError::Validation(errors)),
    }
}

/// `PUT /api/groups/{id}/`'s body as the type the document describes: either field, or
/// neither.
async fn read_update(state: &AppState, mut body: JsonObject) -> Result<GroupUpdate, ApiError> {
    let mut errors = FieldErrors::new();
    let title = match body.remove("title") {
        None => None,
        present => read_title(&mut errors, present),
    };
    let members = read_members(state, &mut errors, body.remove("members")).await?;
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(GroupUpdate { title, members })
}

/// `GET /api/groups/`
#[utoipa::path(
    get,
    path = "/api/groups/",
    tag = "groups",
    description = "The rooms the caller may see: `public-chat` and their own.",
    params(("page" = Option<String>, Query, description = "1-based page number, or `last`")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of rooms", body = GroupPage),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "`Invalid page.`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn groups_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let public = state.storage.room_by_name(&RoomName::public()).await?;
    let mut rooms = vec![public];
    rooms.extend(
        state
            .storage
            .rooms_of(me.id)
            .await?
            .into_iter()
            .map(|summary| summary.room)
            .filter(|room| room.kind != RoomKind::Public),
    );
    let size = api.page_size;
    let count = rooms.len() as u64;
    let page = page_number(&request, count, size)?;
    let mut results = Vec::new();
    for room in rooms
        .into_iter()
        .skip(((page - 1) * size) as usize)
        .take(size as usize)
    {
        results.push(group_out(&state, room).await?);
    }
    Ok(HttpResponse::Ok().json(GroupPage(Page::numbered(
        &request, count, size, page, results,
    ))))
}

/// `POST /api/groups/`
#[utoipa::path(
    post,
    path = "/api/groups/",
    tag = "groups",
    description = "Creates a `group` room with the caller as its admin.",
    request_body(description = "The new group as `application/json`, or `application/fernet`: a Fernet token of the same JSON under `api.link_key`, answered the same way", content((GroupCreate = "application/json"), (String = "application/fernet"))),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "The room created", body = GroupOut),
        (status = 400, description = "Field errors, malformed JSON, or an `application/fernet` token that does not open", body = FieldErrors),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 413, description = "Body over `server.max_body`", body = ErrorDetail),
        (status = 415, description = "Body neither `application/json` nor `application/fernet`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn groups_post(
    state: web::Data<AppState>,
    ApiUser(me): ApiUser,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let GroupCreate { title, members } = read_create(&state, body.into_inner()).await?;
    let room = state
        .chat
        .create_group(&me, &title, members.unwrap_or_default())
        .await?;
    tracing::info!(room = %room.name.as_str(), "group created over the api");
    Ok(HttpResponse::Created().json(group_out(&state, room).await?))
}

/// `GET /api/groups/{id}/`
#[utoipa::path(
    get,
    path = "/api/groups/{id}/",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The room", body = GroupOut),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn group_get(
    state: web::Data<AppState>,
    path: web::Path<String>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let room = visible_room(&state, &path, &me).await?;
    Ok(HttpResponse::Ok().json(group_out(&state, room).await?))
}

/// `PUT /api/groups/{id}/`
#[utoipa::path(
    put,
    path = "/api/groups/{id}/",
    tag = "groups",
    description = "Renames the room and/or replaces its members; the room's admin only.",
    params(("id" = i64, Path, description = "The group's id")),
    request_body(description = "The changes as `application/json`, or `application/fernet`: a Fernet token of the same JSON under `api.link_key`, answered the same way", content((GroupUpdate = "application/json"), (String = "application/fernet"))),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The room as changed", body = GroupOut),
        (status = 400, description = "Field errors, malformed JSON, or an `application/fernet` token that does not open", body = FieldErrors),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 403, description = "A member acting beyond their rights: not the room's admin", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 413, description = "Body over `server.max_body`", body = ErrorDetail),
        (status = 415, description = "Body neither `application/json` nor `application/fernet`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn group_put(
    state: web::Data<AppState>,
    path: web::Path<String>,
    ApiUser(me): ApiUser,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let mut room = administered_room(&state, &path, &me).await?;
    let GroupUpdate { title, members } = read_update(&state, body.into_inner()).await?;
    // Members first: the one change that can still be refused (a user deleted meanwhile).
    if let Some(members) = members {
        state.chat.replace_members(room.id, members).await?;
    }
    if let Some(title) = title {
        room = state.storage.rename_room(room.id, title).await?;
    }
    Ok(HttpResponse::Ok().json(group_out(&state, room).await?))
}

/// `DELETE /api/groups/{id}/`
#[utoipa::path(
    delete,
    path = "/api/groups/{id}/",
    tag = "groups",
    description = "Deletes the room and its messages; the room's admin only.",
    params(("id" = i64, Path, description = "The group's id")),
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 403, description = "A member acting beyond their rights: not the room's admin", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn group_delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    ApiUser(me): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let room = administered_room(&state, &path, &me).await?;
    state.chat.delete_room(room.id).await?;
    tracing::info!(room = %room.name.as_str(), "group deleted over the api");
    Ok(HttpResponse::NoContent().finish())
}
