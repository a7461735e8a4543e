use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, Statement,
};

use super::entities::{messages, users};
use super::{SqlStorage, appends, internal};
use crate::domain::{
    Author, Emoji, MessageId, NewMessage, Original, Reacted, ReplyRef, RoomId, Sealed, SealedBody,
    StoredMessage, UserId,
};
use crate::storage::{MessageStore, StorageError, StorageResult};

impl SqlStorage {
    /// Attaches to rows what a message shows beside its body (authors, files, reactions,
    /// the originals replies quote): a few queries for the whole page, never one per row.
    async fn with_authors(&self, rows: Vec<messages::Model>) -> StorageResult<Vec<StoredMessage>> {
        let originals = self.originals_of(&rows).await?;
        let message_ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        let mut mentioned = self.mentioned_in(&message_ids).await?;
        let mut ids: Vec<i64> = rows
            .iter()
            .chain(originals.values())
            .filter_map(|m| m.author_id)
            .chain(mentioned.values().flatten().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let file_ids: Vec<i64> = rows.iter().filter_map(|m| m.file_id).collect();
        let files = self.file_refs(file_ids).await?;
        let mut reactions = self.reactions_of(&message_ids).await?;
        let authors = self.authors(ids).await?;
        let author_of =
            |row: &messages::Model| row.author_id.and_then(|id| authors.get(&id).cloned());
        Ok(rows
            .into_iter()
            .map(|row| StoredMessage {
                id: MessageId(row.id),
                room: RoomId(row.room_id),
                author: author_of(&row),
                body: sealed_body(&row),
                created: row.created,
                edited: row.edited,
                file: row.file_id.and_then(|id| files.get(&id).cloned()),
                reactions: reactions.remove(&row.id).unwrap_or_default(),
                mentions: mentioned
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|id| authors.get(&id).cloned())
                    .collect(),
                reply: row.reply_to.map(|id| ReplyRef {
                    id: MessageId(id),
                    original: originals.get(&id).map(|original| Original {
                        author: author_of(original),
                        body: sealed_body(original),
                    }),
                }),
            })
            .collect())
    }

    /// The messages `rows` reply to that are still there, in the same room, by id.
    async fn originals_of(
        &self,
        rows: &[messages::Model],
    ) -> StorageResult<HashMap<i64, messages::Model>> {
        let wanted: Vec<i64> = rows.iter().filter_map(|m| m.reply_to).collect();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let found = messages::Entity::find()
            .filter(messages::Column::Id.is_in(wanted))
            .all(&self.db)
            .await
            .map_err(internal)?;
        let rooms: HashMap<i64, i64> = rows
            .iter()
            .filter_map(|m| m.reply_to.map(|to| (to, m.room_id)))
            .collect();
        Ok(found
            .into_iter()
            .filter(|original| rooms.get(&original.id) == Some(&original.room_id))
            .map(|original| (original.id, original))
            .collect())
    }

    /// The accounts `ids` as messages show them, by id.
    pub(super) async fn authors(&self, ids: Vec<i64>) -> StorageResult<HashMap<i64, Author>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| {
                let author = Author {
                    id: UserId(u.id),
                    username: u.username,
                    display_name: u.display_name,
                    avatar: u.avatar,
                };
                (u.id, author)
            })
            .collect())
    }

    /// Makes replaced or deleted bodies unrecoverable from the files. `secure_delete` (set
    /// on every connection) zeroes freed space in the pages a write touches, but the WAL
    /// still holds the page versions from before; checkpointing with TRUNCATE copies the
    /// scrubbed pages into the main file and empties the WAL. A checkpoint that cannot
    /// finish now (a long reader) is logged, not an error: the write itself committed.
    async fn scrub_wal(&self) {
        if self.db.get_database_backend() != DbBackend::Sqlite {
            return;
        }
        let checkpoint = Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA wal_checkpoint(TRUNCATE)".to_owned(),
        );
        match self.db.query_one_raw(checkpoint).await {
            Ok(Some(row)) if row.try_get::<i64>("", "busy").unwrap_or(1) == 0 => {}
            Ok(_) => tracing::warn!("WAL checkpoint after a message removal did not complete"),
            Err(error) => tracing::warn!(%error, "WAL checkpoint after a message removal failed"),
        }
    }
}

fn sealed_body(row: &messages::Model) -> SealedBody {
    SealedBody {
        sealed: Sealed(row.body_sealed.clone()),
        format: u16::try_from(row.body_format).unwrap_or(0),
    }
}

/// The column is a SMALLINT (PostgreSQL has no unsigned types); formats are small numbers
/// the frontend picks, so one past the range is a bug there, kept as the largest value.
pub(super) fn format_column(format: u16) -> i16 {
    i16::try_from(format).unwrap_or(i16::MAX)
}

