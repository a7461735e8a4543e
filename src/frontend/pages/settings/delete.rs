//! `POST /accounts/settings/delete/`: deleting one's own account, password confirmed.
//!
//! What goes and what stays (also told on the page): the account, its sessions, API
//! refresh tokens, mailed links and room memberships go. Its messages STAY in their rooms,
//! shown as written by "deleted user" (`messages.author_id` becomes null): deleting
//! them would tear holes in other people's conversations. A group room it administered
//! passes to its longest-standing member, or is deleted when no member remains (all in
//! `UserStore::delete_user`). The last active admin cannot leave: the site would have no
//! one left to run it.

use actix_identity::Identity;
use actix_session::Session;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Outcome, check_current_password, settings_page};
use crate::audit;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    delete_password: String,
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn delete_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    identity: Option<Identity>,
    CurrentUser(user): CurrentUser,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let mut outcome = Outcome::default();
    check_current_password(
        &state,
        &user,
        form.into_inner().delete_password,
        "delete_password",
        &mut outcome,
    )
    .await?;
    if !outcome.errors.is_empty() {
        return settings_page(&request, &state, &session, &user, outcome).await;
    }
    match state.storage.delete_user(user.id).await {
        Ok(()) => {
            state.hub.eject_user(user.id);
        }
        Err(StorageError::Conflict(_)) => {
            outcome.error(
                "delete_password",
                "You are the last active administrator, so your account cannot be deleted. \
                 Make someone else an administrator first.",
            );
            return settings_page(&request, &state, &session, &user, outcome).await;
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!("account deleted");
    audit::append(
        &*state.storage,
        audit::security_event(
            "account.delete",
            None,
            user.id.to_string(),
            format!("{} deleted their account", user.username),
            client_ip(&request),
        ),
    )
    .await;
    // The stored session is already gone; this clears the browser's cookie too.
    if let Some(identity) = identity {
        identity.logout();
    }
    session.purge();
    let mut response = see_other("/");
    response.headers_mut().insert(
        header::HeaderName::from_static("hx-redirect"),
        HeaderValue::from_static("/"),
    );
    Ok(response)
}
