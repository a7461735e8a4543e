//! `/accounts/settings/`: change one's password (the current one required; every other
//! session is then signed out) and see one's active sessions, revoking one or all others.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::base_context;
use super::{FieldErrors, see_other};
use crate::crypto;
use crate::domain::User;
use crate::domain::password::validate_password;
use crate::frontend::auth::CurrentUser;
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

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

#[derive(Debug, Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
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

/// Renders the settings page with `notice` and the password form's `errors`.
async fn settings_page(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    user: &User,
    notice: Option<&str>,
    errors: FieldErrors,
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
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let context = context! {
        notice => notice,
        errors => Value::from(minijinja::value::Serde(errors)),
        sessions => Value::from(minijinja::value::Serde(sessions)),
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
    settings_page(&request, &state, &session, &user, None, FieldErrors::new()).await
}

/// `POST /accounts/settings/password/`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn password_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    form: web::Form<PasswordChangeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let stored = state
        .storage
        .credentials_by_login(&user.username)
        .await?
        .password_hash;
    let current = form.current_password.clone();
    let current_ok = web::block(move || crypto::verify_password(&current, &stored))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut errors = FieldErrors::new();
    if !current_ok {
        errors
            .entry("current_password")
            .or_default()
            .push("Your current password was entered incorrectly.".into());
    }
    if form.password1 != form.password2 {
        errors
            .entry("password2")
            .or_default()
            .push("You must type the same password each time.".into());
    } else if let Err(problems) = validate_password(&form.password1, &user.username, &user.email) {
        errors.entry("password1").or_default().extend(problems);
    }
    if !errors.is_empty() {
        return settings_page(&request, &state, &session, &user, None, errors).await;
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
    settings_page(
        &request,
        &state,
        &session,
        &user,
        Some("Your password was changed. Every other session was signed out."),
        FieldErrors::new(),
    )
    .await
}

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
