//! `/ws/chatroom/{name}`: the live room. Browsers speak htmx's ws extension (form JSON in,
//! out-of-band HTML fragments out); programs ask for `?format=json` and speak JSON events.
//!
//! Close codes: 1008 policy (origin or auth refused after upgrade), 1009 a frame beyond
//! the hard cap (4 × `limits.ws_max_frame`), 4008 too slow to keep up (resume from the
//! last id seen). Frames between the soft and hard cap get an `error` event instead.

mod events;
mod protocol;
mod session;

pub use events::{render_message, render_presence};

use actix_identity::Identity;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::UserId;
use crate::frontend::access;
use crate::frontend::error::AppError;
use crate::frontend::origin::AllowedOrigins;
use crate::frontend::state::AppState;
use protocol::Format;

#[derive(Debug, serde::Deserialize)]
pub struct WsQuery {
    format: Option<String>,
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
    // Cross-site WebSocket hijacking: a browser always sends Origin, and it must be ours.
    match AllowedOrigins::origin_of(&request) {
        Some(origin) if state.origins.allows(origin) => {}
        Some(_) => return Err(AppError::Forbidden("Origin not allowed.".into())),
        None => return Err(AppError::Forbidden("Origin header required.".into())),
    }
    let user_id = identity
        .and_then(|i| i.id().ok())
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(AppError::Unauthorized)?;
    let user = match state.storage.user_by_id(UserId(user_id)).await {
        Ok(user) if user.is_active => user,
        _ => return Err(AppError::Unauthorized),
    };
    let room = access::room_for(&state, &name, &user).await?;
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
