//! `/accounts/…`: sign up, log in, log out.

use actix_identity::Identity;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use minijinja::context;
use serde::Deserialize;

use crate::config::EmailVerification;
use crate::crypto;
use crate::domain::password::validate_password;
use crate::domain::{Email, NewUser, User, Username};
use crate::frontend::auth::MaybeUser;
use crate::frontend::auth::credentials::{Verdict, check_credentials};
use crate::frontend::auth::session_store::{IP_KEY, USER_AGENT_KEY};
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::limits;
use crate::frontend::same_site;
use crate::frontend::service::registration::SignupGate;
use crate::frontend::state::AppState;
use crate::storage::{Conflict, StorageError};

use crate::frontend::layout::{FieldErrors, see_other};
use crate::frontend::limits::client_ip;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
    /// The invite token, carried from the link in a hidden field.
    #[serde(default)]
    invite: String,
}

#[derive(Debug, Deserialize)]
pub struct SignupQuery {
    invite: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// The "Remember me" checkbox: present when ticked.
    remember: Option<String>,
}

/// Signs `user` in on this browser: a fresh session key (actix-identity renews it), with
/// the device and address kept for the sessions list.
fn sign_in(request: &HttpRequest, session: &Session, user: &User) -> Result<(), AppError> {
    Identity::login(&request.extensions(), user.id.to_string())
        .map_err(|e| AppError::Internal(format!("login: {e}")))?;
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    let record = |key: &str, value: String| {
        session
            .insert(key, value)
            .map_err(|e| AppError::Internal(format!("session: {e}")))
    };
    record(USER_AGENT_KEY, agent)?;
    record(IP_KEY, client_ip(request).to_string())
}

/// `GET /accounts/signup/`
pub async fn signup_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<SignupQuery>,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse, AppError> {
    if user.is_some() {
        return Ok(see_other("/chat/"));
    }
    let invite = query.invite.as_deref().unwrap_or("").trim().to_owned();
    let gate = state.chat.signup_gate(Some(&invite)).await?;
    let refusal = match gate {
        SignupGate::Refused(message) => Some(message),
        _ => None,
    };
    let context = context! {
        errors => minijinja::Value::from(minijinja::value::Serde(FieldErrors::new())),
        values => context!{},
        becomes_admin => gate == SignupGate::FirstAdmin,
        refusal => refusal,
        invite => invite,
        ..base_context(&session, None)?
    };
    state.templates.page(&request, "pages/signup.html", context)
}

/// The sign-up page saying why this sign-up is refused, with nothing stored.
fn signup_refused(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    message: &str,
) -> Result<HttpResponse, AppError> {
    let context = context! {
        errors => minijinja::Value::from(minijinja::value::Serde(FieldErrors::new())),
        values => context!{},
        refusal => message,
        invite => "",
        ..base_context(session, None)?
    };
    state
        .templates
        .page_with_status(request, "pages/signup.html", context, StatusCode::FORBIDDEN)
}

