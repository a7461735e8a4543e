//! `ApiError`: every way an `/api` request can fail, mapped once to HTTP in Django REST
//! framework's and simplejwt's shapes: `{"detail": …}` (with `"code"` where simplejwt adds
//! one), field errors as `{"field": ["…"]}`; both bodies are types of `shapes::errors`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::Value;

use super::shapes::{ErrorDetail, FieldErrors};
use crate::frontend::error::AppError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no `Authorization: Bearer …` header.
    #[error("Authentication credentials were not provided.")]
    NotAuthenticated,
    /// 401 `token_not_valid`: an access token that is malformed, expired, badly signed,
    /// of another algorithm, or a refresh token.
    #[error("Given token not valid for any token type")]
    AccessTokenInvalid,
    /// 401 `token_not_valid`: a refresh token that is malformed, expired, used or revoked.
    #[error("Token is invalid or expired")]
    RefreshTokenInvalid,
    /// 401: wrong username or password, or an inactive account.
    #[error("No active account found with the given credentials")]
    NoActiveAccount,
    /// 401: the right password, but `mandatory` verification and an unverified address.
    #[error("E-mail address is not verified.")]
    EmailUnverified,
    /// 401: a valid token whose account is deactivated.
    #[error("User is inactive")]
    UserInactive,
    /// 401: a valid token whose account no longer exists.
    #[error("User not found")]
    UserNotFound,
    /// 400: the fields were refused, each with its reasons.
    #[error("invalid fields")]
    Validation(FieldErrors),
    /// 400: the body is not the JSON expected.
    #[error("JSON parse error - {0}")]
    Parse(String),
    /// 403: a member acting beyond their rights (not the room's admin, or a room nobody
    /// administers).
    #[error("You do not have permission to perform this action.")]
    PermissionDenied,
    /// 400: an `application/fernet` body that does not open (forged, foreign key, expired).
    #[error("{0}")]
    LinkToken(&'static str),
    /// 404: missing, or not yours to know about.
    #[error("Not found.")]
    NotFound,
    /// 404: a page number that is not a page.
    #[error("Invalid page.")]
    InvalidPage,
    /// 404: a `?cursor=` this server did not write.
    #[error("Invalid cursor")]
    InvalidCursor,
    /// 405 with `Allow`: a method this URL does not take.
    #[error("Method \"{method}\" not allowed.")]
    MethodNotAllowed { method: String, allow: String },
    /// 413: the body is over `server.max_body`.
    #[error("Request body is larger than {limit} bytes.")]
    PayloadTooLarge { limit: usize },
    /// 415: not `application/json`.
    #[error("Unsupported media type in request.")]
    UnsupportedMediaType,
    /// 429 with `Retry-After`.
    #[error("Request was throttled. Expected available in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: u64 },
    /// 500: logged in full, shown opaque.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// One field with one message.
    pub fn field(name: &'static str, message: &str) -> Self {
        Self::Validation(FieldErrors::one(name, message.to_owned()))
    }

    /// The `{"detail"}` body of every error but `Validation`.
    fn detail(&self) -> ErrorDetail {
        let code = match self {
            Self::AccessTokenInvalid | Self::RefreshTokenInvalid => Some("token_not_valid"),
            _ => None,
        };
        let detail = match self {
            Self::Internal(_) => "A server error occurred.".to_owned(),
            other => other.to_string(),
        };
        ErrorDetail { code, detail }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => Self::NotFound,
            StorageError::Conflict(what) => {
                Self::field(what.as_str(), "This value is already taken.")
            }
            StorageError::Internal(detail) => Self::Internal(detail),
        }
    }
}

/// Shared helpers (rate limits, extractors) speak `AppError`; the API answers in JSON.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::RateLimited { retry_after_secs } => Self::Throttled { retry_after_secs },
            AppError::NotFound => Self::NotFound,
            AppError::LoginRequired { .. } | AppError::Unauthorized => Self::NotAuthenticated,
            AppError::BadRequest(message) => Self::field("non_field_errors", &message),
            AppError::Forbidden(_) => Self::PermissionDenied,
            AppError::MethodNotAllowed { method, allow } => {
                Self::MethodNotAllowed { method, allow }
            }
            AppError::Internal(message) => Self::Internal(message),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotAuthenticated
            | Self::AccessTokenInvalid
            | Self::RefreshTokenInvalid
            | Self::NoActiveAccount
            | Self::EmailUnverified
            | Self::UserInactive
            | Self::UserNotFound => StatusCode::UNAUTHORIZED,
            Self::Validation(_) | Self::Parse(_) | Self::LinkToken(_) => StatusCode::BAD_REQUEST,
            Self::PermissionDenied => StatusCode::FORBIDDEN,
            Self::NotFound | Self::InvalidPage | Self::InvalidCursor => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "api request failed");
        }
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            ));
        }
        match self {
            Self::Throttled { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        match self {
            Self::Validation(fields) => response.json(fields),
            other => response.json(other.detail()),
        }
    }
}

/// `JsonConfig::error_handler`: a body that cannot be read as the JSON expected answers in
/// the API's shape (413 over the limit, 415 not JSON, 400 otherwise).
pub fn json_error(error: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match error {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        E::ContentType => ApiError::UnsupportedMediaType,
        E::Deserialize(e) => ApiError::Parse(e.to_string()),
        E::Serialize(e) => ApiError::Internal(e.to_string()),
        E::Payload(e) => ApiError::Parse(e.to_string()),
        other => ApiError::Parse(other.to_string()),
    };
    api.into()
}

/// Reads a required string field the way a DRF `CharField` does, recording why it is
/// refused in `errors`.
pub fn required_string(
    errors: &mut FieldErrors,
    name: &'static str,
    value: Option<Value>,
) -> Option<String> {
    let problem = match value {
        None => "This field is required.",
        Some(Value::Null) => "This field may not be null.",
        Some(Value::String(text)) if text.trim().is_empty() => "This field may not be blank.",
        Some(Value::String(text)) => return Some(text),
        Some(Value::Number(n)) => return Some(n.to_string()),
        Some(_) => "Not a valid string.",
    };
    errors.push(name, problem.to_owned());
    None
}
