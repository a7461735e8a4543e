use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set, TransactionTrait,
};

use super::entities::{account_tokens, memberships, refresh_tokens, rooms, sessions, users};
use super::{SqlStorage, escape_like, internal, write_error};
use crate::domain::{NewUser, ProfileUpdate, User, UserId, Username};
use crate::storage::{Conflict, Credentials, StorageError, StorageResult, UserStore};

impl From<users::Model> for User {
    fn from(row: users::Model) -> Self {
        Self {
            id: UserId(row.id),
            username: row.username,
            email: row.email,
            display_name: row.display_name,
            bio: row.bio,
            avatar: row.avatar,
            is_admin: row.is_admin,
            is_active: row.is_active,
            email_verified: row.email_verified,
            created: row.created,
        }
    }
}

/// Inserts a fresh account row; shared by plain sign-up and invite sign-up (inside its
/// transaction) so both map a taken name or address to the same conflict.
pub(super) async fn insert_user<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    now: DateTime<Utc>,
) -> StorageResult<User> {
    let row = users::ActiveModel {
        username: Set(new.username.as_str().to_owned()),
        username_key: Set(new.username.as_str().to_lowercase()),
        email: Set(new.email.as_str().to_owned()),
        email_key: Set(new.email.uniqueness_key()),
        password_hash: Set(new.password_hash),
        display_name: Set(String::new()),
        bio: Set(String::new()),
        avatar: Set(None),
        is_admin: Set(new.is_admin),
        is_active: Set(true),
        email_verified: Set(false),
        created: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        write_error(e, |detail| {
            if detail.contains("email") {
                Conflict::Email
            } else {
                Conflict::Username
            }
        })
    })?;
    Ok(row.into())
}

/// One page of `select` in id order plus how many rows it matches in all; the API list and
/// the admin search page the same way.
pub(super) async fn users_page(
    db: &DatabaseConnection,
    select: Select<users::Entity>,
    order: users::Column,
    offset: u64,
    limit: u64,
) -> StorageResult<(Vec<User>, u64)> {
    let total = select.clone().count(db).await.map_err(internal)?;
    let rows = select
        .order_by_asc(order)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await
        .map_err(internal)?;
    Ok((rows.into_iter().map(User::from).collect(), total))
}

#[async_trait]
impl UserStore for SqlStorage {
    async fn create_user(&self, new: NewUser) -> StorageResult<User> {
        insert_user(&self.db, new, Utc::now()).await
    }

    async fn user_by_id(&self, id: UserId) -> StorageResult<User> {
        users::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(User::from)
            .ok_or(StorageError::NotFound)
    }

    async fn user_by_username(&self, username: &Username) -> StorageResult<User> {
        users::Entity::find()
            .filter(users::Column::UsernameKey.eq(username.as_str().to_lowercase()))
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(User::from)
            .ok_or(StorageError::NotFound)
    }

