//! `/api/token/` and `/api/token/refresh/`: simplejwt's obtain-pair and rotating refresh.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::ApiState;
use super::error::{ApiError, required_string};
use super::shapes::{ErrorDetail, FieldErrors, RefreshRequest, TokenPair, TokenRequest};
use crate::config::EmailVerification;
use crate::domain::{User, UserId};
use crate::frontend::auth::credentials::{Verdict, check_credentials};
use crate::frontend::auth::jwt::{self, TokenType};
use crate::frontend::limits;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// A request body as a JSON object whose fields are read one by one, so each can be
/// refused DRF-style: missing, null, blank or of the wrong type.
type JsonObject = serde_json::Map<String, Value>;

/// `POST /api/token/`'s body as the type the document describes, each missing or unusable
/// field refused DRF-style.
fn read_credentials(mut body: JsonObject) -> Result<TokenRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let username = required_string(&mut errors, "username", body.remove("username"));
    let password = required_string(&mut errors, "password", body.remove("password"));
    match (username, password) {
        (Some(username), Some(password)) => Ok(TokenRequest { username, password }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// `POST /api/token/refresh/`'s body as the type the document describes.
fn read_refresh(mut body: JsonObject) -> Result<RefreshRequest, ApiError> {
    let mut errors = FieldErrors::new();
    match required_string(&mut errors, "refresh", body.remove("refresh")) {
        Some(refresh) => Ok(RefreshRequest { refresh }),
        None => Err(ApiError::Validation(errors)),
    }
}

/// Middleware on the token endpoints: the per-IP limit is taken before the body is read,
/// so malformed requests count too (as DRF throttles before parsing).
pub async fn throttle(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let api = request
        .app_data::<web::Data<ApiState>>()
        .ok_or_else(|| ApiError::Internal("api state missing".into()))?;
    limits::check(&api.token_limit, &client_ip(request.request())).map_err(ApiError::from)?;
    next.call(request).await
}

/// `POST /api/token/`
#[utoipa::path(
    post,
    path = "/api/token/",
    tag = "tokens",
    request_body(description = "Credentials as `application/json`, or `application/fernet`: a Fernet token of the same JSON under `api.link_key`, answered the same way", content((TokenRequest = "application/json"), (String = "application/fernet"))),
    responses(
        (status = 200, description = "An access and a refresh token", body = TokenPair),
        (status = 400, description = "Field errors, malformed JSON, or an `application/fernet` token that does not open", body = FieldErrors),
        (status = 401, description = "`No active account found with the given credentials`", body = ErrorDetail),
        (status = 413, description = "Body over `server.max_body`", body = ErrorDetail),
        (status = 415, description = "Body neither `application/json` nor `application/fernet`", body = ErrorDetail),
        (status = 429, description = "Throttled per IP; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn token_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let TokenRequest {
        username: login,
        password,
    } = read_credentials(body.into_inner())?;
    // The log-in page's check and back-off, shared: a guesser gains nothing by switching.
    let user = match check_credentials(&state, &login, password, client_ip(&request)).await? {
        Verdict::Accepted(user) => user,
        Verdict::Refused => return Err(ApiError::NoActiveAccount),
        Verdict::Wait(wait) => {
            return Err(ApiError::Throttled {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    };
    // The same rule as the log-in page: with mandatory verification, no token before it.
    if state.settings.accounts.email_verification == EmailVerification::Mandatory
        && !user.email_verified
    {
        return Err(ApiError::EmailUnverified);
    }

    let refresh = sign(&api, TokenType::Refresh, user.id)?;
    state
        .storage
        .token_issue(&refresh.jti, user.id, refresh.expires)
        .await?;
    tracing::info!(user = %user.id, "api token issued");
    respond(&api, &user, refresh.token)
}

/// `POST /api/token/refresh/`
#[utoipa::path(
    post,
    path = "/api/token/refresh/",
    tag = "tokens",
    description = "Rotates: answers a new pair, and the refresh token presented is dead from then on.",
    request_body(description = "A refresh token as `application/json`, or `application/fernet`: a Fernet token of the same JSON under `api.link_key`, answered the same way", content((RefreshRequest = "application/json"), (String = "application/fernet"))),
    responses(
        (status = 200, description = "A new access and refresh token", body = TokenPair),
        (status = 400, description = "Field errors, malformed JSON, or an `application/fernet` token that does not open", body = FieldErrors),
        (status = 401, description = "`token_not_valid`: malformed, expired, used or revoked", body = ErrorDetail),
        (status = 413, description = "Body over `server.max_body`", body = ErrorDetail),
        (status = 415, description = "Body neither `application/json` nor `application/fernet`", body = ErrorDetail),
        (status = 429, description = "Throttled per IP; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn token_refresh_post(
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    body: web::Json<JsonObject>,
) -> Result<HttpResponse, ApiError> {
    let RefreshRequest { refresh: token } = read_refresh(body.into_inner())?;
    let claims = api
        .jwt
        .verify(&token, TokenType::Refresh)
        .map_err(|_| ApiError::RefreshTokenInvalid)?;
    let user = match state.storage.user_by_id(UserId(claims.user_id)).await {
        Ok(user) if user.is_active => user,
        Ok(_) | Err(StorageError::NotFound) => return Err(ApiError::NoActiveAccount),
        Err(e) => return Err(e.into()),
    };
    let refresh = sign(&api, TokenType::Refresh, user.id)?;
    match state
        .storage
        .token_rotate(&claims.jti, &refresh.jti, user.id, refresh.expires)
        .await
    {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            tracing::warn!(user = %user.id, "spent or revoked refresh token presented");
            return Err(ApiError::RefreshTokenInvalid);
        }
        Err(e) => return Err(e.into()),
    }
    respond(&api, &user, refresh.token)
}

fn sign(api: &ApiState, kind: TokenType, user: UserId) -> Result<jwt::Signed, ApiError> {
    api.jwt
        .sign(kind, user)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn respond(api: &ApiState, user: &User, refresh: String) -> Result<HttpResponse, ApiError> {
    let access = sign(api, TokenType::Access, user.id)?.token;
    Ok(HttpResponse::Ok().json(TokenPair { access, refresh }))
}
