use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::entities::{messages, users};
use super::{SqlStorage, internal};
use crate::domain::{Author, MessageId, NewMessage, RoomId, Sealed, StoredMessage, UserId};
use crate::storage::{MessageStore, StorageResult};

impl SqlStorage {
    /// Attaches authors to rows with one query for the whole page (never one per row).
    async fn with_authors(&self, rows: Vec<messages::Model>) -> StorageResult<Vec<StoredMessage>> {
        let mut ids: Vec<i64> = rows.iter().filter_map(|m| m.author_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let authors: HashMap<i64, Author> = if ids.is_empty() {
            HashMap::new()
        } else {
            users::Entity::find()
                .filter(users::Column::Id.is_in(ids))
                .all(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|u| {
                    (
                        u.id,
                        Author {
                            id: UserId(u.id),
                            username: u.username,
                            display_name: u.display_name,
                        },
                    )
                })
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|row| StoredMessage {
                id: MessageId(row.id),
                room: RoomId(row.room_id),
                author: row.author_id.and_then(|id| authors.get(&id).cloned()),
                body: Sealed(row.body_sealed),
                created: row.created,
                edited: row.edited,
            })
            .collect())
    }
}

#[async_trait]
impl MessageStore for SqlStorage {
    async fn append_message(&self, new: NewMessage) -> StorageResult<StoredMessage> {
        let sealed = new.body.0;
        let row = messages::ActiveModel {
            room_id: Set(new.room.0),
            author_id: Set(Some(new.author.0)),
            body_sealed: Set(sealed.clone()),
            created: Set(Utc::now()),
            edited: Set(None),
            ..Default::default()
        };
        let row = self.messages.append(row, sealed).await?;
        let mut stored = self.with_authors(vec![row]).await?;
        stored
            .pop()
            .ok_or_else(|| crate::storage::StorageError::Internal("message vanished".into()))
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
            .ok_or(crate::storage::StorageError::NotFound)?;
        let mut found = self.with_authors(vec![row]).await?;
        found.pop().ok_or(crate::storage::StorageError::NotFound)
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
}
