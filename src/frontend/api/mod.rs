//! `/api/…`: the REST API for programs, in Django REST framework's and simplejwt's shapes
//! so a client of the Django app works unchanged. One file per resource; JWT in `jwt`,
//! the `ApiUser` extractor in `auth`, JSON errors in `error`, the JSON shapes (one type
//! each, for the answers and the OpenAPI document alike) in `shapes`.

pub mod auth;
pub mod cors;
pub mod docs;
pub mod error;
pub mod groups;
pub mod link;
pub mod mentions;
pub mod messages;
pub mod openapi;
pub mod pagination;
pub mod reactions;
pub mod shapes;
pub mod tokens;
pub mod users;

use std::net::IpAddr;

use actix_web::HttpRequest;
use governor::DefaultKeyedRateLimiter;

use crate::config::ApiSettings;
use crate::domain::UserId;
use crate::frontend::auth::jwt::Jwt;
use crate::frontend::limits;
use crate::frontend::state::AppState;

/// What the API adds to the app state; registered as its own `web::Data`.
pub struct ApiState {
    /// Also registered on its own, for the JSON WebSocket's programs.
    pub jwt: actix_web::web::Data<Jwt>,
    /// `POST /api/token/` and `/api/token/refresh/` per IP.
    pub token_limit: DefaultKeyedRateLimiter<IpAddr>,
    /// Every authenticated request, per user.
    pub user_limit: DefaultKeyedRateLimiter<UserId>,
    pub page_size: u64,
    /// `application/fernet` bodies; `None` when `api.link_key` is empty.
    pub link: Option<link::Link>,
    /// `server.max_body`, for the 413 of a sealed body.
    pub max_body: usize,
}

impl ApiState {
    pub fn new(secret: &[u8], settings: &ApiSettings, max_body: usize) -> Self {
        Self {
            jwt: actix_web::web::Data::new(Jwt::new(secret, settings)),
            token_limit: limits::keyed_per_minute(settings.token_per_minute),
            user_limit: limits::keyed_per_minute(settings.requests_per_minute),
            page_size: settings.page_size,
            link: link::Link::new(settings.link_key.expose(), settings.link_ttl_seconds),
            max_body,
        }
    }
}

/// `scheme://host/path` of this request, for `next`/`previous` links as DRF writes them.
/// The host comes from the request only when it is one of this site's origins (as Django's
/// `ALLOWED_HOSTS` checks it); a forged `Host` or `X-Forwarded-Host` gets the primary origin,
/// so no answer links to another site.
fn absolute_path(request: &HttpRequest) -> String {
    let info = request.connection_info();
    let asked = format!("{}://{}", info.scheme(), info.host());
    let origin = match request.app_data::<actix_web::web::Data<AppState>>() {
        Some(state) if !state.origins.allows(&asked) => state.origins.primary().to_owned(),
        _ => asked,
    };
    format!("{origin}{}", request.path())
}

/// Any `/api/…` path that names nothing: DRF's 404, in JSON like every API answer.
pub async fn not_found() -> Result<actix_web::HttpResponse, error::ApiError> {
    Err(error::ApiError::NotFound)
}
