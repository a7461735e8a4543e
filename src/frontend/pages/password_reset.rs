//! `/accounts/password/reset/…`: a reset link by mail, single-use, valid for an hour; using
//! it sets the password and signs out every session of the account. Also the single-use
//! token helpers the email confirmation links share.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use minijinja::{Value, context};
use rand::RngCore;
use serde::Deserialize;

use super::FieldErrors;
use super::base_context;
use crate::crypto;
use crate::domain::password::validate_password;
use crate::domain::{Email, User};
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::limits;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::{StorageError, TokenPurpose};

/// How long a reset link works.
const RESET_VALID_FOR: chrono::Duration = chrono::Duration::hours(1);

/// A fresh random token (32 bytes, url-safe base64) and the hash storage keeps of it.
pub(crate) fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_key(&token);
    (token, hash)
}

/// Records a new token of `purpose` for `user` and mails `user` its link, made from
/// `path_prefix` + token. Failures are logged: the person sees the same page either way.
pub(crate) async fn mail_link(
    state: &AppState,
    user: &User,
    purpose: TokenPurpose,
    valid_for: chrono::Duration,
    path_prefix: &str,
    template: &str,
    subject: &str,
) {
    let (token, hash) = new_token();
    if let Err(error) = state
        .storage
        .account_token_create(&hash, user.id, purpose, Utc::now() + valid_for)
        .await
    {
        tracing::error!(%error, user = %user.id, "account token could not be stored");
        return;
    }
    let link = format!("{}{path_prefix}{token}/", state.origins.primary());
    let body = match state.templates.render(
        template,
        context! { username => &user.username, link => link, hours => valid_for.num_hours() },
    ) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, template, "mail could not be rendered");
            return;
        }
    };
    if let Err(error) = state.mailer.send(&user.email, subject, body).await {
        tracing::error!(%error, user = %user.id, subject, "mail could not be sent");
    }
}

#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
}

fn errors_value(errors: FieldErrors) -> Value {
    Value::from(minijinja::value::Serde(errors))
}

/// `GET /accounts/password/reset/`
pub async fn password_reset_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let context = context! { sent => false, email => "", errors => errors_value(FieldErrors::new()), ..base_context(&session, None)? };
    state
        .templates
        .page(&request, "pages/password_reset.html", context)
}

/// `POST /accounts/password/reset/`: the same answer whether or not the address is known;
/// the lookup and the mail happen after the response, so its timing says nothing either.
#[tracing::instrument(skip_all)]
pub async fn password_reset_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ResetRequestForm>,
) -> Result<HttpResponse, AppError> {
    limits::check(&state.limits.signup, &client_ip(&request))?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.entry("email").or_default().push(problem.0);
            let context = context! { sent => false, email => form.email.trim(), errors => errors_value(errors), ..base_context(&session, None)? };
            return state.templates.page_with_status(
                &request,
                "pages/password_reset.html",
                context,
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let background = state.clone();
    tokio::spawn(async move { send_reset_link(&background, &email).await });
    let context = context! { sent => true, email => form.email.trim(), errors => errors_value(FieldErrors::new()), ..base_context(&session, None)? };
    state
        .templates
        .page(&request, "pages/password_reset.html", context)
}

async fn send_reset_link(state: &AppState, email: &Email) {
    let user = match state.storage.credentials_by_login(email.as_str()).await {
        Ok(found)
            if found.user.is_active && found.user.email.eq_ignore_ascii_case(email.as_str()) =>
        {
            found.user
        }
        Ok(_) | Err(StorageError::NotFound) => {
            tracing::info!("password reset asked for an unknown address");
            return;
        }
        Err(error) => {
            tracing::error!(%error, "password reset lookup failed");
            return;
        }
    };
    mail_reset_link(state, &user).await;
}

/// Mails `user` a fresh single-use reset link; failures are logged. The admin pages send
/// the same link the reset page does.
pub(crate) async fn mail_reset_link(state: &AppState, user: &User) {
    mail_link(
        state,
        user,
        TokenPurpose::Reset,
        RESET_VALID_FOR,
        "/accounts/password/reset/key/",
        "mail/password_reset.txt",
        "Reset your Hearth password",
    )
    .await;
}

/// The key page in one of its states: `form`, `invalid` or `done`.
fn key_page(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    step: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let context =
        context! { step => step, errors => errors_value(errors), ..base_context(session, None)? };
    state
        .templates
        .page_with_status(request, "pages/password_reset_key.html", context, status)
}

/// `GET /accounts/password/reset/key/{token}/`
pub async fn password_reset_key_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let step = match state
        .storage
        .account_token_peek(&hash_key(&token), TokenPurpose::Reset)
        .await
    {
        Ok(_) => ("form", StatusCode::OK),
        Err(StorageError::NotFound) => ("invalid", StatusCode::BAD_REQUEST),
        Err(e) => return Err(e.into()),
    };
    key_page(
        &request,
        &state,
        &session,
        step.0,
        FieldErrors::new(),
        step.1,
    )
}

/// `POST /accounts/password/reset/key/{token}/`
#[tracing::instrument(skip_all)]
pub async fn password_reset_key_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let hash = hash_key(&token);
    let invalid = |state: &AppState| {
        key_page(
            &request,
            state,
            &session,
            "invalid",
            FieldErrors::new(),
            StatusCode::BAD_REQUEST,
        )
    };
    let user = match state
        .storage
        .account_token_peek(&hash, TokenPurpose::Reset)
        .await
    {
        Ok(id) => state.storage.user_by_id(id).await?,
        Err(StorageError::NotFound) => return invalid(&state),
        Err(e) => return Err(e.into()),
    };
    let mut errors = FieldErrors::new();
    if form.password1 != form.password2 {
        errors
            .entry("password2")
            .or_default()
            .push("You must type the same password each time.".into());
    } else if let Err(problems) = validate_password(&form.password1, &user.username, &user.email) {
        errors.entry("password1").or_default().extend(problems);
    }
    if !errors.is_empty() {
        return key_page(
            &request,
            &state,
            &session,
            "form",
            errors,
            StatusCode::BAD_REQUEST,
        );
    }
    let password = form.password1.clone();
    let password_hash = web::block(move || crypto::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    match state.storage.reset_password(&hash, password_hash).await {
        Ok(id) => {
            state.storage.token_revoke_all_for_user(id).await?;
            tracing::info!(user = %id, "password reset; every session signed out");
            key_page(
                &request,
                &state,
                &session,
                "done",
                FieldErrors::new(),
                StatusCode::OK,
            )
        }
        // Spent by a concurrent request between the check and now.
        Err(StorageError::NotFound) => invalid(&state),
        Err(e) => Err(e.into()),
    }
}
