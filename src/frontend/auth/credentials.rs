//! Checking a login and password, the one way both doors do it (the log-in page and
//! `POST /api/token/`): the per-account back-off, argon2 off the async threads, and the same
//! time spent whether or not the name exists.

use std::net::IpAddr;
use std::time::Duration;

use actix_web::web;

use crate::audit;
use crate::crypto;
use crate::domain::User;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

pub enum Verdict {
    /// The password matches an active account.
    Accepted(User),
    /// Wrong name or password, or an inactive account: one answer for all three.
    Refused,
    /// The account is in back-off; nothing was checked.
    Wait(Duration),
}

/// Checks `password` for the account named `login` (username or email, any case), asked
/// from `ip`. Failures and refusals during back-off go to the audit log; the per-IP limit
/// in front of every caller bounds how fast they can be written.
pub async fn check_credentials(
    state: &AppState,
    login: &str,
    password: String,
    ip: IpAddr,
) -> Result<Verdict, AppError> {
    let found = match state.storage.credentials_by_login(login).await {
        Ok(found) => Some(found),
        Err(StorageError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // An account's failures count together however it is named; unknown names count too.
    let account = match &found {
        Some(found) => format!("user:{}", found.user.id),
        None => format!("login:{}", login.trim().to_lowercase()),
    };
    if let Err(wait) = state.limits.login_backoff.check(&account) {
        tracing::warn!(%account, "security: log-in refused during back-off");
        let entry = audit::security_event(
            "login.locked",
            found.as_ref().map(|f| &f.user),
            login.trim(),
            format!("refused during back-off, {}s left", wait.as_secs().max(1)),
            ip,
        );
        audit::append(&*state.storage, entry).await;
        return Ok(Verdict::Wait(wait));
    }
    let known = found.as_ref().map(|f| f.user.clone());
    let user = web::block(move || match found {
        Some(found)
            if crypto::verify_password(&password, &found.password_hash) && found.user.is_active =>
        {
            Some(found.user)
        }
        Some(_) => None,
        None => {
            crypto::burn_verification_time(&password);
            None
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match user {
        Some(user) => {
            state.limits.login_backoff.clear(&account);
            Ok(Verdict::Accepted(user))
        }
        None => {
            let failures = state.limits.login_backoff.record_failure(&account);
            tracing::warn!(%account, failures, "security: failed log-in");
            let entry = audit::security_event(
                "login.failed",
                known.as_ref(),
                login.trim(),
                format!("failure {failures} in the back-off window"),
                ip,
            );
            audit::append(&*state.storage, entry).await;
            Ok(Verdict::Refused)
        }
    }
}
