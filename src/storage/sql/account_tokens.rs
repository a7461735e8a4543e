use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::entities::{account_tokens, sessions, users};
use super::{SqlStorage, internal, write_error};
use crate::domain::{Email, User, UserId};
use crate::storage::{
    AccountTokenStore, Conflict, StorageError, StorageResult, TokenPurpose, UserStore,
};

/// Marks a live token of `purpose` used and returns its account: one conditional UPDATE is
/// the check and the spend, so of two concurrent uses only one succeeds.
async fn spend(
    db: &impl ConnectionTrait,
    hash: &str,
    purpose: TokenPurpose,
) -> StorageResult<UserId> {
    let now = Utc::now();
    let spent = account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::Used, Some(now).into())
        .filter(account_tokens::Column::Hash.eq(hash))
        .filter(account_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(account_tokens::Column::Used.is_null())
        .filter(account_tokens::Column::Expires.gt(now))
        .exec(db)
        .await
        .map_err(internal)?;
    if spent.rows_affected == 0 {
        return Err(StorageError::NotFound);
    }
    let row = account_tokens::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(StorageError::NotFound)?;
    Ok(UserId(row.user_id))
}

#[async_trait]
impl AccountTokenStore for SqlStorage {
    async fn account_token_create(
        &self,
        hash: &str,
        user: UserId,
        purpose: TokenPurpose,
        expires: DateTime<Utc>,
    ) -> StorageResult<()> {
        account_tokens::ActiveModel {
            hash: Set(hash.to_owned()),
            user_id: Set(user.0),
            purpose: Set(purpose.as_str().to_owned()),
            created: Set(Utc::now()),
            expires: Set(expires),
            used: Set(None),
            new_email: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Token))?;
        Ok(())
    }

    async fn account_token_peek(&self, hash: &str, purpose: TokenPurpose) -> StorageResult<UserId> {
        account_tokens::Entity::find_by_id(hash.to_owned())
            .filter(account_tokens::Column::Purpose.eq(purpose.as_str()))
            .filter(account_tokens::Column::Used.is_null())
            .filter(account_tokens::Column::Expires.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|row| UserId(row.user_id))
            .ok_or(StorageError::NotFound)
    }

    async fn reset_password(&self, hash: &str, password_hash: String) -> StorageResult<UserId> {
        let txn = self.db.begin().await.map_err(internal)?;
        let user = spend(&txn, hash, TokenPurpose::Reset).await?;
        set_password_hash(&txn, user, password_hash).await?;
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(user.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(user)
    }

    async fn confirm_email(&self, hash: &str) -> StorageResult<UserId> {
        let txn = self.db.begin().await.map_err(internal)?;
        let user = spend(&txn, hash, TokenPurpose::VerifyEmail).await?;
        users::Entity::update_many()
            .col_expr(users::Column::EmailVerified, true.into())
            .filter(users::Column::Id.eq(user.0))
            .exec(&txn)
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(user)
    }

    async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        keep: Option<&str>,
    ) -> StorageResult<()> {
        let txn = self.db.begin().await.map_err(internal)?;
        set_password_hash(&txn, user, password_hash).await?;
        let mut others =
            sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user.0));
        if let Some(keep) = keep {
            others = others.filter(sessions::Column::KeyHash.ne(keep));
        }
        others.exec(&txn).await.map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn change_email(&self, user: UserId, email: &Email) -> StorageResult<User> {
        let txn = self.db.begin().await.map_err(internal)?;
        set_email(&txn, user, email, false).await?;
        // A link mailed for the old address must not vouch for the new one.
        void_tokens(
            &txn,
            user,
            &[TokenPurpose::VerifyEmail, TokenPurpose::ChangeEmail],
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        self.user_by_id(user).await
    }

    async fn email_change_request(
        &self,
        hash: &str,
        user: UserId,
        email: &Email,
        expires: DateTime<Utc>,
    ) -> StorageResult<()> {
        let txn = self.db.begin().await.map_err(internal)?;
        if email_taken(&txn, user, email).await? {
            return Err(StorageError::Conflict(Conflict::Email));
        }
        void_tokens(&txn, user, &[TokenPurpose::ChangeEmail]).await?;
        account_tokens::ActiveModel {
            hash: Set(hash.to_owned()),
            user_id: Set(user.0),
            purpose: Set(TokenPurpose::ChangeEmail.as_str().to_owned()),
            created: Set(Utc::now()),
            expires: Set(expires),
            used: Set(None),
            new_email: Set(Some(email.as_str().to_owned())),
        }
        .insert(&txn)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Token))?;
        txn.commit().await.map_err(internal)
    }

    async fn email_change_pending(&self, user: UserId) -> StorageResult<Option<String>> {
        Ok(account_tokens::Entity::find()
            .filter(account_tokens::Column::UserId.eq(user.0))
            .filter(account_tokens::Column::Purpose.eq(TokenPurpose::ChangeEmail.as_str()))
            .filter(account_tokens::Column::Used.is_null())
            .filter(account_tokens::Column::Expires.gt(Utc::now()))
            .order_by_desc(account_tokens::Column::Created)
            .one(&self.db)
            .await
            .map_err(internal)?
            .and_then(|row| row.new_email))
    }

    async fn confirm_email_change(&self, hash: &str) -> StorageResult<User> {
        let txn = self.db.begin().await.map_err(internal)?;
        let user = spend(&txn, hash, TokenPurpose::ChangeEmail).await?;
        let row = account_tokens::Entity::find_by_id(hash.to_owned())
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        let raw = row.new_email.ok_or(StorageError::NotFound)?;
        let email = Email::parse(&raw).map_err(|e| StorageError::Internal(e.0))?;
        // Dropping `txn` on any error rolls the spend back: nothing changes.
        set_email(&txn, user, &email, true).await?;
        void_tokens(&txn, user, &[TokenPurpose::VerifyEmail]).await?;
        txn.commit().await.map_err(internal)?;
        self.user_by_id(user).await
    }
}

