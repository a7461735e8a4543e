//! Web Push devices on the settings page: a browser subscribes (JSON from its
//! `PushSubscription`), and each device is listed with a button that removes it.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::{MAX_PUSH_DEVICES, NewPushSubscription, PushSubscription, User};
use crate::frontend::auth::{CurrentUser, csrf};
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::present::templates::is_htmx;
use crate::frontend::reach::services::PushServices;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

/// What `PushSubscription.toJSON()` gives.
#[derive(Deserialize)]
pub struct SubscriptionJson {
    endpoint: String,
    keys: KeysJson,
}

#[derive(Deserialize)]
struct KeysJson {
    p256dh: String,
    auth: String,
}

#[derive(Serialize)]
pub(super) struct DeviceRow {
    id: i64,
    device: String,
    created: String,
}

pub(super) async fn device_rows(state: &AppState, user: &User) -> Result<Vec<DeviceRow>, AppError> {
    Ok(state
        .storage
        .push_subscriptions(user.id)
        .await?
        .into_iter()
        .map(|device: PushSubscription| DeviceRow {
            id: device.id,
            device: if device.device.is_empty() {
                "Unknown device".into()
            } else {
                device.device
            },
            created: device.created.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

/// The device list alone, for the script and for htmx to swap in.
async fn device_list(
    state: &AppState,
    session: &Session,
    user: &User,
) -> Result<HttpResponse, AppError> {
    let html = state.templates.render(
        "partials/push_devices.html",
        context! {
            devices => Value::from(minijinja::value::Serde(device_rows(state, user).await?)),
            push_key => state.reach.public_key(),
            csrf_token => csrf::token(session)?,
        },
    )?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// `POST /accounts/settings/push/`: keeps this browser's subscription (`X-CSRF-Token`
/// header). Refused, storing nothing: push off, a malformed subscription, a push service
/// not in `notifications.push_services`, or one device too many.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn push_subscribe_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    body: web::Json<SubscriptionJson>,
) -> Result<HttpResponse, AppError> {
    if state.reach.public_key().is_none() {
        return Err(AppError::BadRequest(
            "Push notifications are off on this server.".into(),
        ));
    }
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let new = NewPushSubscription::parse(
        user.id,
        &body.endpoint,
        &body.keys.p256dh,
        &body.keys.auth,
        &device_label(agent),
    )
    .map_err(|e| AppError::BadRequest(e.0))?;
    let services = PushServices::new(&state.settings.notifications.push_services);
    let allowed = Url::parse(&new.endpoint).is_ok_and(|url| services.allow(&url));
    if !allowed {
        return Err(AppError::BadRequest(
            "That push service is not one this server sends to.".into(),
        ));
    }
    let devices = state.storage.push_subscriptions(user.id).await?;
    let known = devices.iter().any(|d| d.endpoint == new.endpoint);
    if !known && devices.len() >= MAX_PUSH_DEVICES {
        return Err(AppError::BadRequest(format!(
            "You have push on {MAX_PUSH_DEVICES} devices already; remove one first."
        )));
    }
    state.storage.save_push_subscription(new).await?;
    tracing::info!("push device added");
    device_list(&state, &session, &user).await
}

/// `POST /accounts/settings/push/{id}/remove/`: someone else's or a missing one: 404.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn push_remove_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    match state.storage.remove_push_subscription(user.id, *id).await {
        Ok(()) => tracing::info!("push device removed"),
        Err(StorageError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    if is_htmx(&request) {
        return device_list(&state, &session, &user).await;
    }
    Ok(see_other("/accounts/settings/#push"))
}

/// "Firefox on Android" from a user agent string: enough to tell one's devices apart.
fn device_label(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find_map(|(token, name)| agent.contains(token).then_some(name));
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find_map(|(token, name)| agent.contains(token).then_some(name));
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::device_label;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        assert_eq!(
            device_label(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            device_label("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            device_label(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iPhone"
        );
        assert_eq!(device_label("curl/8.5"), "");
    }
}
