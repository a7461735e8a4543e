//! `/admin/backup/`: downloads a consistent snapshot of the SQLite database, taken while
//! the server runs (`VACUUM INTO` a temporary file, streamed, then gone). The keys are
//! not in it: the page says they must be kept separately.

use actix_files::NamedFile;
use actix_session::Session;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;
use rand::RngCore;

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
        snapshots => state.storage.supports_snapshot(),
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
    if !state.storage.supports_snapshot() {
        return Err(AppError::BadRequest(PG_DUMP.into()));
    }
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    // In the data dir: owner-only, same filesystem, never the source tree.
    let temp = state
        .settings
        .data
        .dir
        .join(format!(".backup-{}.sqlite3", hex::encode(nonce)));
    let taken = state.storage.snapshot_into(&temp).await;
    let opened = match taken {
        Ok(()) => NamedFile::open_async(&temp)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    // The open handle keeps the bytes readable while streaming; the name goes now, so no
    // copy of the database is left behind whatever happens to the download.
    let _ = tokio::fs::remove_file(&temp).await;
    let file = opened.map_err(|e| AppError::Internal(format!("backup: {e}")))?;
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
    Ok(file
        .set_content_type(actix_web::mime::APPLICATION_OCTET_STREAM)
        .set_content_disposition(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .use_etag(false)
        .use_last_modified(false)
        .into_response(&request))
}
