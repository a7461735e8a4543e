//! The append-only audit log: admin actions and security events.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Kind,
    Action,
    ActorId,
    ActorName,
    Target,
    Detail,
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(
                        ColumnDef::new(AuditLog::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // "admin" or "security".
                    .col(ColumnDef::new(AuditLog::Kind).string().not_null())
                    .col(ColumnDef::new(AuditLog::Action).string().not_null())
                    // No foreign key: an entry outlives the account that made it, so the
                    // name is kept as it was at the time.
                    .col(ColumnDef::new(AuditLog::ActorId).big_integer().null())
                    .col(
                        ColumnDef::new(AuditLog::ActorName)
                            .string()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(AuditLog::Target)
                            .string()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(AuditLog::Detail)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(AuditLog::Ip).string().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_kind_id")
                    .table(AuditLog::Table)
                    .col(AuditLog::Kind)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
