//! `AppError`: every way a request can fail, mapped to HTTP in one place.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: missing, or not yours to know about.
    #[error("Not found.")]
    NotFound,
    /// 303 to the log-in page (`HX-Redirect` for htmx): a page that needs a signed-in person.
    #[error("Authentication required.")]
    LoginRequired { next: String },
    /// 401: no or bad credentials on a non-page route.
    #[error("Authentication credentials were not provided.")]
    Unauthorized,
    /// 403: signed in, but not allowed (or a CSRF/Origin check failed).
    #[error("{0}")]
    Forbidden(String),
    /// 400: the input was refused; the text is fit to show.
    #[error("{0}")]
    BadRequest(String),
    /// 405 with `Allow`: a method this URL does not take.
    #[error("Method \"{method}\" not allowed.")]
    MethodNotAllowed { method: String, allow: String },
    /// 429 with `Retry-After`.
    #[error("Request was throttled. Expected available in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// 500: logged in full, shown opaque.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => Self::NotFound,
            StorageError::Conflict(what) => {
                Self::BadRequest(format!("That {what} is already taken."))
            }
            StorageError::Internal(detail) => Self::Internal(detail),
        }
    }
}

impl From<crate::crypto::CryptoError> for AppError {
    fn from(error: crate::crypto::CryptoError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<minijinja::Error> for AppError {
    fn from(error: minijinja::Error) -> Self {
        Self::Internal(format!("template: {error:#}"))
    }
}

impl AppError {
    /// What the client may read: internal details stay in the log.
    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "Something went wrong on our side. Please try again.".to_owned(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::LoginRequired { next } => {
                let target = format!("/accounts/login/?next={}", urlencode(next));
                return response
                    .insert_header((header::LOCATION, target.clone()))
                    .insert_header(("HX-Redirect", target))
                    .finish();
            }
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        response
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ))
            .body(error_page(self.status_code(), &self.public_message()))
    }
}

/// A self-contained page, so an error can be shown even when templates cannot render.
/// Also valid as an htmx fragment: `#toast` is swapped in out of band.
fn error_page(status: StatusCode, message: &str) -> String {
    let message = html_escape(message);
    let reason = status.canonical_reason().unwrap_or("Error");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{reason} · Hearth</title>\
         <link rel=\"stylesheet\" href=\"/static/css/app.css\"><script src=\"/static/js/theme.js\"></script></head>\
         <body class=\"min-h-screen bg-stone-50 text-stone-900 dark:bg-stone-950 dark:text-stone-100 grid place-items-center\">\
         <main class=\"text-center p-8\"><p class=\"text-5xl font-bold text-orange-600\">{code}</p>\
         <h1 class=\"mt-2 text-xl font-semibold\">{reason}</h1>\
         <p id=\"toast\" hx-swap-oob=\"true\" role=\"alert\" class=\"mt-2 text-stone-600 dark:text-stone-300\">{message}</p>\
         <a class=\"mt-6 inline-block text-orange-600 underline\" href=\"/\">Back to Hearth</a></main></body></html>",
        code = status.as_u16(),
    )
}

pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
