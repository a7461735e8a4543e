//! Single-use links mailed to people (password reset, email confirmation), by token hash.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Hash,
    UserId,
    Purpose,
    Created,
    Expires,
    Used,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    // SHA-256 of the token, hex: the token itself is only ever in the mail.
                    .col(
                        ColumnDef::new(AccountTokens::Hash)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AccountTokens::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    // "reset" or "verify_email".
                    .col(ColumnDef::new(AccountTokens::Purpose).string().not_null())
                    .col(
                        ColumnDef::new(AccountTokens::Created)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccountTokens::Expires)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // When it was used; null while it is live.
                    .col(
                        ColumnDef::new(AccountTokens::Used)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_tokens_user")
                    .table(AccountTokens::Table)
                    .col(AccountTokens::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountTokens::Table).to_owned())
            .await
    }
}
