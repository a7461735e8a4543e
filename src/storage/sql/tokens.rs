use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::entities::refresh_tokens;
use super::{SqlStorage, internal, write_error};
use crate::domain::UserId;
use crate::storage::{Conflict, StorageError, StorageResult, TokenStore};

fn live_row(jti: &str, user: UserId, expires: DateTime<Utc>) -> refresh_tokens::ActiveModel {
    refresh_tokens::ActiveModel {
        jti: Set(jti.to_owned()),
        user_id: Set(user.0),
        created: Set(Utc::now()),
        expires: Set(expires),
        revoked: Set(None),
    }
}

#[async_trait]
impl TokenStore for SqlStorage {
    async fn token_issue(
        &self,
        jti: &str,
        user: UserId,
        expires: DateTime<Utc>,
    ) -> StorageResult<()> {
        live_row(jti, user, expires)
            .insert(&self.db)
            .await
            .map_err(|e| write_error(e, |_| Conflict::Jti))?;
        Ok(())
    }

    async fn token_rotate(
        &self,
        old_jti: &str,
        new_jti: &str,
        user: UserId,
        new_expires: DateTime<Utc>,
    ) -> StorageResult<()> {
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(internal)?;
        // One conditional UPDATE is the check and the spend: a concurrent rotation of the
        // same token finds it revoked and changes nothing.
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::Revoked, Some(now).into())
            .filter(refresh_tokens::Column::Jti.eq(old_jti))
            .filter(refresh_tokens::Column::UserId.eq(user.0))
            .filter(refresh_tokens::Column::Revoked.is_null())
            .filter(refresh_tokens::Column::Expires.gt(now))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if spent.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        live_row(new_jti, user, new_expires)
            .insert(&txn)
            .await
            .map_err(|e| write_error(e, |_| Conflict::Jti))?;
        txn.commit().await.map_err(internal)
    }

    async fn token_revoke_all_for_user(&self, user: UserId) -> StorageResult<u64> {
        let now = Utc::now();
        let revoked = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::Revoked, Some(now).into())
            .filter(refresh_tokens::Column::UserId.eq(user.0))
            .filter(refresh_tokens::Column::Revoked.is_null())
            .filter(refresh_tokens::Column::Expires.gt(now))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(revoked.rows_affected)
    }

    async fn token_purge_expired(&self) -> StorageResult<u64> {
        let purged = refresh_tokens::Entity::delete_many()
            .filter(refresh_tokens::Column::Expires.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(purged.rows_affected)
    }
}
