//! `POST /accounts/settings/password/`: the current password required; every other
//! session is then signed out.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Outcome, check_current_password, current_key_hash, settings_page};
use crate::crypto;
use crate::domain::password::validate_password;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;

#[derive(Debug, Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn password_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    form: web::Form<PasswordChangeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut outcome = Outcome::default();
    check_current_password(
        &state,
        &user,
        form.current_password.clone(),
        "current_password",
        &mut outcome,
    )
    .await?;
    if form.password1 != form.password2 {
        outcome.error("password2", "You must type the same password each time.");
    } else if let Err(problems) = validate_password(&form.password1, &user.username, &user.email) {
        outcome
            .errors
            .entry("password1")
            .or_default()
            .extend(problems);
    }
    if !outcome.errors.is_empty() {
        return settings_page(&request, &state, &session, &user, outcome).await;
    }
    let password = form.password1;
    let password_hash = web::block(move || crypto::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let keep = current_key_hash(&request);
    state
        .storage
        .change_password(user.id, password_hash, keep.as_deref())
        .await?;
    state.storage.token_revoke_all_for_user(user.id).await?;
    tracing::info!("password changed; other sessions signed out");
    let outcome = Outcome::notice("Your password was changed. Every other session was signed out.");
    settings_page(&request, &state, &session, &user, outcome).await
}