/// Whether an account other than `user` has `email`, in any case.
async fn email_taken(
    db: &impl ConnectionTrait,
    user: UserId,
    email: &Email,
) -> StorageResult<bool> {
    let others = users::Entity::find()
        .filter(users::Column::EmailKey.eq(email.uniqueness_key()))
        .filter(users::Column::Id.ne(user.0))
        .count(db)
        .await
        .map_err(internal)?;
    Ok(others > 0)
}

/// Moves `user` to `email`; `Conflict(Email)` when someone else has it.
async fn set_email(
    db: &impl ConnectionTrait,
    user: UserId,
    email: &Email,
    verified: bool,
) -> StorageResult<()> {
    if email_taken(db, user, email).await? {
        return Err(StorageError::Conflict(Conflict::Email));
    }
    let updated = users::Entity::update_many()
        .col_expr(users::Column::Email, email.as_str().into())
        .col_expr(users::Column::EmailKey, email.uniqueness_key().into())
        .col_expr(users::Column::EmailVerified, verified.into())
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Email))?;
    if updated.rows_affected == 0 {
        Err(StorageError::NotFound)
    } else {
        Ok(())
    }
}

/// Marks `user`'s live tokens of these purposes used, so their links stop working.
async fn void_tokens(
    db: &impl ConnectionTrait,
    user: UserId,
    purposes: &[TokenPurpose],
) -> StorageResult<()> {
    account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::Used, Some(Utc::now()).into())
        .filter(account_tokens::Column::UserId.eq(user.0))
        .filter(account_tokens::Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(account_tokens::Column::Used.is_null())
        .exec(db)
        .await
        .map_err(internal)?;
    Ok(())
}

async fn set_password_hash(
    db: &impl ConnectionTrait,
    user: UserId,
    password_hash: String,
) -> StorageResult<()> {
    let updated = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, password_hash.into())
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await
        .map_err(internal)?;
    if updated.rows_affected == 0 {
        Err(StorageError::NotFound)
    } else {
        Ok(())
    }
}
