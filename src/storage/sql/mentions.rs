//! Mentions: written with their message (and replaced when it is edited), read for a page
//! of messages at once, and listed per person across the rooms they can still read.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::{memberships, mentions, messages, rooms};
use super::{SqlStorage, internal, to_u64};
use crate::domain::{MessageId, RoomId, RoomKind, UserId};
use crate::storage::StorageResult;

impl SqlStorage {
    /// Stores who each of `messages` (id, room, mentioned) mentions.
    pub(super) async fn save_mentions(
        &self,
        messages: Vec<(i64, i64, Vec<UserId>)>,
    ) -> StorageResult<()> {
        let rows: Vec<mentions::ActiveModel> = messages
            .into_iter()
            .flat_map(|(message, room, people)| {
                people.into_iter().map(move |person| mentions::ActiveModel {
                    message_id: Set(message),
                    user_id: Set(person.0),
                    room_id: Set(room),
                })
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        mentions::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([mentions::Column::MessageId, mentions::Column::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Replaces who message `id` of `room` mentions.
    pub(super) async fn replace_mentions(
        &self,
        room: RoomId,
        id: MessageId,
        people: Vec<UserId>,
    ) -> StorageResult<()> {
        mentions::Entity::delete_many()
            .filter(mentions::Column::MessageId.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        self.save_mentions(vec![(id.0, room.0, people)]).await
    }

    /// Who each of `ids` mentions, by message.
    pub(super) async fn mentioned_in(&self, ids: &[i64]) -> StorageResult<HashMap<i64, Vec<i64>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, i64)> = mentions::Entity::find()
            .select_only()
            .column(mentions::Column::MessageId)
            .column(mentions::Column::UserId)
            .filter(mentions::Column::MessageId.is_in(ids.iter().copied()))
            .order_by_asc(mentions::Column::UserId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut by_message: HashMap<i64, Vec<i64>> = HashMap::new();
        for (message, person) in pairs {
            by_message.entry(message).or_default().push(person);
        }
        Ok(by_message)
    }

    /// Up to `limit` ids of messages older than `before` that mention `user`, in rooms
    /// `user` can read now, newest first.
    pub(super) async fn mentions_of_user(
        &self,
        user: UserId,
        before: Option<MessageId>,
        limit: u64,
    ) -> StorageResult<Vec<messages::Model>> {
        let readable = Query::select()
            .column(memberships::Column::RoomId)
            .from(memberships::Entity)
            .and_where(memberships::Column::UserId.eq(user.0))
            .union(
                sea_orm::sea_query::UnionType::All,
                Query::select()
                    .column(rooms::Column::Id)
                    .from(rooms::Entity)
                    .and_where(rooms::Column::Kind.eq(RoomKind::Public.as_str()))
                    .to_owned(),
            )
            .to_owned();
        let mut mentioned = Query::select()
            .column(mentions::Column::MessageId)
            .from(mentions::Entity)
            .and_where(mentions::Column::UserId.eq(user.0))
            .and_where(mentions::Column::RoomId.in_subquery(readable))
            .to_owned();
        if let Some(before) = before {
            mentioned.and_where(mentions::Column::MessageId.lt(before.0));
        }
        messages::Entity::find()
            .filter(messages::Column::Id.in_subquery(mentioned))
            .order_by_desc(messages::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(internal)
    }

    /// For each room `user` is a member of, how many mentions of them are newer than the
    /// membership's read mark; rooms with none are left out.
    pub(super) async fn unread_mentions_of(
        &self,
        user: UserId,
    ) -> StorageResult<Vec<(RoomId, u64)>> {
        let query = Query::select()
            .column((mentions::Entity, mentions::Column::RoomId))
            .expr(Func::count(Expr::col((
                mentions::Entity,
                mentions::Column::MessageId,
            ))))
            .from(mentions::Entity)
            .inner_join(
                memberships::Entity,
                Expr::col((memberships::Entity, memberships::Column::RoomId))
                    .equals((mentions::Entity, mentions::Column::RoomId))
                    .and(
                        Expr::col((memberships::Entity, memberships::Column::UserId))
                            .equals((mentions::Entity, mentions::Column::UserId)),
                    ),
            )
            .and_where(Expr::col((mentions::Entity, mentions::Column::UserId)).eq(user.0))
            .and_where(
                Expr::col((mentions::Entity, mentions::Column::MessageId)).gt(Expr::col((
                    memberships::Entity,
                    memberships::Column::LastRead,
                ))),
            )
            .group_by_col((mentions::Entity, mentions::Column::RoomId))
            .to_owned();
        let rows = self.db.query_all(&query).await.map_err(internal)?;
        rows.into_iter()
            .map(|row| {
                let room: i64 = row.try_get_by_index(0).map_err(internal)?;
                let count: i64 = row.try_get_by_index(1).map_err(internal)?;
                Ok((RoomId(room), to_u64(count)))
            })
            .collect()
    }
}
