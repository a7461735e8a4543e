//! Web Push: each device a person turned push on for, with the keys its browser gave.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    Device,
    Created,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(
                        ColumnDef::new(PushSubscriptions::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    // One browser profile has one endpoint: subscribing again, or as
                    // someone else, replaces the row rather than adding one.
                    .col(
                        ColumnDef::new(PushSubscriptions::Endpoint)
                            .string_len(1024)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::P256dh)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::Auth)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::Device)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::Created)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_push_subscriptions_user")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushSubscriptions::Table).to_owned())
            .await
    }
}