#[async_trait]
impl MessageStore for SqlStorage {
    async fn append_message(&self, new: NewMessage) -> StorageResult<StoredMessage> {
        self.append_messages(vec![new])
            .await
            .pop()
            .unwrap_or_else(|| Err(StorageError::Internal("message vanished".into())))
    }

    async fn append_messages(&self, batch: Vec<NewMessage>) -> Vec<StorageResult<StoredMessage>> {
        let now = Utc::now();
        let mentions: Vec<(i64, Vec<UserId>)> = batch
            .iter()
            .map(|new| (new.room.0, new.mentions.clone()))
            .collect();
        let rows = batch
            .into_iter()
            .map(|new| messages::ActiveModel {
                room_id: Set(new.room.0),
                author_id: Set(Some(new.author.0)),
                body_sealed: Set(new.body.sealed.0),
                body_format: Set(format_column(new.body.format)),
                reply_to: Set(new.reply_to.map(|id| id.0)),
                created: Set(now),
                edited: Set(None),
                ..Default::default()
            })
            .collect();
        // The committed rows move on to get their authors; each outcome keeps its place.
        let mut committed = Vec::new();
        let mut mentioning = Vec::new();
        let outcomes: Vec<StorageResult<()>> = appends::insert_rows(&self.db, rows)
            .await
            .into_iter()
            .zip(mentions)
            .map(|(result, (room, people))| {
                result.map(|row| {
                    if !people.is_empty() {
                        mentioning.push((row.id, room, people));
                    }
                    committed.push(row);
                })
            })
            .collect();
        // The messages are committed: a failure here costs their mentions, not them.
        if let Err(error) = self.save_mentions(mentioning).await {
            tracing::error!(%error, "mentions of committed messages not stored");
        }
        // One query attaches every author; the rows stay in the order given.
        let mut stored = match self.with_authors(committed).await {
            Ok(stored) => stored.into_iter(),
            Err(error) => return outcomes.iter().map(|_| Err(error.clone())).collect(),
        };
        outcomes
            .into_iter()
            .map(|outcome| {
                outcome.and_then(|()| {
                    stored
                        .next()
                        .ok_or_else(|| StorageError::Internal("message vanished".into()))
                })
            })
            .collect()
    }

    async fn messages_before(
        &self,
        room: RoomId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>> {
        let mut query = messages::Entity::find().filter(messages::Column::RoomId.eq(room.0));
        if let Some(before) = before {
            query = query.filter(messages::Column::Id.lt(before.0));
        }
        let rows = query
            .order_by_desc(messages::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(internal)?;
        self.with_authors(rows).await
    }

    async fn message_by_id(&self, room: RoomId, id: MessageId) -> StorageResult<StoredMessage> {
        let row = messages::Entity::find_by_id(id.0)
            .filter(messages::Column::RoomId.eq(room.0))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        let mut found = self.with_authors(vec![row]).await?;
        found.pop().ok_or(StorageError::NotFound)
    }

    async fn messages_after(
        &self,
        room: RoomId,
        after: MessageId,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>> {
        let rows = messages::Entity::find()
            .filter(messages::Column::RoomId.eq(room.0))
            .filter(messages::Column::Id.gt(after.0))
            .order_by_asc(messages::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(internal)?;
        self.with_authors(rows).await
    }

    async fn edit_message(
        &self,
        room: RoomId,
        id: MessageId,
        author: UserId,
        body: SealedBody,
        mentions: Vec<UserId>,
    ) -> StorageResult<StoredMessage> {
        // One statement checks room and authorship and writes, so nothing changes on refusal.
        let result = messages::Entity::update_many()
            .col_expr(messages::Column::BodySealed, Expr::value(body.sealed.0))
            .col_expr(
                messages::Column::BodyFormat,
                Expr::value(format_column(body.format)),
            )
            .col_expr(messages::Column::Edited, Expr::value(Some(Utc::now())))
            .filter(messages::Column::Id.eq(id.0))
            .filter(messages::Column::RoomId.eq(room.0))
            .filter(messages::Column::AuthorId.eq(author.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        self.replace_mentions(room, id, mentions).await?;
        self.scrub_wal().await;
        self.message_by_id(room, id).await
    }

    async fn add_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted> {
        self.insert_reaction(room, id, user, emoji).await
    }

    async fn remove_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted> {
        self.delete_reaction(room, id, user, emoji).await
    }

    async fn mentions_of(
        &self,
        user: UserId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<StoredMessage>> {
        let rows = self.mentions_of_user(user, before, limit).await?;
        self.with_authors(rows).await
    }

    async fn unread_mentions(&self, user: UserId) -> StorageResult<Vec<(RoomId, u64)>> {
        self.unread_mentions_of(user).await
    }

    async fn delete_message(&self, room: RoomId, id: MessageId) -> StorageResult<()> {
        let result = messages::Entity::delete_many()
            .filter(messages::Column::Id.eq(id.0))
            .filter(messages::Column::RoomId.eq(room.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        self.scrub_wal().await;
        Ok(())
    }
}