/// `POST /accounts/signup/`
#[tracing::instrument(skip_all)]
pub async fn signup_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    limits::check(&state.limits.signup, &client_ip(&request))?;
    let form = form.into_inner();
    let gate = state.chat.signup_gate(Some(&form.invite)).await?;
    if let SignupGate::Refused(message) = gate {
        return signup_refused(&request, &state, &session, message);
    }
    let mut errors = FieldErrors::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.entry("username").or_default().push(e.0))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.entry("email").or_default().push(e.0))
        .ok();
    if form.password1 != form.password2 {
        errors
            .entry("password2")
            .or_default()
            .push("You must type the same password each time.".into());
    } else if let Err(problems) =
        validate_password(&form.password1, form.username.trim(), form.email.trim())
    {
        errors.entry("password1").or_default().extend(problems);
    }
    let (Some(username), Some(email), true) = (username, email, errors.is_empty()) else {
        return signup_again(&request, &state, &session, &form, errors);
    };

    let password = form.password1.clone();
    let password_hash = web::block(move || crypto::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let new = NewUser {
        username,
        email,
        password_hash,
        // A fresh install's first account runs the place (the sign-up page says so).
        is_admin: !state.storage.has_admin().await?,
    };
    let created = match &gate {
        // The invite's use is counted in the same transaction as the account.
        SignupGate::Invite(hash) => match state.storage.create_user_with_invite(hash, new).await {
            // Spent or revoked between the check above and now.
            Err(StorageError::NotFound) => {
                let message = state.chat.invite_refusal(hash).await;
                return signup_refused(&request, &state, &session, message);
            }
            other => other,
        },
        _ => state.storage.create_user(new).await,
    };
    let user = match created {
        Ok(user) => user,
        Err(StorageError::Conflict(field)) => {
            let message = if field == Conflict::Email {
                "A user is already registered with this email address."
            } else {
                "A user with that username already exists."
            };
            errors
                .entry(if field == Conflict::Email {
                    "email"
                } else {
                    "username"
                })
                .or_default()
                .push(message.into());
            return signup_again(&request, &state, &session, &form, errors);
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user = %user.id, "account created");
    if state.settings.accounts.email_verification != EmailVerification::None {
        let (background, new_user) = (state.clone(), user.clone());
        state.background.spawn(async move {
            super::email_verification::send_verification(&background, &new_user).await
        });
    }
    if state.settings.accounts.email_verification == EmailVerification::Mandatory {
        let context = context! { email => user.email, ..base_context(&session, None)? };
        return state
            .templates
            .page(&request, "pages/verify_email_sent.html", context);
    }
    sign_in(&request, &session, &user)?;
    Ok(see_other("/chat/"))
}

fn signup_again(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    form: &SignupForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let values = context! { username => form.username.trim(), email => form.email.trim() };
    let context = context! { errors => minijinja::Value::from(minijinja::value::Serde(errors)), values => values, invite => form.invite.trim(), ..base_context(session, None)? };
    state.templates.page_with_status(
        request,
        "pages/signup.html",
        context,
        StatusCode::BAD_REQUEST,
    )
}

/// `GET /accounts/login/`
pub async fn login_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<NextQuery>,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse, AppError> {
    let next = same_site::next_or_default(query.next.as_deref());
    if user.is_some() {
        return Ok(see_other(&next));
    }
    let context = context! { error => None::<String>, login => "", next => next, ..base_context(&session, None)? };
    state.templates.page(&request, "pages/login.html", context)
}

/// `POST /accounts/login/`
#[tracing::instrument(skip_all)]
pub async fn login_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    limits::check(&state.limits.login, &client_ip(&request))?;
    let form = form.into_inner();
    let next = same_site::next_or_default(form.next.as_deref());
    let user = match check_credentials(
        &state,
        &form.login,
        form.password.clone(),
        client_ip(&request),
    )
    .await?
    {
        Verdict::Accepted(user) => Some(user),
        Verdict::Refused => None,
        Verdict::Wait(wait) => {
            return Err(AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    };

    let Some(user) = user else {
        tracing::warn!(ip = %client_ip(&request), "failed log-in from this address");
        let context = context! {
            error => "The username and/or password you specified are not correct.",
            login => form.login.trim(),
            next => next,
            ..base_context(&session, None)?
        };
        return state.templates.page_with_status(
            &request,
            "pages/login.html",
            context,
            StatusCode::BAD_REQUEST,
        );
    };
    if state.settings.accounts.email_verification == EmailVerification::Mandatory
        && !user.email_verified
    {
        tracing::info!(user = %user.id, "log-in refused: email address not verified");
        let context = context! {
            error => "Your email address is not verified yet. Open the link we mailed you, or ask for a new one.",
            unverified => true,
            login => form.login.trim(),
            next => next,
            ..base_context(&session, None)?
        };
        return state.templates.page_with_status(
            &request,
            "pages/login.html",
            context,
            StatusCode::FORBIDDEN,
        );
    }
    sign_in(&request, &session, &user)?;
    if form.remember.is_none() {
        crate::frontend::auth::remember::forget_on_close(&session)?;
    }
    let mut response = see_other(&next);
    if let Ok(value) = HeaderValue::from_str(&next) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("hx-redirect"), value);
    }
    Ok(response)
}

/// `POST /accounts/logout/`
pub async fn logout_post(identity: Option<Identity>) -> HttpResponse {
    if let Some(identity) = identity {
        identity.logout();
    }
    see_other("/")
}
