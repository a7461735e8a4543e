//! Mail about what someone missed: each mention or DM noted for them until they read it or
//! it is mailed, and each person's choices (mail or not, with the words or not) and when
//! they were last mailed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MissedMail {
    Table,
    UserId,
    MessageId,
    RoomId,
}

#[derive(DeriveIden)]
enum MailPreferences {
    Table,
    UserId,
    EmailMissed,
    EmailText,
    LastEmailed,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MissedMail::Table)
                    .col(ColumnDef::new(MissedMail::UserId).big_integer().not_null())
                    .col(
                        ColumnDef::new(MissedMail::MessageId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MissedMail::RoomId).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(MissedMail::UserId)
                            .col(MissedMail::MessageId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MissedMail::Table, MissedMail::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A deleted message (or room) is never mailed about.
                    .foreign_key(
                        ForeignKey::create()
                            .from(MissedMail::Table, MissedMail::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The digest asks "what is older than the cut-off?", oldest message first.
        manager
            .create_index(
                Index::create()
                    .name("idx_missed_mail_message")
                    .table(MissedMail::Table)
                    .col(MissedMail::MessageId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailPreferences::Table)
                    .col(
                        ColumnDef::new(MailPreferences::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MailPreferences::EmailMissed)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailPreferences::EmailText)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailPreferences::LastEmailed).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(MailPreferences::Table, MailPreferences::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailPreferences::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MissedMail::Table).to_owned())
            .await
    }
}
