//! Site state in SQL: the policy as a named setting, invites, rotation progress, and the
//! re-sealing primitives (batches by id and a compare-and-swap update).

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait, UpdateMany,
};

use super::entities::{invites, key_rotations, messages, site_settings};
use super::users::insert_user;
use super::{SqlStorage, internal, to_i64, to_u64, write_error};
use crate::domain::{NewUser, Sealed, User, UserId};
use crate::storage::site::{Invite, NewInvite, RegistrationPolicy, RotationProgress, SiteStore};
use crate::storage::{ByteStream, Conflict, StorageError, StorageResult};

const POLICY: &str = "registration_policy";

impl From<invites::Model> for Invite {
    fn from(row: invites::Model) -> Self {
        Self {
            id: row.id,
            token_hash: row.token_hash,
            created_by: row.created_by.map(UserId),
            created: row.created,
            expires: row.expires,
            max_uses: row.max_uses.map(to_u64),
            uses: to_u64(row.uses),
            revoked: row.revoked,
        }
    }
}

impl From<key_rotations::Model> for RotationProgress {
    fn from(row: key_rotations::Model) -> Self {
        Self {
            id: row.id,
            target: row.target,
            source: row.source,
            last_id: row.last_id,
            done: to_u64(row.done),
            total: to_u64(row.total),
            started: row.started,
            finished: row.finished,
        }
    }
}

impl SqlStorage {
    /// Progress and finish both write only to a rotation that is still running, so a stale
    /// worker cannot reopen or rewind a finished one; an unknown or finished id is NotFound.
    async fn update_running_rotation(
        &self,
        id: i64,
        update: UpdateMany<key_rotations::Entity>,
    ) -> StorageResult<()> {
        let changed = update
            .filter(key_rotations::Column::Id.eq(id))
            .filter(key_rotations::Column::Finished.is_null())
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if changed.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}

#[async_trait]
impl SiteStore for SqlStorage {
    async fn registration_policy(&self) -> StorageResult<RegistrationPolicy> {
        let row = site_settings::Entity::find_by_id(POLICY.to_owned())
            .one(&self.db)
            .await
            .map_err(internal)?;
        Ok(row
            .and_then(|r| RegistrationPolicy::parse(&r.value))
            .unwrap_or_default())
    }

    async fn set_registration_policy(&self, policy: RegistrationPolicy) -> StorageResult<()> {
        site_settings::Entity::insert(site_settings::ActiveModel {
            name: Set(POLICY.to_owned()),
            value: Set(policy.as_str().to_owned()),
        })
        .on_conflict(
            OnConflict::column(site_settings::Column::Name)
                .update_column(site_settings::Column::Value)
                .to_owned(),
        )
        .exec(&self.db)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn invite_create(&self, new: NewInvite) -> StorageResult<Invite> {
        let row = invites::ActiveModel {
            token_hash: Set(new.token_hash),
            created_by: Set(Some(new.created_by.0)),
            created: Set(Utc::now()),
            expires: Set(new.expires),
            max_uses: Set(new.max_uses.map(to_i64)),
            uses: Set(0),
            revoked: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Invite))?;
        Ok(row.into())
    }

    async fn invites_list(&self) -> StorageResult<Vec<Invite>> {
        Ok(invites::Entity::find()
            .order_by_desc(invites::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(Invite::from)
            .collect())
    }

    async fn invite_by_hash(&self, token_hash: &str) -> StorageResult<Invite> {
        invites::Entity::find()
            .filter(invites::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(Invite::from)
            .ok_or(StorageError::NotFound)
    }

    async fn invite_revoke(&self, id: i64) -> StorageResult<Invite> {
        let changed = invites::Entity::update_many()
            .col_expr(invites::Column::Revoked, Expr::value(Some(Utc::now())))
            .filter(invites::Column::Id.eq(id))
            .filter(invites::Column::Revoked.is_null())
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if changed.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        invites::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(Invite::from)
            .ok_or(StorageError::NotFound)
    }

    async fn create_user_with_invite(&self, token_hash: &str, new: NewUser) -> StorageResult<User> {
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(internal)?;
        // One conditional UPDATE is both the liveness check and the count, so two people
        // racing for the last use cannot both pass.
        let spent = invites::Entity::update_many()
            .col_expr(
                invites::Column::Uses,
                Expr::col(invites::Column::Uses).add(1),
            )
            .filter(invites::Column::TokenHash.eq(token_hash))
            .filter(invites::Column::Revoked.is_null())
            .filter(
                invites::Column::Expires
                    .is_null()
                    .or(invites::Column::Expires.gt(now)),
            )
            .filter(
                invites::Column::MaxUses
                    .is_null()
                    .or(Expr::col(invites::Column::Uses).lt(Expr::col(invites::Column::MaxUses))),
            )
            .exec(&txn)
            .await
            .map_err(internal)?;
        if spent.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        let user = insert_user(&txn, new, now).await?;
        txn.commit().await.map_err(internal)?;
        Ok(user)
    }

    async fn sealed_bodies_count(&self) -> StorageResult<u64> {
        messages::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)
    }

    async fn sealed_bodies_after(
        &self,
        after: i64,
        limit: u64,
    ) -> StorageResult<Vec<(i64, Sealed)>> {
        let rows: Vec<(i64, String)> = messages::Entity::find()
            .select_only()
            .column(messages::Column::Id)
            .column(messages::Column::BodySealed)
            .filter(messages::Column::Id.gt(after))
            .order_by_asc(messages::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(|(id, s)| (id, Sealed(s))).collect())
    }

    async fn sealed_body(&self, id: i64) -> StorageResult<Sealed> {
        messages::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|m| Sealed(m.body_sealed))
            .ok_or(StorageError::NotFound)
    }

