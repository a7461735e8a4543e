//! `/admin/backup/`: downloads a consistent snapshot of the SQLite database, taken while
//! the server runs and streamed from storage as it comes. The keys are not in it: the
//! page says they must be kept separately.

use actix_session::Session;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;

use super::AdminUser;
use super::dashboard::admin_context;
use crate::audit::{admin_action, append};
use crate::frontend::error::AppError;
use crate::frontend::limits::client_ip;
use crate::frontend::state::AppState;

pub const PG_DUMP: &str = "This Hearth uses PostgreSQL: back it up with pg_dump (for example \
     `pg_dump --format=custom hearth > hearth.dump`), not from here.";

/// `GET /admin/backup/`
pub async fn backup_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    let context = context! {
        snapshots => state.storage.supports_snapshot().await?,
        pg_dump => PG_DUMP,
        ..admin_context(&session, &admin, "backup")?
    };
    state.templates.page(&request, "admin/backup.html", context)
}

/// `POST /admin/backup/download/`: the snapshot as an attachment.
pub async fn download_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    if !state.storage.supports_snapshot().await? {
        return Err(AppError::BadRequest(PG_DUMP.into()));
    }
    // Taken before the response starts, so a failed snapshot is a 500, not a cut download.
    let chunks = state
        .storage
        .snapshot()
        .await
        .map_err(|e| AppError::Internal(format!("backup: {e}")))?;
    let name = format!(
        "hearth-backup-{}.sqlite3",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    append(
        &*state.storage,
        admin_action(
            &admin,
            "backup.download",
            name.clone(),
            "",
            client_ip(&request),
        ),
    )
    .await;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::mime::APPLICATION_OCTET_STREAM)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .streaming(chunks))
}
