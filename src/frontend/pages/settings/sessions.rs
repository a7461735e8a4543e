//! Revoking one's own sessions from the settings page: one, or every other.

use actix_web::{HttpRequest, HttpResponse, web};

use super::current_key_hash;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// `POST /accounts/settings/sessions/{id}/revoke/`: `id` is the session's key hash, only
/// ever shown to its owner. Someone else's or a missing one: 404.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn session_revoke_post(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match state.storage.session_delete_of_user(user.id, &id).await {
        Ok(()) => {
            tracing::info!("session revoked");
            Ok(see_other("/accounts/settings/"))
        }
        Err(StorageError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// `POST /accounts/settings/sessions/revoke-others/`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn sessions_revoke_others_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let keep = current_key_hash(&request)
        .ok_or_else(|| AppError::BadRequest("This browser's session could not be read.".into()))?;
    let revoked = state
        .storage
        .sessions_delete_for_user(user.id, Some(&keep))
        .await?;
    tracing::info!(revoked, "other sessions revoked");
    Ok(see_other("/accounts/settings/"))
}
