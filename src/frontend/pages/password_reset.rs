//! `/accounts/password/reset/…`: a reset link by mail, single-use, valid for an hour; using
//! it sets the password and signs out every session of the account.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::crypto;
use crate::domain::Email;
use crate::domain::password::validate_password;
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::layout::FieldErrors;
use crate::frontend::layout::base_context;
use crate::frontend::limits;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::{StorageError, TokenPurpose};

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
    state
        .background
        .spawn(async move { send_reset_link(&background, &email).await });
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
    state.account_mail.send_reset_link(&user).await;
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
