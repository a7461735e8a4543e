//! `/admin/keys/`: the encryption keys' fingerprints (never the keys), rotating to a new
//! key, and the rotation's live progress (an htmx partial polled every second).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Serialize;

use super::AdminUser;
use super::dashboard::admin_context;
use crate::audit::{append, security_event};
use crate::domain::User;
use crate::frontend::error::AppError;
use crate::frontend::layout::see_other;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;
use crate::rotation::RotationError;
use crate::storage::site::RotationProgress;

#[derive(Serialize)]
struct ProgressView {
    target: String,
    done: u64,
    total: u64,
    running: bool,
    started: String,
    finished: String,
}

fn progress_view(progress: Option<RotationProgress>) -> Option<ProgressView> {
    progress.map(|p| ProgressView {
        target: p.target,
        done: p.done,
        total: p.total.max(p.done),
        running: p.finished.is_none(),
        started: p.started.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        finished: p
            .finished
            .map(|f| f.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default(),
    })
}

async fn render(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    admin: &User,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let progress = progress_view(state.storage.rotation_latest().await?);
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let context = context! {
        fingerprints => state.sealer.fingerprints(),
        from_file => state.rotation.can_rotate(),
        progress => Value::from(minijinja::value::Serde(progress)),
        error => error,
        ..admin_context(session, admin, "keys")?
    };
    state
        .templates
        .page_with_status(request, "admin/keys.html", context, status)
}

/// `GET /admin/keys/`
pub async fn keys_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    render(&request, &state, &session, &admin, None).await
}

/// `POST /admin/keys/rotate/`: a new primary key at once, re-sealing in the background.
pub async fn rotate_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    let progress = match state.rotation.start().await {
        Ok(progress) => progress,
        Err(error @ (RotationError::ConfiguredKeys | RotationError::Unfinished)) => {
            return render(&request, &state, &session, &admin, Some(error.to_string())).await;
        }
        Err(error) => return Err(AppError::Internal(error.to_string())),
    };
    append(
        &*state.storage,
        security_event(
            "keys.rotation.start",
            Some(&admin),
            progress.target.clone(),
            format!("{} sealed values to re-seal", progress.total),
            client_ip(&request),
        ),
    )
    .await;
    let rotation = std::sync::Arc::clone(&state.rotation);
    tokio::spawn(async move {
        if let Err(error) = rotation.run(|_| {}).await {
            tracing::error!(%error, "key rotation stopped; it resumes at the next start");
        }
    });
    Ok(see_other("/admin/keys/"))
}

/// `GET /admin/keys/progress/`: the progress partial; it stops polling once finished.
pub async fn progress_get(
    state: web::Data<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    let progress = progress_view(state.storage.rotation_latest().await?);
    let body = state.templates.render(
        "admin/keys_progress.html",
        context! { progress => Value::from(minijinja::value::Serde(progress)) },
    )?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(body))
}