    async fn reseal_body(&self, id: i64, old: &Sealed, new: &Sealed) -> StorageResult<bool> {
        let changed = messages::Entity::update_many()
            .col_expr(messages::Column::BodySealed, Expr::value(new.0.clone()))
            .filter(messages::Column::Id.eq(id))
            .filter(messages::Column::BodySealed.eq(old.0.as_str()))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(changed.rows_affected == 1)
    }

    async fn rotation_start(
        &self,
        target: &str,
        source: &str,
        total: u64,
    ) -> StorageResult<RotationProgress> {
        // Not a read-then-write transaction: SQLite refuses to upgrade one whose snapshot
        // went stale under concurrent message writes. Starts are serialised by the caller
        // (one rotator per data dir, which the server's lock guarantees).
        let unfinished = key_rotations::Entity::find()
            .filter(key_rotations::Column::Finished.is_null())
            .count(&self.db)
            .await
            .map_err(internal)?;
        if unfinished > 0 {
            return Err(StorageError::Conflict(Conflict::Rotation));
        }
        let row = key_rotations::ActiveModel {
            target: Set(target.to_owned()),
            source: Set(source.to_owned()),
            last_id: Set(0),
            done: Set(0),
            total: Set(to_i64(total)),
            started: Set(Utc::now()),
            finished: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(internal)?;
        Ok(row.into())
    }

    async fn rotation_unfinished(&self) -> StorageResult<Option<RotationProgress>> {
        Ok(key_rotations::Entity::find()
            .filter(key_rotations::Column::Finished.is_null())
            .order_by_desc(key_rotations::Column::Id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(RotationProgress::from))
    }

    async fn rotation_latest(&self) -> StorageResult<Option<RotationProgress>> {
        Ok(key_rotations::Entity::find()
            .order_by_desc(key_rotations::Column::Id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(RotationProgress::from))
    }

    async fn rotation_advance(
        &self,
        id: i64,
        source: &str,
        last_id: i64,
        done: u64,
    ) -> StorageResult<()> {
        let update = key_rotations::Entity::update_many()
            .col_expr(
                key_rotations::Column::Source,
                Expr::value(source.to_owned()),
            )
            .col_expr(key_rotations::Column::LastId, Expr::value(last_id))
            .col_expr(key_rotations::Column::Done, Expr::value(to_i64(done)))
            // New messages arrive during a rotation; the total must never fall below done.
            .col_expr(
                key_rotations::Column::Total,
                Expr::cust_with_values(
                    "CASE WHEN total < ? THEN ? ELSE total END",
                    [to_i64(done), to_i64(done)],
                ),
            );
        self.update_running_rotation(id, update).await
    }

    async fn rotation_finish(&self, id: i64) -> StorageResult<()> {
        let update = key_rotations::Entity::update_many()
            .col_expr(
                key_rotations::Column::Finished,
                Expr::value(Some(Utc::now())),
            )
            .col_expr(
                key_rotations::Column::Total,
                Expr::col(key_rotations::Column::Done),
            );
        self.update_running_rotation(id, update).await
    }

    async fn supports_snapshot(&self) -> StorageResult<bool> {
        Ok(self.can_snapshot())
    }

    async fn snapshot(&self) -> StorageResult<ByteStream> {
        self.take_snapshot().await
    }
}
