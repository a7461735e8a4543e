//! `/admin/users/`: find accounts by username or email, and change their standing:
//! deactivate (every session, refresh token and open socket ends at once), reactivate,
//! promote, demote, mail a password reset link, delete. An admin cannot act against
//! themselves this way, and no change may leave the site without an active admin.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::AdminUser;
use super::dashboard::admin_context;
use crate::audit;
use crate::domain::{User, UserId};
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::storage::StorageError;
use crate::storage::admin::AccountChange;

const PAGE_SIZE: u64 = 25;

#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    page: Option<u64>,
    /// What the last action did, shown once after its redirect.
    done: Option<String>,
}

#[derive(Serialize)]
struct UserRow {
    id: i64,
    username: String,
    email: String,
    is_admin: bool,
    is_active: bool,
    email_verified: bool,
    joined: String,
    is_me: bool,
}

/// The notice for `?done=…`; anything unknown shows nothing.
fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "deactivate" => "The account was deactivated; its sessions, tokens and sockets ended.",
        "reactivate" => "The account was reactivated.",
        "promote" => "The account is now an admin.",
        "demote" => "The account is no longer an admin.",
        "reset" => "A password reset link was mailed to the account's address.",
        "delete" => "The account was deleted.",
        _ => return None,
    })
}

/// `GET /admin/users/?q=&page=`
pub async fn users_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    let (users, total) = state
        .storage
        .search_accounts(&query.q, (page - 1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
        .await?;
    let rows: Vec<UserRow> = users
        .into_iter()
        .map(|u| UserRow {
            is_me: u.id == admin.id,
            id: u.id.0,
            username: u.username,
            email: u.email,
            is_admin: u.is_admin,
            is_active: u.is_active,
            email_verified: u.email_verified,
            joined: u.created.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let context = context! {
        users => Value::from(minijinja::value::Serde(rows)),
        q => query.q.trim(),
        page => page,
        pages => pages,
        total => total,
        notice => notice(query.done.as_deref()),
        ..admin_context(&session, &admin, "users")?
    };
    state.templates.page(&request, "admin/users.html", context)
}

/// What each `POST /admin/users/{id}/{action}/` may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Change(AccountChange),
    Reset,
    Delete,
}

impl Action {
    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "deactivate" => Self::Change(AccountChange::Deactivate),
            "reactivate" => Self::Change(AccountChange::Activate),
            "promote" => Self::Change(AccountChange::Promote),
            "demote" => Self::Change(AccountChange::Demote),
            "reset-password" => Self::Reset,
            "delete" => Self::Delete,
            _ => return None,
        })
    }

    /// The audit action and the `?done=` key.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Change(AccountChange::Deactivate) => ("user.deactivate", "deactivate"),
            Self::Change(AccountChange::Activate) => ("user.reactivate", "reactivate"),
            Self::Change(AccountChange::Promote) => ("user.promote", "promote"),
            Self::Change(AccountChange::Demote) => ("user.demote", "demote"),
            Self::Reset => ("user.password_reset", "reset"),
            Self::Delete => ("user.delete", "delete"),
        }
    }

    /// Whether an admin is refused doing this to their own account.
    fn refused_on_self(self) -> bool {
        matches!(
            self,
            Self::Change(AccountChange::Deactivate | AccountChange::Demote) | Self::Delete
        )
    }
}

fn refusal(error: StorageError) -> AppError {
    match error {
        StorageError::Conflict("last admin") => AppError::BadRequest(
            "That would leave the site without an active admin; promote someone else first.".into(),
        ),
        other => other.into(),
    }
}

/// Ends everything that keeps `user` signed in: browser sessions, API refresh tokens and
/// open WebSockets.
async fn sign_out_everywhere(state: &AppState, user: UserId) -> Result<(), AppError> {
    state.storage.sessions_delete_for_user(user, None).await?;
    state.storage.token_revoke_all_for_user(user).await?;
    let sockets = state.hub.eject_user(user);
    tracing::info!(%user, sockets, "signed out everywhere");
    Ok(())
}

/// `POST /admin/users/{id}/{action}/`
#[tracing::instrument(skip_all, fields(admin = %admin.id))]
pub async fn user_action_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, raw_action) = path.into_inner();
    let action = Action::parse(&raw_action).ok_or(AppError::NotFound)?;
    let target: User = state.storage.user_by_id(UserId(id)).await?;
    if target.id == admin.id && action.refused_on_self() {
        return Err(AppError::BadRequest(
            "You cannot deactivate, demote or delete your own account here.".into(),
        ));
    }
    let (audit_action, done) = action.names();
    match action {
        Action::Change(change) => {
            state
                .storage
                .change_account(target.id, change)
                .await
                .map_err(refusal)?;
            if change == AccountChange::Deactivate {
                sign_out_everywhere(&state, target.id).await?;
            }
        }
        Action::Reset => {
            if !target.is_active {
                return Err(AppError::BadRequest(
                    "That account is deactivated; reactivate it first.".into(),
                ));
            }
            state.account_mail.send_reset_link(&target).await;
        }
        Action::Delete => {
            state
                .storage
                .delete_user(target.id)
                .await
                .map_err(refusal)?;
            state.hub.eject_user(target.id);
        }
    }
    audit::append(
        &*state.storage,
        audit::admin_action(
            &admin,
            audit_action,
            format!("{} (#{})", target.username, target.id),
            "",
            client_ip(&request),
        ),
    )
    .await;
    Ok(see_other(format!("/admin/users/?done={done}")))
}
