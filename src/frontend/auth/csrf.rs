//! CSRF: a random token per session, required on every unsafe request to a page route,
//! either as the `X-CSRF-Token` header (htmx, via `hx-headers` on `<body>`) or as the
//! `csrf_token` field of a urlencoded form. Cross-site requests are also refused by Origin.

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::frontend::error::AppError;
use crate::frontend::origin::AllowedOrigins;
use crate::frontend::state::AppState;

const SESSION_KEY: &str = "csrf";
pub const HEADER: &str = "X-CSRF-Token";
pub const FIELD: &str = "csrf_token";
/// Forms carrying a token are small; anything bigger is not a form this guard reads.
const MAX_FORM: usize = 64 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(existing)) = session.get::<String>(SESSION_KEY) {
        return Ok(existing);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let fresh = URL_SAFE_NO_PAD.encode(bytes);
    session
        .insert(SESSION_KEY, &fresh)
        .map_err(|e| AppError::Internal(format!("session: {e}")))?;
    Ok(fresh)
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn matches(expected: &str, provided: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

/// Middleware: refuses an unsafe request whose token or Origin is wrong with 403, before
/// any handler runs, so nothing is changed.
pub async fn guard(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    if is_safe(request.method()) || request.path().starts_with("/api/") {
        return next.call(request).await;
    }
    if let Some(origin) = AllowedOrigins::origin_of(request.request()) {
        let allowed = request
            .app_data::<web::Data<AppState>>()
            .is_some_and(|state| state.origins.allows(origin));
        if !allowed {
            return Err(AppError::Forbidden(
                "Origin checking failed: cross-site request refused.".into(),
            )
            .into());
        }
    }
    let expected: String = request
        .get_session()
        .get(SESSION_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let header_token = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let provided = match header_token {
        Some(token) => token,
        None => form_token(&mut request).await?,
    };
    if !matches(&expected, &provided) {
        return Err(AppError::Forbidden("CSRF token missing or incorrect.".into()).into());
    }
    next.call(request).await
}

/// Reads `csrf_token` from a urlencoded body and puts the body back for the handler.
async fn form_token(request: &mut ServiceRequest) -> Result<String, actix_web::Error> {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(String::new());
    }
    let body = request
        .extract::<web::Bytes>()
        .await
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    if body.len() > MAX_FORM {
        return Err(AppError::BadRequest("The form is too large.".into()).into());
    }
    let token = web::Query::<std::collections::HashMap<String, String>>::from_query(
        std::str::from_utf8(&body).unwrap_or(""),
    )
    .ok()
    .and_then(|fields| fields.get(FIELD).cloned())
    .unwrap_or_default();
    request.set_payload(Payload::from(body));
    Ok(token)
}
