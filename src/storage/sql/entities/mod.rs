//! SeaORM entities; they mirror the migration crate's tables and never leave `storage::sql`.

pub mod account_tokens;
pub mod audit_log;
pub mod memberships;
pub mod messages;
pub mod refresh_tokens;
pub mod rooms;
pub mod sessions;
pub mod users;
