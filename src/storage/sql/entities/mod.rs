//! SeaORM entities; they mirror the migration crate's tables and never leave `storage::sql`.

pub mod account_tokens;
pub mod audit_log;
pub mod file_trash;
pub mod files;
pub mod invites;
pub mod key_rotations;
pub mod mail_preferences;
pub mod memberships;
pub mod mentions;
pub mod messages;
pub mod missed_mail;
pub mod notification_levels;
pub mod push_subscriptions;
pub mod reactions;
pub mod refresh_tokens;
pub mod rooms;
pub mod sessions;
pub mod site_settings;
pub mod users;
