//! Uploaded files (sealed bytes on disk, metadata here) and messages' file column.
//!
//! Deleting a message deletes its file row (trigger), deleting a room deletes its file rows
//! (cascade), and every deleted file row (and deleted account's avatar, as
//! `avatars/<name>`) leaves its paths in `file_trash`, which storage empties from disk: the
//! database decides what goes, the disk follows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    RoomId,
    UploaderId,
    Name,
    Mime,
    Size,
    Created,
    Path,
    ThumbPath,
}

#[derive(DeriveIden)]
enum FileTrash {
    Table,
    Id,
    Path,
}

const SQLITE_UP: [&str; 4] = [
    "ALTER TABLE messages ADD COLUMN file_id INTEGER NULL REFERENCES files(id) ON DELETE SET NULL",
    "CREATE TRIGGER trg_messages_delete_file AFTER DELETE ON messages \
     WHEN OLD.file_id IS NOT NULL BEGIN DELETE FROM files WHERE id = OLD.file_id; END",
    "CREATE TRIGGER trg_files_trash AFTER DELETE ON files BEGIN \
     INSERT INTO file_trash (path) VALUES (OLD.path); \
     INSERT INTO file_trash (path) SELECT OLD.thumb_path WHERE OLD.thumb_path IS NOT NULL; END",
    "CREATE TRIGGER trg_users_avatar_trash AFTER DELETE ON users \
     WHEN OLD.avatar IS NOT NULL BEGIN \
     INSERT INTO file_trash (path) VALUES ('avatars/' || OLD.avatar); END",
];

const POSTGRES_UP: [&str; 7] = [
    "ALTER TABLE messages ADD COLUMN file_id BIGINT NULL REFERENCES files(id) ON DELETE SET NULL",
    "CREATE FUNCTION hearth_messages_delete_file() RETURNS trigger AS $$ BEGIN \
     IF OLD.file_id IS NOT NULL THEN DELETE FROM files WHERE id = OLD.file_id; END IF; \
     RETURN OLD; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER trg_messages_delete_file AFTER DELETE ON messages \
     FOR EACH ROW EXECUTE FUNCTION hearth_messages_delete_file()",
    "CREATE FUNCTION hearth_files_trash() RETURNS trigger AS $$ BEGIN \
     INSERT INTO file_trash (path) VALUES (OLD.path); \
     IF OLD.thumb_path IS NOT NULL THEN INSERT INTO file_trash (path) VALUES (OLD.thumb_path); END IF; \
     RETURN OLD; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER trg_files_trash AFTER DELETE ON files \
     FOR EACH ROW EXECUTE FUNCTION hearth_files_trash()",
    "CREATE FUNCTION hearth_users_avatar_trash() RETURNS trigger AS $$ BEGIN \
     IF OLD.avatar IS NOT NULL THEN INSERT INTO file_trash (path) VALUES ('avatars/' || OLD.avatar); END IF; \
     RETURN OLD; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER trg_users_avatar_trash AFTER DELETE ON users \
     FOR EACH ROW EXECUTE FUNCTION hearth_users_avatar_trash()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .col(
                        ColumnDef::new(Files::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Files::RoomId).big_integer().not_null())
                    .col(ColumnDef::new(Files::UploaderId).big_integer().null())
                    .col(ColumnDef::new(Files::Name).string().not_null())
                    .col(ColumnDef::new(Files::Mime).string().not_null())
                    .col(ColumnDef::new(Files::Size).big_integer().not_null())
                    .col(
                        ColumnDef::new(Files::Created)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Files::Path).string().not_null().unique_key())
                    .col(ColumnDef::new(Files::ThumbPath).string().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Files::Table, Files::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Files::Table, Files::UploaderId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_files_room")
                    .table(Files::Table)
                    .col(Files::RoomId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FileTrash::Table)
                    .col(
                        ColumnDef::new(FileTrash::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(FileTrash::Path).string().not_null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &POSTGRES_UP,
            _ => &SQLITE_UP,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS trg_messages_delete_file ON messages",
                )
                .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS hearth_messages_delete_file()")
                    .await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS trg_files_trash ON files")
                    .await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS trg_users_avatar_trash ON users")
                    .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS hearth_users_avatar_trash()")
                    .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS hearth_files_trash()")
                    .await?;
                db.execute_unprepared("ALTER TABLE messages DROP COLUMN file_id")
                    .await?;
            }
            _ => {
                // SQLite cannot drop a column that is part of a foreign key; the column
                // stays, all NULL once `files` is gone, and harmless.
                db.execute_unprepared("DROP TRIGGER IF EXISTS trg_messages_delete_file")
                    .await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS trg_users_avatar_trash")
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(FileTrash::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Files::Table).to_owned())
            .await
    }
}
