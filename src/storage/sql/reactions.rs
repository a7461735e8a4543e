//! Reactions: added and removed one statement each, so nothing reads then writes (SQLite
//! refuses to upgrade a read transaction whose snapshot went stale under the message
//! writer), and read for a whole page of messages in one query.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entities::{messages, reactions};
use super::{SqlStorage, internal};
use crate::domain::{Emoji, MAX_REACTION_KINDS, MessageId, Reacted, ReactionGroup, RoomId, UserId};
use crate::storage::{Conflict, StorageError, StorageResult};

impl SqlStorage {
    pub(super) async fn insert_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted> {
        let message_here = Query::select()
            .expr(Expr::val(1))
            .from(messages::Entity)
            .and_where(messages::Column::Id.eq(id.0))
            .and_where(messages::Column::RoomId.eq(room.0))
            .to_owned();
        let emoji_used = Query::select()
            .expr(Expr::val(1))
            .from(reactions::Entity)
            .and_where(reactions::Column::MessageId.eq(id.0))
            .and_where(reactions::Column::Emoji.eq(emoji.as_str()))
            .to_owned();
        let kinds = Query::select()
            .expr(Func::count_distinct(Expr::col(reactions::Column::Emoji)))
            .from(reactions::Entity)
            .and_where(reactions::Column::MessageId.eq(id.0))
            .to_owned();
        let kinds = Expr::from(SubQueryStatement::SelectStatement(kinds));
        let row = Query::select()
            .exprs([
                Expr::val(id.0),
                Expr::val(user.0),
                Expr::val(emoji.as_str()),
                Expr::val(Utc::now()),
            ])
            .and_where(Expr::exists(message_here))
            .and_where(Expr::exists(emoji_used).or(kinds.lt(MAX_REACTION_KINDS as i64)))
            .to_owned();
        let insert = Query::insert()
            .into_table(reactions::Entity)
            .columns([
                reactions::Column::MessageId,
                reactions::Column::UserId,
                reactions::Column::Emoji,
                reactions::Column::Created,
            ])
            .select_from(row)
            .map_err(|e| StorageError::Internal(e.to_string()))?
            .on_conflict(
                OnConflict::columns([
                    reactions::Column::MessageId,
                    reactions::Column::UserId,
                    reactions::Column::Emoji,
                ])
                .do_nothing()
                .to_owned(),
            )
            .to_owned();
        let inserted = self.db.execute(&insert).await.map_err(internal)?;
        let reactions = self.reactions_of_message(room, id).await?;
        let changed = inserted.rows_affected() == 1;
        if !changed && !reactions.iter().any(|group| group.emoji == emoji) {
            return Err(StorageError::Conflict(Conflict::ReactionKinds));
        }
        Ok(Reacted { changed, reactions })
    }

    pub(super) async fn delete_reaction(
        &self,
        room: RoomId,
        id: MessageId,
        user: UserId,
        emoji: Emoji,
    ) -> StorageResult<Reacted> {
        let message_here = Query::select()
            .expr(Expr::col(messages::Column::Id))
            .from(messages::Entity)
            .and_where(messages::Column::Id.eq(id.0))
            .and_where(messages::Column::RoomId.eq(room.0))
            .to_owned();
        let deleted = reactions::Entity::delete_many()
            .filter(reactions::Column::MessageId.in_subquery(message_here))
            .filter(reactions::Column::UserId.eq(user.0))
            .filter(reactions::Column::Emoji.eq(emoji.as_str()))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        let reactions = self.reactions_of_message(room, id).await?;
        Ok(Reacted {
            changed: deleted.rows_affected == 1,
            reactions,
        })
    }

    /// The reactions of message `id` of `room`; `NotFound` when it is not there.
    async fn reactions_of_message(
        &self,
        room: RoomId,
        id: MessageId,
    ) -> StorageResult<Vec<ReactionGroup>> {
        let here = messages::Entity::find()
            .filter(messages::Column::Id.eq(id.0))
            .filter(messages::Column::RoomId.eq(room.0))
            .count(&self.db)
            .await
            .map_err(internal)?;
        if here == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(self
            .reactions_of(&[id.0])
            .await?
            .remove(&id.0)
            .unwrap_or_default())
    }

    /// The reactions of each of `ids` that has any, with who reacted: two queries for any
    /// number of messages.
    pub(super) async fn reactions_of(
        &self,
        ids: &[i64],
    ) -> StorageResult<HashMap<i64, Vec<ReactionGroup>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = reactions::Entity::find()
            .filter(reactions::Column::MessageId.is_in(ids.iter().copied()))
            .order_by_asc(reactions::Column::Created)
            .order_by_asc(reactions::Column::UserId)
            .all(&self.db)
            .await
            .map_err(internal)?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let mut people: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
        people.sort_unstable();
        people.dedup();
        let people = self.authors(people).await?;
        let mut by_message: HashMap<i64, Vec<ReactionGroup>> = HashMap::new();
        for row in rows {
            let Some(person) = people.get(&row.user_id) else {
                continue;
            };
            let Ok(emoji) = Emoji::parse(&row.emoji) else {
                continue;
            };
            let groups = by_message.entry(row.message_id).or_default();
            match groups.iter_mut().find(|g| g.emoji == emoji) {
                Some(group) => group.people.push(person.clone()),
                None => groups.push(ReactionGroup {
                    emoji,
                    people: vec![person.clone()],
                }),
            }
        }
        Ok(by_message)
    }
}
