//! `/accounts/settings/`: one page, one form per job, each handled in its own file:
//! password, sessions, email address, username and deleting the account.

mod delete;
mod email;
mod mail;
mod password;
mod push;
mod sessions;
mod username;

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Serialize;

use crate::config::EmailVerification;
use crate::crypto;
use crate::domain::User;
use crate::frontend::auth::CurrentUser;
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::layout::FieldErrors;
use crate::frontend::layout::base_context;
use crate::frontend::state::AppState;

pub use delete::delete_post;
pub use email::{confirm_email_change_get, email_post};
pub use mail::mail_post;
pub use password::password_post;
pub use push::{push_remove_post, push_subscribe_post};
pub use sessions::{session_revoke_post, sessions_revoke_others_post};
pub use username::username_post;

/// The session cookie's name, as `startup` sets it.
const SESSION_COOKIE: &str = "hearth_session";
/// A signed cookie's value starts with the base64 HMAC-SHA256 of the rest (the `cookie`
/// crate's format); the rest is the session key.
const SIGNATURE_LEN: usize = 44;

/// The key hash of the session this request came with, so the list can mark it and the
/// "others" actions can spare it. The session middleware has already checked the signature.
fn current_key_hash(request: &HttpRequest) -> Option<String> {
    let cookie = request.cookie(SESSION_COOKIE)?;
    let key = cookie.value().get(SIGNATURE_LEN..)?;
    (!key.is_empty()).then(|| hash_key(key))
}

/// Whether `password` is `user`'s current one (hashing runs off the async threads).
async fn password_matches(
    state: &AppState,
    user: &User,
    password: String,
) -> Result<bool, AppError> {
    let stored = state
        .storage
        .credentials_by_login(&user.username)
        .await?
        .password_hash;
    web::block(move || crypto::verify_password(&password, &stored))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Every settings form that changes the account asks for the current password first and
/// answers a wrong one with the same message under that form's own password field.
async fn check_current_password(
    state: &AppState,
    user: &User,
    password: String,
    field: &'static str,
    outcome: &mut Outcome,
) -> Result<(), AppError> {
    if !password_matches(state, user, password).await? {
        outcome.error(field, "Your current password was entered incorrectly.");
    }
    Ok(())
}

/// What a handled form hands back to the page: a notice, its field errors, and the
/// values to show again in the fields that were typed.
#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    errors: FieldErrors,
    values: BTreeMap<&'static str, String>,
}

impl Outcome {
    fn notice(text: impl Into<String>) -> Self {
        Self {
            notice: Some(text.into()),
            ..Self::default()
        }
    }

    fn error(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.entry(field).or_default().push(message.into());
    }
}

#[derive(Serialize)]
struct SessionRow {
    id: String,
    device: String,
    ip: String,
    last_seen: String,
    created: String,
    current: bool,
}

/// Renders the settings page; 400 when `outcome` carries errors.
async fn settings_page(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let current = current_key_hash(request);
    let sessions: Vec<SessionRow> = state
        .storage
        .sessions_of_user(user.id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: current.as_deref() == Some(s.key_hash.as_str()),
            id: s.key_hash,
            device: if s.user_agent.is_empty() {
                "Unknown device".into()
            } else {
                s.user_agent
            },
            ip: s.ip,
            last_seen: s.last_seen.format("%Y-%m-%d %H:%M UTC").to_string(),
            created: s.created.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    let pending_email = state.storage.email_change_pending(user.id).await?;
    let status = if outcome.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let context = context! {
        notice => outcome.notice,
        errors => Value::from(minijinja::value::Serde(outcome.errors)),
        values => Value::from(minijinja::value::Serde(outcome.values)),
        sessions => Value::from(minijinja::value::Serde(sessions)),
        email => &user.email,
        email_verified => user.email_verified,
        pending_email => pending_email,
        verification_off => state.settings.accounts.email_verification == EmailVerification::None,
        username => &user.username,
        devices => Value::from(minijinja::value::Serde(push::device_rows(state, user).await?)),
        push_key => state.reach.public_key(),
        mail => Value::from(minijinja::value::Serde(state.storage.mail_preferences(user.id).await?)),
        mail_after => state.settings.notifications.email_after_minutes,
        ..base_context(session, Some(user))?
    };
    state
        .templates
        .page_with_status(request, "pages/settings.html", context, status)
}

/// `GET /accounts/settings/`
pub async fn settings_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    settings_page(&request, &state, &session, &user, Outcome::default()).await
}
