//! Notification levels, one row per (person, room) that differs from the default, and
//! each person's Web Push devices.

use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entities::{notification_levels, push_subscriptions};
use super::{SqlStorage, internal, write_error};
use chrono::{DateTime, Utc};

use super::entities::mail_preferences;
use crate::domain::{
    MailPreferences, MessageId, NewPushSubscription, NotificationLevel, PushSubscription, RoomId,
    UserId,
};
use crate::storage::{Conflict, NotificationStore, StorageError, StorageResult};

#[async_trait]
impl NotificationStore for SqlStorage {
    async fn set_notification_level(
        &self,
        room: RoomId,
        user: UserId,
        level: NotificationLevel,
    ) -> StorageResult<()> {
        if level == NotificationLevel::default() {
            notification_levels::Entity::delete_many()
                .filter(notification_levels::Column::UserId.eq(user.0))
                .filter(notification_levels::Column::RoomId.eq(room.0))
                .exec(&self.db)
                .await
                .map_err(internal)?;
            return Ok(());
        }
        let row = notification_levels::ActiveModel {
            user_id: Set(user.0),
            room_id: Set(room.0),
            level: Set(level.as_str().to_owned()),
        };
        notification_levels::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    notification_levels::Column::UserId,
                    notification_levels::Column::RoomId,
                ])
                .update_column(notification_levels::Column::Level)
                .to_owned(),
            )
            .exec(&self.db)
            .await
            // The upsert cannot collide; a missing person or room fails the foreign key.
            .map_err(|error| write_error(error, |_| Conflict::Member))?;
        Ok(())
    }

    async fn notification_levels(
        &self,
        user: UserId,
    ) -> StorageResult<Vec<(RoomId, NotificationLevel)>> {
        let rows = notification_levels::Entity::find()
            .filter(notification_levels::Column::UserId.eq(user.0))
            .all(&self.db)
            .await
            .map_err(internal)?;
        // A level this build does not know (written by a newer one) counts as the default.
        Ok(rows
            .into_iter()
            .map(|row| {
                let level = NotificationLevel::parse(&row.level).unwrap_or_default();
                (RoomId(row.room_id), level)
            })
            .collect())
    }

    async fn save_push_subscription(
        &self,
        new: NewPushSubscription,
    ) -> StorageResult<PushSubscription> {
        let row = push_subscriptions::ActiveModel {
            user_id: Set(new.user.0),
            endpoint: Set(new.endpoint.clone()),
            p256dh: Set(new.p256dh),
            auth: Set(new.auth),
            device: Set(new.device),
            created: Set(chrono::Utc::now()),
            ..Default::default()
        };
        push_subscriptions::Entity::insert(row)
            .on_conflict(
                OnConflict::column(push_subscriptions::Column::Endpoint)
                    .update_columns([
                        push_subscriptions::Column::UserId,
                        push_subscriptions::Column::P256dh,
                        push_subscriptions::Column::Auth,
                        push_subscriptions::Column::Device,
                        push_subscriptions::Column::Created,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| write_error(error, |_| Conflict::Member))?;
        push_subscriptions::Entity::find()
            .filter(push_subscriptions::Column::Endpoint.eq(new.endpoint))
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(subscription)
            .ok_or_else(|| StorageError::Internal("a saved push subscription went missing".into()))
    }

    async fn push_subscriptions(&self, user: UserId) -> StorageResult<Vec<PushSubscription>> {
        Ok(push_subscriptions::Entity::find()
            .filter(push_subscriptions::Column::UserId.eq(user.0))
            .order_by_asc(push_subscriptions::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(subscription)
            .collect())
    }

    async fn remove_push_subscription(&self, user: UserId, id: i64) -> StorageResult<()> {
        let removed = push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Id.eq(id))
            .filter(push_subscriptions::Column::UserId.eq(user.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        match removed.rows_affected {
            0 => Err(StorageError::NotFound),
            _ => Ok(()),
        }
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StorageResult<()> {
        push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Endpoint.eq(endpoint))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn note_missed(&self, missed: Vec<(UserId, RoomId, MessageId)>) -> StorageResult<()> {
        self.insert_missed(missed).await
    }

    async fn missed_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> StorageResult<Vec<(UserId, RoomId, MessageId)>> {
        self.select_missed_before(cutoff, limit).await
    }

    async fn forget_missed(&self, user: UserId, messages: Vec<MessageId>) -> StorageResult<()> {
        self.delete_missed(user, messages).await
    }

    async fn mail_preferences(&self, user: UserId) -> StorageResult<MailPreferences> {
        self.select_mail_preferences(user).await
    }

    async fn set_mail_preferences(
        &self,
        user: UserId,
        email_missed: bool,
        email_text: bool,
    ) -> StorageResult<()> {
        let preferences = MailPreferences {
            email_missed,
            email_text,
            last_emailed: None,
        };
        self.upsert_mail_preferences(
            user,
            preferences,
            &[
                mail_preferences::Column::EmailMissed,
                mail_preferences::Column::EmailText,
            ],
        )
        .await
    }

    async fn mark_emailed(&self, user: UserId, at: DateTime<Utc>) -> StorageResult<()> {
        let preferences = MailPreferences {
            last_emailed: Some(at),
            ..MailPreferences::default()
        };
        self.upsert_mail_preferences(user, preferences, &[mail_preferences::Column::LastEmailed])
            .await
    }
}

fn subscription(row: push_subscriptions::Model) -> PushSubscription {
    PushSubscription {
        id: row.id,
        user: UserId(row.user_id),
        endpoint: row.endpoint,
        p256dh: row.p256dh,
        auth: row.auth,
        device: row.device,
        created: row.created,
    }
}
