//! "Remember me" on the log-in form. actix-session configures one cookie lifecycle for the
//! whole site (`PersistentSession`, `server.session_days`), so a log-in without it is
//! marked in the session state, and:
//! - the session store gives such a session the shorter server-side lifetime
//!   (`server.session_hours_without_remember_me`, see `session_store`);
//! - [`mark`] (inside the session middleware) notes on the response that its session is
//!   such a one, while the state is still readable, and [`strip`] (outside it) removes
//!   `Max-Age`/`Expires` from the session cookie the middleware then set, making it a
//!   browser-session cookie that is dropped when the browser closes.

use actix_session::{Session, SessionExt};
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::middleware::Next;

use crate::frontend::error::AppError;

/// Session-state key: present (true) when the person did not tick "Remember me".
pub const FORGET_ON_CLOSE_KEY: &str = "meta.forget_on_close";
const SESSION_COOKIE_PREFIX: &str = "hearth_session=";

/// Marks this browser's session as one to forget when the browser closes.
pub fn forget_on_close(session: &Session) -> Result<(), AppError> {
    session
        .insert(FORGET_ON_CLOSE_KEY, true)
        .map_err(|e| AppError::Internal(format!("session: {e}")))
}

/// Whether a session's state (as the store sees it) asks to be forgotten on close.
pub fn is_forget_on_close(raw: Option<&String>) -> bool {
    raw.and_then(|v| serde_json::from_str::<bool>(v).ok())
        .unwrap_or(false)
}

/// Response extension: this response's session cookie must not persist.
#[derive(Clone, Copy)]
struct BrowserSessionCookie;

/// Inside the session middleware: flags responses whose session is forget-on-close.
pub async fn mark(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(request).await?;
    let short = response
        .request()
        .get_session()
        .get::<bool>(FORGET_ON_CLOSE_KEY)
        .ok()
        .flatten()
        .unwrap_or(false);
    if short {
        response
            .response_mut()
            .extensions_mut()
            .insert(BrowserSessionCookie);
    }
    Ok(response)
}

/// Outside the session middleware: drops the lifetime from a flagged response's session
/// cookie. A removal (`Max-Age=0`) is left alone so log-out still clears the cookie.
pub async fn strip(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(request).await?;
    if response
        .response()
        .extensions()
        .get::<BrowserSessionCookie>()
        .is_none()
    {
        return Ok(response);
    }
    let headers = response.headers_mut();
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
    headers.remove(SET_COOKIE);
    for value in cookies {
        let rewritten = value
            .to_str()
            .ok()
            .filter(|text| text.starts_with(SESSION_COOKIE_PREFIX) && !is_removal(text))
            .and_then(|text| HeaderValue::from_str(&without_lifetime(text)).ok());
        headers.append(SET_COOKIE, rewritten.unwrap_or(value));
    }
    Ok(response)
}

fn attributes(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim)
}

fn is_removal(text: &str) -> bool {
    attributes(text).any(|a| a.eq_ignore_ascii_case("Max-Age=0"))
}

fn without_lifetime(text: &str) -> String {
    attributes(text)
        .filter(|a| {
            let lower = a.to_ascii_lowercase();
            !lower.starts_with("max-age=") && !lower.starts_with("expires=")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_attributes_go_and_the_rest_stays() {
        let text = "hearth_session=abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=1209600; Expires=Tue, 08 Dec 2026 20:00:00 GMT";
        assert_eq!(
            without_lifetime(text),
            "hearth_session=abc; HttpOnly; SameSite=Lax; Path=/"
        );
        assert!(is_removal("hearth_session=; Max-Age=0; Path=/"));
        assert!(!is_removal(text));
    }
}
