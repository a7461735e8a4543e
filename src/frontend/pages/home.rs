//! `/`: a landing page for visitors, the public chat for members.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::chat;
use crate::frontend::auth::MaybeUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::state::AppState;

/// `GET /`
#[tracing::instrument(skip_all)]
pub async fn home_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse, AppError> {
    match user {
        Some(user) => chat::render_public_chat(&request, &state, &session, &user).await,
        None => state.templates.page(
            &request,
            "pages/landing.html",
            base_context(&session, None)?,
        ),
    }
}

/// `GET /offline/`: what the service worker shows when a page cannot be reached. The
/// same for everyone (it is cached on the device): no account, no CSRF token.
pub async fn offline_get(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let context = minijinja::context! {
        me => minijinja::Value::from(()),
        is_admin => false,
        csrf_token => "",
    };
    state
        .templates
        .page(&request, "pages/offline.html", context)
}
