//! `/ws/chatroom/{name}`: the live room. Browsers speak htmx's ws extension (form JSON in,
//! out-of-band HTML fragments out) on their session cookie and must send our Origin;
//! programs ask for `?format=json`, authenticate with a JWT access token (`Authorization:
//! Bearer` or `?token=`) and may send no Origin.
//!
//! Close codes: 1008 policy (origin or auth refused after upgrade), 1009 a frame beyond
//! the hard cap (4 × `limits.ws_max_frame`), 4003 the account was deactivated or deleted,
//! 4004 no longer a member (removed, left, or the room was deleted), 4008 too slow to keep
//! up (resume from the last id seen). Frames between the soft and hard cap get an `error`
//! event instead.
//!
//! Besides the room's own events, a socket carries `typing` (`{"type":"typing","user":…}`:
//! sent as `{"type":"typing"}` by programs and by app.js alike, relayed at most every
//! 1.5 s per socket, never stored, not echoed to the typist's sockets), `presence` with
//! the site-wide `online_total`, and `room_activity` notices about its person's other
//! rooms (for the sidebar). A socket also moves its person's read mark up to what it
//! relayed, at most every 2 s.

mod protocol;
mod session;

use actix_identity::Identity;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::UserId;
use crate::frontend::auth::jwt::{Jwt, TokenType};
use crate::frontend::error::AppError;
use crate::frontend::origin::AllowedOrigins;
use crate::frontend::state::AppState;
use protocol::Format;

#[derive(Debug, serde::Deserialize)]
pub struct WsQuery {
    format: Option<String>,
    /// A JWT access token, for programs that cannot set `Authorization`.
    token: Option<String>,
}

/// The access token a program presents: `Authorization: Bearer …` or `?token=…`.
fn presented_token<'a>(request: &'a HttpRequest, query: &'a WsQuery) -> Option<&'a str> {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    header.or(query.token.as_deref()).map(str::trim)
}

/// The user behind a program's access token; any flaw in the token is a 401.
fn token_user(request: &HttpRequest, token: &str) -> Result<UserId, AppError> {
    let jwt = request
        .app_data::<web::Data<Jwt>>()
        .ok_or_else(|| AppError::Internal("jwt keys missing".into()))?;
    jwt.verify(token, TokenType::Access)
        .map(|claims| UserId(claims.user_id))
        .map_err(|_| AppError::Unauthorized)
}

/// `GET /ws/chatroom/{chatroom_name}`
#[tracing::instrument(skip_all, fields(room = %name))]
pub async fn chatroom_ws(
    request: HttpRequest,
    body: web::Payload,
    name: web::Path<String>,
    query: web::Query<WsQuery>,
    state: web::Data<AppState>,
    identity: Option<Identity>,
) -> Result<HttpResponse, AppError> {
    let token = presented_token(&request, &query);
    // Cross-site WebSocket hijacking: a browser always sends Origin, and it must be ours.
    // A program holding a token may send none; if it sends one, the same rule holds.
    match AllowedOrigins::origin_of(&request) {
        Some(origin) if state.origins.allows(origin) => {}
        Some(_) => return Err(AppError::Forbidden("Origin not allowed.".into())),
        None if token.is_some() => {}
        None => return Err(AppError::Forbidden("Origin header required.".into())),
    }
    let user_id = match token {
        Some(token) => token_user(&request, token)?,
        None => identity
            .and_then(|i| i.id().ok())
            .and_then(|id| id.parse::<i64>().ok())
            .map(UserId)
            .ok_or(AppError::Unauthorized)?,
    };
    let user = match state.storage.user_by_id(user_id).await {
        Ok(user) if user.is_active => user,
        _ => return Err(AppError::Unauthorized),
    };
    let room = state.chat.room_for(&name, &user).await?;
    let format = match query.format.as_deref() {
        Some("json") => Format::Json,
        None | Some("html") => Format::Html,
        Some(_) => return Err(AppError::BadRequest("format must be json or html".into())),
    };
    let max_frame = state.settings.limits.ws_max_frame;
    let (response, ws, stream) =
        actix_ws::handle(&request, body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let stream = stream
        .max_frame_size(max_frame * 4)
        .aggregate_continuations()
        .max_continuation_size(max_frame * 4);
    let ctx = session::Connection {
        state: state.into_inner(),
        room,
        user,
        format,
    };
    actix_web::rt::spawn(session::run(ctx, ws, stream));
    Ok(response)
}
