//! How much of a room reaches a person when they are not looking at it: everything,
//! mentions and DMs (the default, stored as no row), or nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationLevels {
    Table,
    UserId,
    RoomId,
    Level,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NotificationLevels::Table)
                    .col(
                        ColumnDef::new(NotificationLevels::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationLevels::RoomId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationLevels::Level)
                            .string_len(16)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(NotificationLevels::UserId)
                            .col(NotificationLevels::RoomId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationLevels::Table, NotificationLevels::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationLevels::Table, NotificationLevels::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Who in this room wants everything?" is asked per message.
        manager
            .create_index(
                Index::create()
                    .name("idx_notification_levels_room")
                    .table(NotificationLevels::Table)
                    .col(NotificationLevels::RoomId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NotificationLevels::Table).to_owned())
            .await
    }
}
