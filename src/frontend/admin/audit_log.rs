//! `GET /admin/audit/?kind=&action=&q=&before=`: the audit log, newest first, filtered by
//! kind, action prefix and text, paged by keyset (`before` = the oldest id shown).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::AdminUser;
use super::dashboard::admin_context;
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;
use crate::storage::audit::{AuditFilter, AuditKind};

const PAGE_SIZE: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    q: String,
    before: Option<i64>,
}

#[derive(Serialize)]
struct EntryRow {
    id: i64,
    at: String,
    kind: &'static str,
    action: String,
    actor: String,
    target: String,
    detail: String,
    ip: String,
}

/// `GET /admin/audit/`
pub async fn audit_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let kind = match query.kind.trim() {
        "" => None,
        raw => Some(
            AuditKind::parse(raw)
                .ok_or_else(|| AppError::BadRequest("kind must be admin or security".into()))?,
        ),
    };
    let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        kind,
        action_prefix: non_empty(&query.action),
        text: non_empty(&query.q),
    };
    let entries = state
        .storage
        .audit_list(&filter, query.before, PAGE_SIZE)
        .await?;
    // A full page may have older entries behind it; the link's page says if not.
    let older = (entries.len() as u64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let rows: Vec<EntryRow> = entries
        .into_iter()
        .map(|e| EntryRow {
            id: e.id,
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            kind: e.entry.kind.as_str(),
            action: e.entry.action,
            actor: e.entry.actor_name,
            target: e.entry.target,
            detail: e.entry.detail,
            ip: e.entry.ip,
        })
        .collect();
    let context = context! {
        entries => Value::from(minijinja::value::Serde(rows)),
        kind => kind.map(AuditKind::as_str).unwrap_or(""),
        action => query.action.trim(),
        q => query.q.trim(),
        older => older,
        paged => query.before.is_some(),
        ..admin_context(&session, &admin, "audit")?
    };
    state.templates.page(&request, "admin/audit.html", context)
}
