//! `ApiUser`: the caller of an API endpoint, from `Authorization: Bearer <access token>`,
//! counted against the caller's per-user rate limit.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::ApiState;
use super::error::ApiError;
use crate::domain::{User, UserId};
use crate::frontend::auth::jwt::TokenType;
use crate::frontend::limits;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// An active account holding a valid access token, within its request rate.
pub struct ApiUser(pub User);

/// The bearer token, `None` when the header is missing or names another scheme (simplejwt
/// then treats the request as anonymous).
fn bearer(request: &HttpRequest) -> Option<Result<&str, ApiError>> {
    let value = request.headers().get(header::AUTHORIZATION)?;
    let Ok(value) = value.to_str() else {
        return Some(Err(ApiError::AccessTokenInvalid));
    };
    let mut parts = value.split_whitespace();
    if parts.next() != Some("Bearer") {
        return None;
    }
    Some(match (parts.next(), parts.next()) {
        (Some(token), None) => Ok(token),
        _ => Err(ApiError::AccessTokenInvalid),
    })
}

async fn authenticate(request: &HttpRequest) -> Result<User, ApiError> {
    let token = bearer(request).ok_or(ApiError::NotAuthenticated)??;
    let (Some(app), Some(api)) = (
        request.app_data::<web::Data<AppState>>(),
        request.app_data::<web::Data<ApiState>>(),
    ) else {
        return Err(ApiError::Internal("api state missing".into()));
    };
    let claims = api
        .jwt
        .verify(token, TokenType::Access)
        .map_err(|_| ApiError::AccessTokenInvalid)?;
    let user = match app.storage.user_by_id(UserId(claims.user_id)).await {
        Ok(user) if user.is_active => user,
        Ok(_) => return Err(ApiError::UserInactive),
        Err(StorageError::NotFound) => return Err(ApiError::UserNotFound),
        Err(e) => return Err(e.into()),
    };
    // Per user, after authentication: one program cannot starve the others.
    limits::check(&api.user_limit, &user.id)?;
    Ok(user)
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { authenticate(&request).await.map(ApiUser) })
    }
}
