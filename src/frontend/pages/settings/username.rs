//! `POST /accounts/settings/username/`: a new username, validated like at sign-up and
//! free in any case; the current password required. Sessions, memberships and private
//! rooms are keyed by the account's id, so they all survive; the profile URL changes.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Outcome, check_current_password, settings_page};
use crate::audit;
use crate::domain::Username;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

#[derive(Debug, Deserialize)]
pub struct UsernameChangeForm {
    #[serde(default)]
    username_password: String,
    #[serde(default)]
    new_username: String,
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn username_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    form: web::Form<UsernameChangeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut outcome = Outcome::default();
    outcome
        .values
        .insert("new_username", form.new_username.trim().to_owned());
    check_current_password(
        &state,
        &user,
        form.username_password,
        "username_password",
        &mut outcome,
    )
    .await?;
    let username = match Username::parse(&form.new_username) {
        Ok(name) if name.as_str().eq_ignore_ascii_case(&user.username) => {
            outcome.error("new_username", "This is already your username.");
            None
        }
        Ok(name) => Some(name),
        Err(problem) => {
            outcome.error("new_username", problem.0);
            None
        }
    };
    let Some(username) = username.filter(|_| outcome.errors.is_empty()) else {
        return settings_page(&request, &state, &session, &user, outcome).await;
    };
    let renamed = match state.storage.change_username(user.id, &username).await {
        Ok(renamed) => renamed,
        Err(StorageError::Conflict(_)) => {
            outcome.error("new_username", "A user with that username already exists.");
            return settings_page(&request, &state, &session, &user, outcome).await;
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!("username changed");
    audit::append(
        &*state.storage,
        audit::security_event(
            "account.username_change",
            Some(&renamed),
            renamed.id.to_string(),
            format!("{} -> {}", user.username, renamed.username),
            client_ip(&request),
        ),
    )
    .await;
    let notice = format!(
        "Your username is now {}. Your profile moved to /profile/{}/.",
        renamed.username, renamed.username
    );
    settings_page(
        &request,
        &state,
        &session,
        &renamed,
        Outcome::notice(notice),
    )
    .await
}
