//! `/admin/registration/`: who may sign up (open, closed, invite only) and the invite
//! links. A link's token is shown once, when made; only its SHA-256 is stored.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use minijinja::{Value, context};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::AdminUser;
use super::dashboard::admin_context;
use crate::audit::{admin_action, append};
use crate::domain::User;
use crate::frontend::error::AppError;
use crate::frontend::layout::{FieldErrors, see_other};
use crate::frontend::limits::client_ip;
use crate::frontend::service::registration::hash_token;
use crate::frontend::state::AppState;
use crate::storage::StorageError;
use crate::storage::site::{InviteStatus, NewInvite, RegistrationPolicy};

/// Longest an invite may live, and most uses it may allow.
const MAX_DAYS: u64 = 365;
const MAX_USES: u64 = 10_000;

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    policy: String,
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    expires_days: String,
    #[serde(default)]
    max_uses: String,
}

#[derive(Serialize)]
struct InviteRow {
    id: i64,
    created: String,
    expires: String,
    uses: u64,
    max_uses: String,
    status: &'static str,
    revocable: bool,
}

struct Shown<'a> {
    notice: Option<&'a str>,
    new_link: Option<String>,
    errors: FieldErrors,
    values: Value,
}

async fn render(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    admin: &User,
    shown: Shown<'_>,
) -> Result<HttpResponse, AppError> {
    let now = Utc::now();
    let policy = state.storage.registration_policy().await?;
    let invites: Vec<InviteRow> = state
        .storage
        .invites_list()
        .await?
        .into_iter()
        .map(|invite| {
            let status = invite.status(now);
            InviteRow {
                id: invite.id,
                created: invite.created.format("%Y-%m-%d %H:%M UTC").to_string(),
                expires: invite
                    .expires
                    .map(|e| e.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "never".into()),
                uses: invite.uses,
                max_uses: invite
                    .max_uses
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "unlimited".into()),
                status: match status {
                    InviteStatus::Live => "live",
                    InviteStatus::Revoked => "revoked",
                    InviteStatus::Expired => "expired",
                    InviteStatus::UsedUp => "used up",
                },
                revocable: invite.revoked.is_none(),
            }
        })
        .collect();
    let status = if shown.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let context = context! {
        policy => policy.as_str(),
        invites => Value::from(minijinja::value::Serde(invites)),
        notice => shown.notice,
        new_link => shown.new_link,
        errors => Value::from(minijinja::value::Serde(shown.errors)),
        values => shown.values,
        max_days => MAX_DAYS,
        max_uses_limit => MAX_USES,
        ..admin_context(session, admin, "registration")?
    };
    state
        .templates
        .page_with_status(request, "admin/registration.html", context, status)
}

/// `GET /admin/registration/`
pub async fn registration_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    let shown = Shown {
        notice: None,
        new_link: None,
        errors: FieldErrors::new(),
        values: context! {},
    };
    render(&request, &state, &session, &admin, shown).await
}

/// `POST /admin/registration/`: sets the policy.
pub async fn policy_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    form: web::Form<PolicyForm>,
) -> Result<HttpResponse, AppError> {
    let policy = RegistrationPolicy::parse(form.policy.trim())
        .ok_or_else(|| AppError::BadRequest("The policy must be open, closed or invite.".into()))?;
    let before = state.storage.registration_policy().await?;
    state.storage.set_registration_policy(policy).await?;
    append(
        &*state.storage,
        admin_action(
            &admin,
            "registration.policy",
            policy.as_str(),
            format!("from {} to {}", before.as_str(), policy.as_str()),
            client_ip(&request),
        ),
    )
    .await;
    Ok(see_other("/admin/registration/"))
}

/// A blank field means "no limit"; anything else must be a whole number in 1..=max.
fn parse_limit(raw: &str, max: u64, errors: &mut FieldErrors, field: &'static str) -> Option<u64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            errors.entry(field).or_default().push(format!(
                "Enter a whole number from 1 to {max}, or leave it blank."
            ));
            None
        }
    }
}

/// `POST /admin/registration/invites/`: makes a link; its token is shown this once.
pub async fn invite_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let days = parse_limit(&form.expires_days, MAX_DAYS, &mut errors, "expires_days");
    let max_uses = parse_limit(&form.max_uses, MAX_USES, &mut errors, "max_uses");
    if !errors.is_empty() {
        let values =
            context! { expires_days => form.expires_days.trim(), max_uses => form.max_uses.trim() };
        let shown = Shown {
            notice: None,
            new_link: None,
            errors,
            values,
        };
        return render(&request, &state, &session, &admin, shown).await;
    }
    let token = new_token();
    let expires = days.map(|d| Utc::now() + Duration::days(i64::try_from(d).unwrap_or(1)));
    let invite = match state
        .storage
        .invite_create(NewInvite {
            token_hash: hash_token(&token),
            created_by: admin.id,
            expires,
            max_uses,
        })
        .await
    {
        Ok(invite) => invite,
        Err(StorageError::Conflict(_)) => {
            return Err(AppError::Internal("an invite token collided".into()));
        }
        Err(e) => return Err(e.into()),
    };
    append(
        &*state.storage,
        admin_action(
            &admin,
            "invite.create",
            format!("invite #{}", invite.id),
            format!(
                "expires: {}; max uses: {}",
                days.map(|d| format!("in {d} days"))
                    .unwrap_or_else(|| "never".into()),
                max_uses
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "unlimited".into())
            ),
            client_ip(&request),
        ),
    )
    .await;
    let link = format!(
        "{}/accounts/signup/?invite={token}",
        state.origins.primary().trim_end_matches('/')
    );
    let shown = Shown {
        notice: Some("Invite link created. Copy it now: it is not shown again."),
        new_link: Some(link),
        errors: FieldErrors::new(),
        values: context! {},
    };
    render(&request, &state, &session, &admin, shown).await
}

/// `POST /admin/registration/invites/{id}/revoke/`
pub async fn revoke_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let invite = state.storage.invite_revoke(id).await?;
    append(
        &*state.storage,
        admin_action(
            &admin,
            "invite.revoke",
            format!("invite #{}", invite.id),
            format!("after {} uses", invite.uses),
            client_ip(&request),
        ),
    )
    .await;
    Ok(see_other("/admin/registration/"))
}
