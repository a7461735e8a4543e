//! `/accounts/confirm-email/…`: the link mailed after sign-up marks the address verified;
//! a resend form for whoever lost it. With `accounts.email_verification = "mandatory"`
//! an unverified account cannot log in (see `accounts::login_post`).
//!
//! The link confirms on `GET` (allauth's `ACCOUNT_CONFIRM_EMAIL_ON_GET`): confirming one's
//! own address is idempotent and harmless, and saves a click.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::domain::{Email, User};
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::layout::FieldErrors;
use crate::frontend::layout::base_context;
use crate::frontend::limits;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::{StorageError, TokenPurpose};

/// How long a confirmation link works.
const VERIFY_VALID_FOR: chrono::Duration = chrono::Duration::days(3);

/// Mails `user` a fresh confirmation link; failures are logged.
pub(crate) async fn send_verification(state: &AppState, user: &User) {
    state
        .account_mail
        .send_link(
            user,
            TokenPurpose::VerifyEmail,
            VERIFY_VALID_FOR,
            "/accounts/confirm-email/",
            "mail/verify_email.txt",
            "Confirm your email address for Hearth",
        )
        .await;
}

#[derive(Debug, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    email: String,
}

/// `GET /accounts/confirm-email/{token}/`
#[tracing::instrument(skip_all)]
pub async fn confirm_email_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (confirmed, status) = match state.storage.confirm_email(&hash_key(&token)).await {
        Ok(user) => {
            tracing::info!(%user, "email address confirmed");
            (true, StatusCode::OK)
        }
        Err(StorageError::NotFound) => (false, StatusCode::BAD_REQUEST),
        Err(e) => return Err(e.into()),
    };
    let context = context! { confirmed => confirmed, ..base_context(&session, None)? };
    state
        .templates
        .page_with_status(&request, "pages/verify_email_confirm.html", context, status)
}

fn resend_page(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    sent: bool,
    email: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let context = context! {
        sent => sent,
        email => email,
        errors => Value::from(minijinja::value::Serde(errors)),
        ..base_context(session, None)?
    };
    state
        .templates
        .page_with_status(request, "pages/verify_email_resend.html", context, status)
}

/// `GET /accounts/confirm-email/resend/`
pub async fn resend_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    resend_page(&request, &state, &session, false, "", FieldErrors::new())
}

/// `POST /accounts/confirm-email/resend/`: the same answer whatever the address; the work
/// happens after the response.
#[tracing::instrument(skip_all)]
pub async fn resend_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, AppError> {
    limits::check(&state.limits.signup, &client_ip(&request))?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.entry("email").or_default().push(problem.0);
            return resend_page(&request, &state, &session, false, form.email.trim(), errors);
        }
    };
    let background = state.clone();
    state.background.spawn(async move {
        match background
            .storage
            .credentials_by_login(email.as_str())
            .await
        {
            Ok(found)
                if found.user.is_active
                    && !found.user.email_verified
                    && found.user.email.eq_ignore_ascii_case(email.as_str()) =>
            {
                send_verification(&background, &found.user).await;
            }
            Ok(_) | Err(StorageError::NotFound) => {}
            Err(error) => tracing::error!(%error, "verification resend lookup failed"),
        }
    });
    resend_page(
        &request,
        &state,
        &session,
        true,
        form.email.trim(),
        FieldErrors::new(),
    )
}
