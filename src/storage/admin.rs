//! What only the admin pages ask: counts, searches and moderation across every account and room.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::StorageResult;
use crate::domain::{Room, User, UserId};

/// Site-wide counts for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteTotals {
    pub users: u64,
    pub active_users: u64,
    pub public_rooms: u64,
    pub group_rooms: u64,
    pub private_rooms: u64,
    pub messages: u64,
}

/// One room as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomStats {
    pub room: Room,
    pub members: u64,
    pub messages: u64,
}

/// A change to an account's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountChange {
    Activate,
    Deactivate,
    Promote,
    Demote,
}

#[async_trait]
pub trait AdminStore: Send + Sync {
    async fn site_totals(&self) -> StorageResult<SiteTotals>;
    /// Messages written per UTC day since `since`; days without messages are left out.
    async fn messages_per_day(&self, since: DateTime<Utc>) -> StorageResult<Vec<(NaiveDate, u64)>>;
    /// The database's size in bytes, when the backend can tell.
    async fn database_size(&self) -> StorageResult<Option<u64>>;
    /// Up to `limit` accounts whose username or email contains `query` (any case; an empty
    /// query matches all), by id, skipping `offset`; and how many match in all.
    async fn search_accounts(
        &self,
        query: &str,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<User>, u64)>;
    /// Applies `change` to `user` and returns the account as it now is. `NotFound` when no
    /// such account; `Conflict(LastAdmin)` (nothing changed) when the change would
    /// leave no active admin.
    async fn change_account(&self, user: UserId, change: AccountChange) -> StorageResult<User>;
    /// Up to `limit` rooms by id, skipping `offset`, each with its member and message
    /// counts; and how many rooms exist.
    async fn rooms_with_stats(
        &self,
        offset: u64,
        limit: u64,
    ) -> StorageResult<(Vec<RoomStats>, u64)>;
}
