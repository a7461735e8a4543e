use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect, Statement, TransactionTrait,
};

use super::entities::{messages, rooms, users};
use super::users::users_page;
use super::{SqlStorage, escape_like, internal, to_u64};
use crate::domain::{Room, User, UserId};
use crate::storage::admin::{AccountChange, AdminStore, RoomStats, SiteTotals};
use crate::storage::{Conflict, StorageError, StorageResult};

#[derive(FromQueryResult)]
struct RoomStatsRow {
    id: i64,
    name: String,
    title: String,
    kind: String,
    admin_id: Option<i64>,
    created: DateTime<Utc>,
    members: i64,
    messages: i64,
}

#[async_trait]
impl AdminStore for SqlStorage {
    async fn site_totals(&self) -> StorageResult<SiteTotals> {
        let users_total = users::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)?;
        let active_users = users::Entity::find()
            .filter(users::Column::IsActive.eq(true))
            .count(&self.db)
            .await
            .map_err(internal)?;
        let by_kind: Vec<(String, i64)> = rooms::Entity::find()
            .select_only()
            .column(rooms::Column::Kind)
            .column_as(rooms::Column::Id.count(), "n")
            .group_by(rooms::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        let rooms_of = |kind: &str| {
            by_kind
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(0, |(_, n)| to_u64(*n))
        };
        let messages_total = messages::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)?;
        Ok(SiteTotals {
            users: users_total,
            active_users,
            public_rooms: rooms_of("public"),
            group_rooms: rooms_of("group"),
            private_rooms: rooms_of("private"),
            messages: messages_total,
        })
    }

    async fn messages_per_day(&self, since: DateTime<Utc>) -> StorageResult<Vec<(NaiveDate, u64)>> {
        let day = match self.db.get_database_backend() {
            // Stored as ISO 8601 text: the date is its first ten characters.
            DatabaseBackend::Sqlite => "substr(created, 1, 10)",
            _ => "to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        };
        let rows: Vec<(String, i64)> = messages::Entity::find()
            .select_only()
            .column_as(Expr::cust(day), "day")
            .column_as(messages::Column::Id.count(), "n")
            .filter(messages::Column::Created.gte(since))
            .group_by(Expr::cust(day))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        rows.into_iter()
            .map(|(day, n)| {
                NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map(|d| (d, to_u64(n)))
                    .map_err(|_| StorageError::Internal(format!("bad message date {day:?}")))
            })
            .collect()
    }

    async fn database_size(&self) -> StorageResult<Option<u64>> {
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DatabaseBackend::Sqlite => {
                "SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()"
            }
            DatabaseBackend::Postgres => "SELECT pg_database_size(current_database()) AS size",
            _ => return Ok(None),
        };
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .map_err(internal)?;
        Ok(row
            .and_then(|r| r.try_get::<i64>("", "size").ok())
            .map(to_u64))
    }

    async fn search_accounts(
        &self,
        query: &str,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<User>, u64)> {
        let mut select = users::Entity::find();
        let query = query.trim();
        if !query.is_empty() {
            let pattern = format!("%{}%", escape_like(&query.to_lowercase()));
            let lower_like = |column: users::Column| {
                Expr::expr(Func::lower(Expr::col(column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            select = select.filter(
                Condition::any()
                    .add(lower_like(users::Column::Username))
                    .add(lower_like(users::Column::Email)),
            );
        }
        users_page(&self.db, select, users::Column::Id, offset, limit).await
    }

    async fn change_account(&self, user: UserId, change: AccountChange) -> StorageResult<User> {
        let txn = self.db.begin().await.map_err(internal)?;
        let (column, value) = match change {
            AccountChange::Activate => (users::Column::IsActive, true),
            AccountChange::Deactivate => (users::Column::IsActive, false),
            AccountChange::Promote => (users::Column::IsAdmin, true),
            AccountChange::Demote => (users::Column::IsAdmin, false),
        };
        let updated = users::Entity::update_many()
            .col_expr(column, value.into())
            .filter(users::Column::Id.eq(user.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if updated.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        // Checked after the write, in the same transaction: two admins demoting each
        // other at once cannot both succeed.
        let admins_left = users::Entity::find()
            .filter(users::Column::IsAdmin.eq(true))
            .filter(users::Column::IsActive.eq(true))
            .count(&txn)
            .await
            .map_err(internal)?;
        if admins_left == 0 {
            txn.rollback().await.map_err(internal)?;
            return Err(StorageError::Conflict(Conflict::LastAdmin));
        }
        let row = users::Entity::find_by_id(user.0)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        txn.commit().await.map_err(internal)?;
        Ok(row.into())
    }

    async fn rooms_with_stats(
        &self,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<RoomStats>, u64)> {
        let total = rooms::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)?;
        let backend = self.db.get_database_backend();
        // One query: each count is a correlated subquery on an indexed room_id.
        let sql = format!(
            "SELECT r.id, r.name, r.title, r.kind, r.admin_id, r.created, \
             (SELECT COUNT(*) FROM memberships m WHERE m.room_id = r.id) AS members, \
             (SELECT COUNT(*) FROM messages g WHERE g.room_id = r.id) AS messages \
             FROM rooms r ORDER BY r.id LIMIT {limit} OFFSET {offset}"
        );
        let rows = RoomStatsRow::find_by_statement(Statement::from_string(backend, sql))
            .all(&self.db)
            .await
            .map_err(internal)?;
        let stats = rows
            .into_iter()
            .map(|row| {
                let room = Room::try_from(rooms::Model {
                    id: row.id,
                    name: row.name,
                    title: row.title,
                    kind: row.kind,
                    admin_id: row.admin_id,
                    created: row.created,
                })?;
                Ok(RoomStats {
                    room,
                    members: to_u64(row.members),
                    messages: to_u64(row.messages),
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        Ok((stats, total))
    }
}
