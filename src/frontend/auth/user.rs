//! Extractors for the signed-in person.

use std::future::Future;
use std::pin::Pin;

use actix_identity::Identity;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::domain::{User, UserId};
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// A signed-in, active person; pages that need one redirect visitors to log in.
pub struct CurrentUser(pub User);

/// The signed-in person, if any.
pub struct MaybeUser(pub Option<User>);

async fn signed_in_user(request: &HttpRequest) -> Result<Option<User>, AppError> {
    let Ok(identity) = Identity::extract(request).await else {
        return Ok(None);
    };
    let Some(id) = identity.id().ok().and_then(|raw| raw.parse::<i64>().ok()) else {
        return Ok(None);
    };
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("app state missing".into()))?;
    match state.storage.user_by_id(UserId(id)).await {
        Ok(user) if user.is_active => Ok(Some(user)),
        Ok(_) | Err(StorageError::NotFound) => {
            // The account is gone or deactivated: the session must not outlive it.
            identity.logout();
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { signed_in_user(&request).await.map(MaybeUser) })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            match signed_in_user(&request).await? {
                Some(user) => Ok(CurrentUser(user)),
                None => Err(AppError::LoginRequired {
                    next: request.uri().path().to_owned(),
                }),
            }
        })
    }
}
