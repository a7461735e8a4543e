//! Mentions and DMs noted for mail until they are read or mailed, and each person's mail
//! choices.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set, Statement};

use super::entities::{mail_preferences, memberships, messages, missed_mail};
use super::memberships::marks_statement;
use super::{SqlStorage, internal, write_error};
use crate::domain::{MailPreferences, MessageId, RoomId, UserId};
use crate::storage::{Conflict, StorageResult};

/// `DELETE` of the noted messages each read mark `(room, user, up_to)` has passed.
pub(super) fn read_missed_statement(
    backend: DbBackend,
    marks: &[(RoomId, UserId, MessageId)],
) -> Statement {
    marks_statement(backend, marks, |rows| {
        format!(
            "DELETE FROM missed_mail WHERE EXISTS (SELECT 1 FROM (VALUES {rows}) AS marks \
             WHERE missed_mail.room_id = marks.column1 AND missed_mail.user_id = marks.column2 \
             AND missed_mail.message_id <= marks.column3)"
        )
    })
}

impl SqlStorage {
    pub(super) async fn insert_missed(
        &self,
        missed: Vec<(UserId, RoomId, MessageId)>,
    ) -> StorageResult<()> {
        if missed.is_empty() {
            return Ok(());
        }
        let mut people: Vec<i64> = missed.iter().map(|(user, _, _)| user.0).collect();
        people.sort_unstable();
        people.dedup();
        let rows = missed
            .into_iter()
            .map(|(user, room, message)| missed_mail::ActiveModel {
                user_id: Set(user.0),
                room_id: Set(room.0),
                message_id: Set(message.0),
            });
        missed_mail::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([missed_mail::Column::UserId, missed_mail::Column::MessageId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            // A person or message gone meanwhile fails its foreign key: nothing to note.
            .map_err(|error| write_error(error, |_| Conflict::Member))?;
        // A read mark that passed a message before it was noted has nothing left to
        // cancel: what it already covers is dropped here, for the people just noted.
        let passed = Query::select()
            .expr(Expr::val(1))
            .from(memberships::Entity)
            .and_where(
                Expr::col((memberships::Entity, memberships::Column::RoomId))
                    .equals((missed_mail::Entity, missed_mail::Column::RoomId)),
            )
            .and_where(
                Expr::col((memberships::Entity, memberships::Column::UserId))
                    .equals((missed_mail::Entity, missed_mail::Column::UserId)),
            )
            .and_where(
                Expr::col((memberships::Entity, memberships::Column::LastRead)).gte(Expr::col((
                    missed_mail::Entity,
                    missed_mail::Column::MessageId,
                ))),
            )
            .to_owned();
        missed_mail::Entity::delete_many()
            .filter(missed_mail::Column::UserId.is_in(people))
            .filter(Expr::exists(passed))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    pub(super) async fn select_missed_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> StorageResult<Vec<(UserId, RoomId, MessageId)>> {
        let query = Query::select()
            .columns([
                (missed_mail::Entity, missed_mail::Column::UserId),
                (missed_mail::Entity, missed_mail::Column::RoomId),
                (missed_mail::Entity, missed_mail::Column::MessageId),
            ])
            .from(missed_mail::Entity)
            .inner_join(
                messages::Entity,
                Expr::col((messages::Entity, messages::Column::Id))
                    .equals((missed_mail::Entity, missed_mail::Column::MessageId)),
            )
            .and_where(Expr::col((messages::Entity, messages::Column::Created)).lte(cutoff))
            .order_by(
                (missed_mail::Entity, missed_mail::Column::UserId),
                sea_orm::Order::Asc,
            )
            .order_by(
                (missed_mail::Entity, missed_mail::Column::MessageId),
                sea_orm::Order::Asc,
            )
            .limit(limit)
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let rows = self.db.query_all_raw(statement).await.map_err(internal)?;
        rows.iter()
            .map(|row| {
                let user: i64 = row.try_get_by_index(0).map_err(internal)?;
                let room: i64 = row.try_get_by_index(1).map_err(internal)?;
                let message: i64 = row.try_get_by_index(2).map_err(internal)?;
                Ok((UserId(user), RoomId(room), MessageId(message)))
            })
            .collect()
    }

    pub(super) async fn delete_missed(
        &self,
        user: UserId,
        messages: Vec<MessageId>,
    ) -> StorageResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        missed_mail::Entity::delete_many()
            .filter(missed_mail::Column::UserId.eq(user.0))
            .filter(missed_mail::Column::MessageId.is_in(messages.into_iter().map(|m| m.0)))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    pub(super) async fn select_mail_preferences(
        &self,
        user: UserId,
    ) -> StorageResult<MailPreferences> {
        Ok(mail_preferences::Entity::find_by_id(user.0)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|row| MailPreferences {
                email_missed: row.email_missed,
                email_text: row.email_text,
                last_emailed: row.last_emailed,
            })
            .unwrap_or_default())
    }

    /// Writes `user`'s row, creating it with the defaults for what `update` leaves.
    pub(super) async fn upsert_mail_preferences(
        &self,
        user: UserId,
        preferences: MailPreferences,
        update: &[mail_preferences::Column],
    ) -> StorageResult<()> {
        let row = mail_preferences::ActiveModel {
            user_id: Set(user.0),
            email_missed: Set(preferences.email_missed),
            email_text: Set(preferences.email_text),
            last_emailed: Set(preferences.last_emailed),
        };
        mail_preferences::Entity::insert(row)
            .on_conflict(
                OnConflict::column(mail_preferences::Column::UserId)
                    .update_columns(update.iter().copied())
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| write_error(error, |_| Conflict::Member))?;
        Ok(())
    }

    /// Forgets the noted messages that `marks` have passed: what was read is not mailed.
    pub(super) async fn clear_read_missed(
        &self,
        marks: &[(RoomId, UserId, MessageId)],
    ) -> StorageResult<()> {
        let backend = self.db.get_database_backend();
        self.db
            .execute_raw(read_missed_statement(backend, marks))
            .await
            .map_err(internal)?;
        Ok(())
    }
}
