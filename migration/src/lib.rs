//! Hearth's schema, one migration per file. Knows table and column names only; the
//! application's entities live in `hearth::storage::sql` and must match what is built here.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_accounts;
mod m20261124_000002_create_rooms_and_messages;
mod m20261124_000003_create_refresh_tokens;
mod m20261124_000004_create_account_tokens;
mod m20261124_000005_create_files;
mod m20261124_000006_create_audit_log;
mod m20261124_000007_create_site_state;
mod m20261124_000008_account_changes;
mod m20261203_000009_message_body_format;
mod m20261203_000010_create_reactions;
mod m20261203_000011_message_replies;
mod m20261203_000012_create_mentions;
mod m20261203_000013_create_notification_levels;
mod m20261208_000014_create_push_subscriptions;
mod m20261208_000015_create_missed_mail;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_accounts::Migration),
            Box::new(m20261124_000002_create_rooms_and_messages::Migration),
            Box::new(m20261124_000003_create_refresh_tokens::Migration),
            Box::new(m20261124_000004_create_account_tokens::Migration),
            Box::new(m20261124_000005_create_files::Migration),
            Box::new(m20261124_000006_create_audit_log::Migration),
            Box::new(m20261124_000007_create_site_state::Migration),
            Box::new(m20261124_000008_account_changes::Migration),
            Box::new(m20261203_000009_message_body_format::Migration),
            Box::new(m20261203_000010_create_reactions::Migration),
            Box::new(m20261203_000011_message_replies::Migration),
            Box::new(m20261203_000012_create_mentions::Migration),
            Box::new(m20261203_000013_create_notification_levels::Migration),
            Box::new(m20261208_000014_create_push_subscriptions::Migration),
            Box::new(m20261208_000015_create_missed_mail::Migration),
        ]
    }
}
