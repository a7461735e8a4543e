//! `POST /accounts/settings/mail/`: whether to be mailed about unread mentions and DMs,
//! and whether those mails carry the messages' words.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Outcome, settings_page};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;

/// Checkboxes: present (any value) when ticked, absent when not.
#[derive(Debug, Deserialize)]
pub struct MailForm {
    email_missed: Option<String>,
    email_text: Option<String>,
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn mail_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    form: web::Form<MailForm>,
) -> Result<HttpResponse, AppError> {
    let email_missed = form.email_missed.is_some();
    let email_text = form.email_text.is_some();
    state
        .storage
        .set_mail_preferences(user.id, email_missed, email_text)
        .await?;
    tracing::info!(email_missed, email_text, "mail preferences changed");
    let notice = if email_missed {
        "Saved: unread mentions and DMs will be mailed to you."
    } else {
        "Saved: no more mail about what you missed."
    };
    settings_page(&request, &state, &session, &user, Outcome::notice(notice)).await
}
