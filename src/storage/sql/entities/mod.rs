//! SeaORM entities; they mirror the migration crate's tables and never leave `storage::sql`.

pub mod messages;
pub mod rooms;
pub mod sessions;
pub mod users;