    async fn users_by_usernames(&self, usernames: Vec<Username>) -> StorageResult<Vec<User>> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let keys = usernames.iter().map(|u| u.as_str().to_lowercase());
        Ok(users::Entity::find()
            .filter(users::Column::UsernameKey.is_in(keys))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(User::from)
            .collect())
    }

    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> StorageResult<User> {
        let updated = users::Entity::update_many()
            .col_expr(
                users::Column::DisplayName,
                update.display_name.as_str().into(),
            )
            .col_expr(users::Column::Bio, update.bio.as_str().into())
            .filter(users::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if updated.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        self.user_by_id(id).await
    }

    async fn credentials_by_login(&self, login: &str) -> StorageResult<Credentials> {
        let key = login.trim().to_lowercase();
        let row = users::Entity::find()
            .filter(
                Condition::any()
                    .add(users::Column::UsernameKey.eq(key.clone()))
                    .add(users::Column::EmailKey.eq(key)),
            )
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        let password_hash = row.password_hash.clone();
        Ok(Credentials {
            user: row.into(),
            password_hash,
        })
    }

    async fn recover_admin(&self, id: UserId, password_hash: String) -> StorageResult<()> {
        let txn = self.db.begin().await.map_err(internal)?;
        let updated = users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, password_hash.into())
            .col_expr(users::Column::IsAdmin, true.into())
            .col_expr(users::Column::IsActive, true.into())
            .filter(users::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if updated.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn list_users(&self, offset: u64, limit: u64) -> StorageResult<(Vec<User>, u64)> {
        users_page(
            &self.db,
            users::Entity::find(),
            users::Column::Id,
            offset,
            limit,
        )
        .await
    }

    async fn search_usernames(&self, prefix: &str, limit: u64) -> StorageResult<Vec<User>> {
        let prefix = prefix.trim().to_lowercase();
        // Usernames are a-z 0-9 _ -: anything else cannot match, and LIKE's wildcards
        // (`%`, `_`) must not act as such.
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Ok(Vec::new());
        }
        let pattern = format!("{}%", prefix.replace('_', "\\_"));
        let rows = users::Entity::find()
            .filter(Expr::col(users::Column::UsernameKey).like(LikeExpr::new(pattern).escape('\\')))
            .filter(users::Column::IsActive.eq(true))
            .order_by_asc(users::Column::UsernameKey)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    async fn find_people(
        &self,
        query: &str,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<User>, u64)> {
        let mut select = users::Entity::find().filter(users::Column::IsActive.eq(true));
        let query = query.trim().trim_start_matches('@');
        if !query.is_empty() {
            let pattern = format!("%{}%", escape_like(&query.to_lowercase()));
            select = select.filter(
                Condition::any()
                    .add(
                        Expr::col(users::Column::UsernameKey)
                            .like(LikeExpr::new(pattern.clone()).escape('\\')),
                    )
                    .add(
                        Expr::expr(Func::lower(Expr::col(users::Column::DisplayName)))
                            .like(LikeExpr::new(pattern).escape('\\')),
                    ),
            );
        }
        users_page(&self.db, select, users::Column::UsernameKey, offset, limit).await
    }

    async fn has_admin(&self) -> StorageResult<bool> {
        let admins = users::Entity::find()
            .filter(users::Column::IsAdmin.eq(true))
            .filter(users::Column::IsActive.eq(true))
            .count(&self.db)
            .await
            .map_err(internal)?;
        Ok(admins > 0)
    }

    async fn change_username(&self, id: UserId, username: &Username) -> StorageResult<User> {
        let updated = users::Entity::update_many()
            .col_expr(users::Column::Username, username.as_str().into())
            .col_expr(
                users::Column::UsernameKey,
                username.as_str().to_lowercase().into(),
            )
            .filter(users::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, |_| Conflict::Username))?;
        if updated.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        self.user_by_id(id).await
    }

    async fn delete_user(&self, id: UserId) -> StorageResult<()> {
        // One transaction: the last-admin check, the rooms' hand-over and the deletion
        // either all happen or none does, so two admins leaving at once cannot both pass.
        let txn = self.db.begin().await.map_err(internal)?;
        let row = users::Entity::find_by_id(id.0)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        if row.is_admin && row.is_active {
            let other_admins = users::Entity::find()
                .filter(users::Column::IsAdmin.eq(true))
                .filter(users::Column::IsActive.eq(true))
                .filter(users::Column::Id.ne(id.0))
                .count(&txn)
                .await
                .map_err(internal)?;
            if other_admins == 0 {
                return Err(StorageError::Conflict(Conflict::LastAdmin));
            }
        }
        let administered = rooms::Entity::find()
            .filter(rooms::Column::AdminId.eq(id.0))
            .all(&txn)
            .await
            .map_err(internal)?;
        for room in administered {
            // The member who joined first (ties: the older account) keeps the room going.
            let heir = memberships::Entity::find()
                .filter(memberships::Column::RoomId.eq(room.id))
                .filter(memberships::Column::UserId.ne(id.0))
                .order_by_asc(memberships::Column::Joined)
                .order_by_asc(memberships::Column::UserId)
                .one(&txn)
                .await
                .map_err(internal)?;
            match heir {
                Some(heir) => {
                    rooms::Entity::update_many()
                        .col_expr(rooms::Column::AdminId, Some(heir.user_id).into())
                        .filter(rooms::Column::Id.eq(room.id))
                        .exec(&txn)
                        .await
                        .map_err(internal)?;
                }
                // Nobody left to read it: its memberships and messages go with it.
                None => {
                    rooms::Entity::delete_by_id(room.id)
                        .exec(&txn)
                        .await
                        .map_err(internal)?;
                }
            }
        }
        // The foreign keys would cascade these too; deleting them here keeps the promise
        // even on a database whose foreign keys are off.
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        refresh_tokens::Entity::delete_many()
            .filter(refresh_tokens::Column::UserId.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        account_tokens::Entity::delete_many()
            .filter(account_tokens::Column::UserId.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        memberships::Entity::delete_many()
            .filter(memberships::Column::UserId.eq(id.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        // messages.author_id is ON DELETE SET NULL: the words stay, shown as "deleted user".
        users::Entity::delete_by_id(id.0)
            .exec(&txn)
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn count_users(&self) -> StorageResult<u64> {
        users::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)
    }
}
