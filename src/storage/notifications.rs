//! What each person wants to hear of each room when they are not looking at it.

use async_trait::async_trait;

use super::StorageResult;
use crate::domain::{NotificationLevel, RoomId, UserId};

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Sets `user`'s level for `room`; the default is kept as no row. `NotFound` when
    /// either does not exist. Whether the person may read the room is the caller's check.
    async fn set_notification_level(
        &self,
        room: RoomId,
        user: UserId,
        level: NotificationLevel,
    ) -> StorageResult<()>;
    /// The rooms where `user` chose something other than the default, with that choice.
    async fn notification_levels(
        &self,
        user: UserId,
    ) -> StorageResult<Vec<(RoomId, NotificationLevel)>>;
}
