use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entities::sessions;
use super::{SqlStorage, internal};
use crate::domain::UserId;
use crate::storage::{SessionInfo, SessionRecord, SessionStore, StorageError, StorageResult};

#[async_trait]
impl SessionStore for SqlStorage {
    async fn session_load(&self, key_hash: &str) -> StorageResult<SessionRecord> {
        let row = sessions::Entity::find_by_id(key_hash.to_owned())
            .filter(sessions::Column::Expires.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        Ok(SessionRecord {
            key_hash: row.key_hash,
            user: row.user_id.map(UserId),
            state: row.state,
            expires: row.expires,
            user_agent: row.user_agent,
            ip: row.ip,
        })
    }

    async fn session_save(&self, record: SessionRecord) -> StorageResult<()> {
        let now = Utc::now();
        let row = sessions::ActiveModel {
            key_hash: Set(record.key_hash),
            user_id: Set(record.user.map(|u| u.0)),
            state: Set(record.state),
            created: Set(now),
            last_seen: Set(now),
            expires: Set(record.expires),
            user_agent: Set(record.user_agent),
            ip: Set(record.ip),
        };
        // `created` survives a replace: it is the session's birth, not its last save.
        let keep_created = OnConflict::column(sessions::Column::KeyHash)
            .update_columns([
                sessions::Column::UserId,
                sessions::Column::State,
                sessions::Column::LastSeen,
                sessions::Column::Expires,
            ])
            .to_owned();
        sessions::Entity::insert(row)
            .on_conflict(keep_created)
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn session_update(&self, record: SessionRecord) -> StorageResult<()> {
        let result = sessions::Entity::update_many()
            .col_expr(sessions::Column::UserId, record.user.map(|u| u.0).into())
            .col_expr(sessions::Column::State, record.state.into())
            .col_expr(sessions::Column::Expires, record.expires.into())
            .col_expr(sessions::Column::LastSeen, Utc::now().into())
            .filter(sessions::Column::KeyHash.eq(record.key_hash))
            .filter(sessions::Column::Expires.gt(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            Err(StorageError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn session_touch(&self, key_hash: &str, expires: DateTime<Utc>) -> StorageResult<()> {
        let result = sessions::Entity::update_many()
            .col_expr(sessions::Column::Expires, expires.into())
            .col_expr(sessions::Column::LastSeen, Utc::now().into())
            .filter(sessions::Column::KeyHash.eq(key_hash))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            Err(StorageError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn session_purge_expired(&self) -> StorageResult<u64> {
        let result = sessions::Entity::delete_many()
            .filter(sessions::Column::Expires.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(result.rows_affected)
    }

    async fn session_delete(&self, key_hash: &str) -> StorageResult<()> {
        sessions::Entity::delete_by_id(key_hash.to_owned())
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn sessions_of_user(&self, user: UserId) -> StorageResult<Vec<SessionInfo>> {
        let rows = sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user.0))
            .filter(sessions::Column::Expires.gt(Utc::now()))
            .order_by_desc(sessions::Column::LastSeen)
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|row| SessionInfo {
                key_hash: row.key_hash,
                user_agent: row.user_agent,
                ip: row.ip,
                created: row.created,
                last_seen: row.last_seen,
            })
            .collect())
    }

    async fn session_delete_of_user(&self, user: UserId, key_hash: &str) -> StorageResult<()> {
        let result = sessions::Entity::delete_many()
            .filter(sessions::Column::KeyHash.eq(key_hash))
            .filter(sessions::Column::UserId.eq(user.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            Err(StorageError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn sessions_delete_for_user(
        &self,
        user: UserId,
        keep: Option<&str>,
    ) -> StorageResult<u64> {
        let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user.0));
        if let Some(keep) = keep {
            query = query.filter(sessions::Column::KeyHash.ne(keep));
        }
        let result = query.exec(&self.db).await.map_err(internal)?;
        Ok(result.rows_affected)
    }
}
