//! Mentions: who a message names with @, among the people who can read its room. Plain
//! text, like reactions: storage knows who was mentioned where, never the words.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Mentions {
    Table,
    MessageId,
    UserId,
    RoomId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
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
                    .table(Mentions::Table)
                    .col(ColumnDef::new(Mentions::MessageId).big_integer().not_null())
                    .col(ColumnDef::new(Mentions::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Mentions::RoomId).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(Mentions::MessageId)
                            .col(Mentions::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Mentions::Table, Mentions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Mentions::Table, Mentions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Mentions::Table, Mentions::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "The newest mentions of me": by person, newest message first.
        manager
            .create_index(
                Index::create()
                    .name("idx_mentions_user_message")
                    .table(Mentions::Table)
                    .col(Mentions::UserId)
                    .col(Mentions::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mentions::Table).to_owned())
            .await
    }
}
