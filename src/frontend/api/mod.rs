//! `/api/…`: the REST API for programs, in Django REST framework's and simplejwt's shapes
//! so a client of the Django app works unchanged. One file per resource; JWT in `jwt`,
//! the `ApiUser` extractor in `auth`, JSON errors in `error`.

pub mod auth;
pub mod error;
pub mod jwt;
pub mod tokens;
pub mod users;

use std::net::IpAddr;

use actix_web::HttpRequest;
use governor::DefaultKeyedRateLimiter;

use crate::config::ApiSettings;
use crate::frontend::limits;

/// What the API adds to the app state; registered as its own `web::Data`.
pub struct ApiState {
    pub jwt: jwt::Jwt,
    /// `POST /api/token/` and `/api/token/refresh/` per IP.
    pub token_limit: DefaultKeyedRateLimiter<IpAddr>,
    pub page_size: u64,
}

impl ApiState {
    pub fn new(secret: &[u8], settings: &ApiSettings) -> Self {
        Self {
            jwt: jwt::Jwt::new(secret, settings),
            token_limit: limits::keyed_per_minute(settings.token_per_minute),
            page_size: settings.page_size,
        }
    }
}

fn client_ip(request: &HttpRequest) -> IpAddr {
    request
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into())
}

/// `scheme://host/path` of this request, for `next`/`previous` links as DRF writes them.
fn absolute_path(request: &HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), request.path())
}
