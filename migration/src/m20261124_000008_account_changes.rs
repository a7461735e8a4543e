//! Account changes: an email change waits, unconfirmed, on its mailed token; the account
//! keeps its old address until the link is followed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    NewEmail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The address a `change_email` token moves its account to; null for other purposes.
        manager
            .alter_table(
                Table::alter()
                    .table(AccountTokens::Table)
                    .add_column(ColumnDef::new(AccountTokens::NewEmail).string().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccountTokens::Table)
                    .drop_column(AccountTokens::NewEmail)
                    .to_owned(),
            )
            .await
    }
}
