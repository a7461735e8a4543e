//! Changing one's email address. The current password is required. With email
//! verification off the address changes at once; otherwise the new address waits on a
//! link mailed to it, and the account keeps its old, verified address until the link is
//! followed (`GET /accounts/confirm-email-change/{token}/`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;

use super::{Outcome, check_current_password, settings_page};
use crate::audit;
use crate::config::EmailVerification;
use crate::domain::{Email, User};
use crate::frontend::auth::CurrentUser;
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::limits::client_ip;
use crate::frontend::service::account_mail::new_token;
use crate::frontend::state::AppState;
use crate::storage::{Conflict, StorageError};

/// How long an email-change link works.
const CHANGE_VALID_FOR: chrono::Duration = chrono::Duration::days(3);
const TAKEN: &str = "A user is already registered with this email address.";

#[derive(Debug, Deserialize)]
pub struct EmailChangeForm {
    #[serde(default)]
    email_password: String,
    #[serde(default)]
    new_email: String,
}

/// `POST /accounts/settings/email/`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn email_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    form: web::Form<EmailChangeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut outcome = Outcome::default();
    outcome
        .values
        .insert("new_email", form.new_email.trim().to_owned());
    check_current_password(
        &state,
        &user,
        form.email_password,
        "email_password",
        &mut outcome,
    )
    .await?;
    let email = match Email::parse(&form.new_email) {
        Ok(email) if email.uniqueness_key() == user.email.to_lowercase() => {
            outcome.error("new_email", "This is already your email address.");
            None
        }
        Ok(email) => Some(email),
        Err(problem) => {
            outcome.error("new_email", problem.0);
            None
        }
    };
    let Some(email) = email.filter(|_| outcome.errors.is_empty()) else {
        return settings_page(&request, &state, &session, &user, outcome).await;
    };

    let notice = if state.settings.accounts.email_verification == EmailVerification::None {
        match state.storage.change_email(user.id, &email).await {
            Ok(_) => format!("Your email address is now {}.", email.as_str()),
            Err(StorageError::Conflict(_)) => {
                outcome.error("new_email", TAKEN);
                return settings_page(&request, &state, &session, &user, outcome).await;
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let (token, hash) = new_token();
        let expires = Utc::now() + CHANGE_VALID_FOR;
        match state
            .storage
            .email_change_request(&hash, user.id, &email, expires)
            .await
        {
            Ok(()) => {}
            Err(StorageError::Conflict(Conflict::Email)) => {
                outcome.error("new_email", TAKEN);
                return settings_page(&request, &state, &session, &user, outcome).await;
            }
            Err(e) => return Err(e.into()),
        }
        if let Err(error) = send_change_link(&state, &user, &email, &token).await {
            tracing::error!(%error, "email change mail could not be sent");
            outcome.error(
                "new_email",
                "The confirmation mail could not be sent. Please try again later.",
            );
            return settings_page(&request, &state, &session, &user, outcome).await;
        }
        format!(
            "We mailed a confirmation link to {}. Your address stays {} until you open it.",
            email.as_str(),
            user.email
        )
    };
    notify_old_address(
        &state,
        &user,
        state.settings.accounts.email_verification == EmailVerification::None,
    );
    tracing::info!("email address change requested");
    audit::append(
        &*state.storage,
        audit::security_event(
            "account.email_change",
            Some(&user),
            user.id.to_string(),
            email.as_str(),
            client_ip(&request),
        ),
    )
    .await;
    // Re-read: with verification off the page must show the new address.
    let user = state.storage.user_by_id(user.id).await?;
    settings_page(&request, &state, &session, &user, Outcome::notice(notice)).await
}

/// Tells the old address about the change, so a hijacked session cannot quietly move the
/// account away from its owner. Sent after the response; a failure is logged.
fn notify_old_address(state: &web::Data<AppState>, user: &User, done: bool) {
    let tasks = state.background.clone();
    let state = state.clone();
    let user = user.clone();
    tasks.spawn(async move {
        let body = state.templates.render(
            "mail/email_change_notice.txt",
            context! {
                username => &user.username,
                done => done,
                link => format!("{}/accounts/settings/", state.origins.primary()),
            },
        );
        let sent = match body {
            Ok(body) => state
                .mailer
                .send(&user.email, "Your Hearth email address is changing", body)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = sent {
            tracing::error!(%error, user = %user.id, "email change notice could not be sent");
        }
    });
}

/// Mails the link to the NEW address: following it proves that mailbox is theirs.
async fn send_change_link(
    state: &AppState,
    user: &User,
    email: &Email,
    token: &str,
) -> Result<(), AppError> {
    let link = format!(
        "{}/accounts/confirm-email-change/{token}/",
        state.origins.primary()
    );
    let body = state.templates.render(
        "mail/change_email.txt",
        context! {
            username => &user.username,
            link => link,
            hours => CHANGE_VALID_FOR.num_hours(),
        },
    )?;
    state
        .mailer
        .send(
            email.as_str(),
            "Confirm your new email address for Hearth",
            body,
        )
        .await
        .map_err(|e| AppError::Internal(format!("email change mail: {e}")))
}

/// `GET /accounts/confirm-email-change/{token}/`: switches the address and marks it
/// verified, if the token is live and the address is still free. Confirms on GET like the
/// sign-up link: it only completes what the account's owner asked for.
#[tracing::instrument(skip_all)]
pub async fn confirm_email_change_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (outcome, email, status) = match state.storage.confirm_email_change(&hash_key(&token)).await
    {
        Ok(user) => {
            tracing::info!(user = %user.id, "email address change confirmed");
            ("confirmed", user.email, StatusCode::OK)
        }
        Err(StorageError::NotFound) => ("invalid", String::new(), StatusCode::BAD_REQUEST),
        Err(StorageError::Conflict(_)) => ("taken", String::new(), StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let context = context! {
        outcome => outcome,
        email => email,
        ..base_context(&session, None)?
    };
    state
        .templates
        .page_with_status(&request, "pages/email_change_confirm.html", context, status)
}
