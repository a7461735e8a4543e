use async_trait::async_trait;
use chrono::Utc;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::audit_log;
use super::{SqlStorage, escape_like, internal};
use crate::domain::UserId;
use crate::storage::audit::{AuditEntry, AuditFilter, AuditKind, AuditStore, NewAuditEntry};
use crate::storage::{StorageError, StorageResult};

#[async_trait]
impl AuditStore for SqlStorage {
    async fn audit_append(&self, entry: NewAuditEntry) -> StorageResult<()> {
        audit_log::ActiveModel {
            at: Set(Utc::now()),
            kind: Set(entry.kind.as_str().to_owned()),
            action: Set(entry.action),
            actor_id: Set(entry.actor.map(|id| id.0)),
            actor_name: Set(entry.actor_name),
            target: Set(entry.target),
            detail: Set(entry.detail),
            ip: Set(entry.ip),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map(|_| ())
        .map_err(internal)
    }

    async fn audit_list(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u64,
    ) -> StorageResult<Vec<AuditEntry>> {
        let mut query = audit_log::Entity::find();
        if let Some(kind) = filter.kind {
            query = query.filter(audit_log::Column::Kind.eq(kind.as_str()));
        }
        if let Some(prefix) = filter.action_prefix.as_deref().filter(|p| !p.is_empty()) {
            query = query.filter(audit_log::Column::Action.starts_with(prefix));
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            let lower_like = |column: audit_log::Column| {
                Expr::expr(Func::lower(Expr::col(column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            query = query.filter(
                Condition::any()
                    .add(lower_like(audit_log::Column::ActorName))
                    .add(lower_like(audit_log::Column::Target))
                    .add(lower_like(audit_log::Column::Detail)),
            );
        }
        if let Some(before) = before {
            query = query.filter(audit_log::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(audit_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(internal)?;
        rows.into_iter().map(entry_of).collect()
    }
}

fn entry_of(row: audit_log::Model) -> StorageResult<AuditEntry> {
    let kind = AuditKind::parse(&row.kind)
        .ok_or_else(|| StorageError::Internal(format!("unknown audit kind {:?}", row.kind)))?;
    Ok(AuditEntry {
        id: row.id,
        at: row.at,
        entry: NewAuditEntry {
            kind,
            action: row.action,
            actor: row.actor_id.map(UserId),
            actor_name: row.actor_name,
            target: row.target,
            detail: row.detail,
            ip: row.ip,
        },
    })
}
