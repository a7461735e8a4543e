//! What each person wants to hear of each room when they are not looking at it.

use async_trait::async_trait;

use super::StorageResult;
use chrono::{DateTime, Utc};

use crate::domain::{
    MailPreferences, MessageId, NewPushSubscription, NotificationLevel, PushSubscription, RoomId,
    UserId,
};

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

    /// Keeps `new` as one of its person's push devices. An endpoint already stored (the
    /// same browser subscribing again, perhaps signed in as someone else now) is replaced,
    /// never doubled. `NotFound` when the person does not exist.
    async fn save_push_subscription(
        &self,
        new: NewPushSubscription,
    ) -> StorageResult<PushSubscription>;
    /// `user`'s push devices, oldest first.
    async fn push_subscriptions(&self, user: UserId) -> StorageResult<Vec<PushSubscription>>;
    /// Removes `user`'s device `id`; `NotFound` when it is missing or someone else's.
    async fn remove_push_subscription(&self, user: UserId, id: i64) -> StorageResult<()>;
    /// Forgets `endpoint` whoever it belonged to: the push service said it is gone.
    async fn forget_push_endpoint(&self, endpoint: &str) -> StorageResult<()>;

    /// Notes that each `(person, room, message)` is a mention or DM the person may miss;
    /// noting one twice keeps one. A read mark at or past the message forgets it.
    async fn note_missed(&self, missed: Vec<(UserId, RoomId, MessageId)>) -> StorageResult<()>;
    /// Up to `limit` noted messages sent at or before `cutoff`, by person, oldest first.
    async fn missed_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u64,
    ) -> StorageResult<Vec<(UserId, RoomId, MessageId)>>;
    /// Forgets `user`'s noted `messages` (mailed about, or not to be).
    async fn forget_missed(&self, user: UserId, messages: Vec<MessageId>) -> StorageResult<()>;
    /// `user`'s mail choices; the defaults when they never chose.
    async fn mail_preferences(&self, user: UserId) -> StorageResult<MailPreferences>;
    /// Sets `user`'s mail choices, keeping when they were last mailed. `NotFound` when the
    /// person does not exist.
    async fn set_mail_preferences(
        &self,
        user: UserId,
        email_missed: bool,
        email_text: bool,
    ) -> StorageResult<()>;
    /// Records that `user` was mailed at `at`.
    async fn mark_emailed(&self, user: UserId, at: DateTime<Utc>) -> StorageResult<()>;
}
