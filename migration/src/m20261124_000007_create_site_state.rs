//! Runtime site state an admin changes: registration policy, invite links, key rotation progress.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SiteSettings {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Id,
    TokenHash,
    CreatedBy,
    Created,
    Expires,
    MaxUses,
    Uses,
    Revoked,
}

#[derive(DeriveIden)]
enum KeyRotations {
    Table,
    Id,
    Target,
    Source,
    LastId,
    Done,
    Total,
    Started,
    Finished,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SiteSettings::Table)
                    .col(
                        ColumnDef::new(SiteSettings::Name)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SiteSettings::Value).string().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invites::Table)
                    .col(
                        ColumnDef::new(Invites::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // SHA-256 of the token, hex: the token itself is only ever in the link.
                    .col(
                        ColumnDef::new(Invites::TokenHash)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    // Who made it; kept as a plain id so deleting that admin keeps the row.
                    .col(ColumnDef::new(Invites::CreatedBy).big_integer().null())
                    .col(
                        ColumnDef::new(Invites::Created)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Invites::Expires)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Invites::MaxUses).big_integer().null())
                    .col(
                        ColumnDef::new(Invites::Uses)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Invites::Revoked)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyRotations::Table)
                    .col(
                        ColumnDef::new(KeyRotations::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // Fingerprint of the key everything is being re-sealed with.
                    .col(ColumnDef::new(KeyRotations::Target).string().not_null())
                    // Which re-sealable source the job is in ("messages", …).
                    .col(ColumnDef::new(KeyRotations::Source).string().not_null())
                    .col(
                        ColumnDef::new(KeyRotations::LastId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(KeyRotations::Done).big_integer().not_null())
                    .col(ColumnDef::new(KeyRotations::Total).big_integer().not_null())
                    .col(
                        ColumnDef::new(KeyRotations::Started)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Null while the rotation is unfinished: startup resumes such a row.
                    .col(
                        ColumnDef::new(KeyRotations::Finished)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            KeyRotations::Table.into_iden(),
            Invites::Table.into_iden(),
            SiteSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
