//! `/notifications/unsubscribe/{user}/{token}/`: the link in every missed-message mail.
//! It works without logging in (the token is the person's own, signed by the server): the
//! page asks, and the button turns the mail off. A mail scanner that follows links only
//! sees the question.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;

use crate::domain::UserId;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::service::missed_mail::unsubscribe_token_matches;
use crate::frontend::state::AppState;

/// The person the link is for; 404 for a link the server did not make.
fn person(state: &AppState, path: &(i64, String)) -> Result<UserId, AppError> {
    let user = UserId(path.0);
    if unsubscribe_token_matches(&state.missed_mail.secret, user, &path.1) {
        Ok(user)
    } else {
        Err(AppError::NotFound)
    }
}

async fn page(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    done: bool,
) -> Result<HttpResponse, AppError> {
    let context = context! { done, ..base_context(session, None)? };
    state
        .templates
        .page(request, "pages/unsubscribe.html", context)
}

pub async fn unsubscribe_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    person(&state, &path)?;
    page(&request, &state, &session, false).await
}

#[tracing::instrument(skip_all, fields(user = path.0))]
pub async fn unsubscribe_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let user = person(&state, &path)?;
    let preferences = state.storage.mail_preferences(user).await?;
    state
        .storage
        .set_mail_preferences(user, false, preferences.email_text)
        .await?;
    tracing::info!("missed-message mail turned off from a mail's link");
    page(&request, &state, &session, true).await
}
