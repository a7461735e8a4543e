//! Notification levels: one row per (person, room) that differs from the default.

use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::entities::notification_levels;
use super::{SqlStorage, internal, write_error};
use crate::domain::{NotificationLevel, RoomId, UserId};
use crate::storage::{Conflict, NotificationStore, StorageResult};

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
}
