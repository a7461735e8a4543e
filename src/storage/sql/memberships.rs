use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement, TransactionTrait,
};

use super::entities::{memberships, messages, rooms, users};
use super::rooms::new_room_row;
use super::{SqlStorage, internal, to_u64, write_error};
use crate::domain::{MessageId, NewRoom, Room, RoomId, RoomKind, RoomName, User, UserId};
use crate::storage::{Conflict, RoomSummary, StorageError, StorageResult};

/// Read marks one statement moves (three bound values each).
const MARKS_PER_STATEMENT: usize = 500;

/// A statement over read marks given as a `VALUES` list named `marks`, which SQLite
/// (3.33+) and PostgreSQL both read, each naming the list's columns `column1` (room),
/// `column2` (user) and `column3` (up to). `sql` gets the list to put in place.
pub(super) fn marks_statement(
    backend: DbBackend,
    marks: &[(RoomId, UserId, MessageId)],
    sql: impl FnOnce(&str) -> String,
) -> Statement {
    let rows: Vec<String> = (0..marks.len())
        .map(|i| match backend {
            DbBackend::Postgres => format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3),
            _ => "(?, ?, ?)".to_owned(),
        })
        .collect();
    let values = marks
        .iter()
        .flat_map(|(room, user, up_to)| [room.0.into(), user.0.into(), up_to.0.into()]);
    Statement::from_sql_and_values(backend, sql(&rows.join(", ")), values)
}

/// `UPDATE … FROM (VALUES …)`; the `<` keeps every mark monotonic.
fn read_marks_statement(backend: DbBackend, marks: &[(RoomId, UserId, MessageId)]) -> Statement {
    marks_statement(backend, marks, |rows| {
        format!(
            "UPDATE memberships SET last_read = marks.column3 FROM (VALUES {rows}) AS marks \
             WHERE memberships.room_id = marks.column1 AND memberships.user_id = marks.column2 \
             AND memberships.last_read < marks.column3"
        )
    })
}

/// Inserts one membership row per user, inside the caller's transaction.
async fn move_read_mark(
    db: &impl ConnectionTrait,
    room: RoomId,
    user: UserId,
    up_to: MessageId,
) -> StorageResult<()> {
    // The filter keeps the mark monotonic when two sockets of one person race.
    memberships::Entity::update_many()
        .col_expr(memberships::Column::LastRead, Expr::value(up_to.0))
        .filter(memberships::Column::RoomId.eq(room.0))
        .filter(memberships::Column::UserId.eq(user.0))
        .filter(memberships::Column::LastRead.lt(up_to.0))
        .exec(db)
        .await
        .map_err(internal)?;
    Ok(())
}

async fn add_members(db: &impl ConnectionTrait, room: i64, users: &[UserId]) -> StorageResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = users.iter().map(|user| memberships::ActiveModel {
        room_id: Set(room),
        user_id: Set(user.0),
        joined: Set(now),
        last_read: Set(0),
    });
    memberships::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([memberships::Column::RoomId, memberships::Column::UserId])
        .exec(db)
        .await
        .map_err(|e| write_error(e, |_| Conflict::Member))?;
    Ok(())
}

impl SqlStorage {
    pub(super) async fn create_group_room(
        &self,
        new: NewRoom,
        members: Vec<UserId>,
    ) -> StorageResult<Room> {
        let mut everyone: Vec<UserId> = new.admin.into_iter().chain(members).collect();
        everyone.sort_unstable();
        everyone.dedup();
        let txn = self.db.begin().await.map_err(internal)?;
        let row = new_room_row(new);
        let row = rooms::Entity::insert(row)
            .exec_with_returning(&txn)
            .await
            .map_err(|e| write_error(e, |_| Conflict::Room))?;
        add_members(&txn, row.id, &everyone).await?;
        txn.commit().await.map_err(internal)?;
        row.try_into()
    }

    pub(super) async fn open_private_room(&self, a: UserId, b: UserId) -> StorageResult<Room> {
        let name = RoomName::for_pair(a, b);
        let found = users::Entity::find()
            .filter(users::Column::Id.is_in([a.0, b.0]))
            .count(&self.db)
            .await
            .map_err(internal)?;
        if found != if a == b { 1 } else { 2 } {
            return Err(StorageError::NotFound);
        }
        let txn = self.db.begin().await.map_err(internal)?;
        let row = new_room_row(NewRoom {
            name: name.clone(),
            title: String::new(),
            kind: RoomKind::Private,
            admin: None,
        });
        rooms::Entity::insert(row)
            .on_conflict_do_nothing_on([rooms::Column::Name])
            .exec(&txn)
            .await
            .map_err(internal)?;
        let room = rooms::Entity::find()
            .filter(rooms::Column::Name.eq(name.as_str()))
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        add_members(&txn, room.id, &[a, b]).await?;
        txn.commit().await.map_err(internal)?;
        room.try_into()
    }

    pub(super) async fn member_rooms(&self, user: UserId) -> StorageResult<Vec<RoomSummary>> {
        let room_ids: Vec<i64> = memberships::Entity::find()
            .select_only()
            .column(memberships::Column::RoomId)
            .filter(memberships::Column::UserId.eq(user.0))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        if room_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = rooms::Entity::find()
            .filter(rooms::Column::Id.is_in(room_ids.clone()))
            .all(&self.db)
            .await
            .map_err(internal)?;
        // One grouped query for every room's newest message, never one per room.
        let newest: HashMap<i64, i64> = messages::Entity::find()
            .select_only()
            .column(messages::Column::RoomId)
            .column_as(Expr::col(messages::Column::Id).max(), "newest")
            .filter(messages::Column::RoomId.is_in(room_ids.clone()))
            .group_by(messages::Column::RoomId)
            .into_tuple::<(i64, i64)>()
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .collect();
        let peers = self.private_peers(user, &rows).await?;
        let mut summaries = rows
            .into_iter()
            .map(|row| {
                let last_message = newest.get(&row.id).copied().map(MessageId);
                let (peer, peer_name) = peers.get(&row.id).cloned().unzip();
                Ok(RoomSummary {
                    room: row.try_into()?,
                    last_message,
                    peer,
                    peer_name,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        summaries.sort_by(|x, y| {
            (y.last_message, y.room.created).cmp(&(x.last_message, x.room.created))
        });
        Ok(summaries)
    }

    /// For each private room among `rows`, the username and shown name of the member who
    /// is not `user`.
    async fn private_peers(
        &self,
        user: UserId,
        rows: &[rooms::Model],
    ) -> StorageResult<HashMap<i64, (String, String)>> {
        let private: Vec<i64> = rows
            .iter()
            .filter(|r| r.kind == RoomKind::Private.as_str())
            .map(|r| r.id)
            .collect();
        if private.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, i64)> = memberships::Entity::find()
            .select_only()
            .column(memberships::Column::RoomId)
            .column(memberships::Column::UserId)
            .filter(memberships::Column::RoomId.is_in(private))
            .filter(memberships::Column::UserId.ne(user.0))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        let ids: Vec<i64> = pairs.iter().map(|(_, u)| *u).collect();
        let names: HashMap<i64, (String, String)> = users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| {
                let shown = crate::domain::user::shown_name(&u.username, &u.display_name);
                let shown = shown.to_owned();
                (u.id, (u.username, shown))
            })
            .collect();
        Ok(pairs
            .into_iter()
            .filter_map(|(room, peer)| names.get(&peer).map(|n| (room, n.clone())))
            .collect())
    }

    pub(super) async fn room_members(&self, room: RoomId) -> StorageResult<Vec<User>> {
        let ids: Vec<i64> = memberships::Entity::find()
            .select_only()
            .column(memberships::Column::UserId)
            .filter(memberships::Column::RoomId.eq(room.0))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .order_by_asc(users::Column::UsernameKey)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(User::from)
            .collect())
    }

    pub(super) async fn replace_members(
        &self,
        room: RoomId,
        members: Vec<UserId>,
    ) -> StorageResult<()> {
        let txn = self.db.begin().await.map_err(internal)?;
        let row = rooms::Entity::find_by_id(room.0)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?;
        let mut keep: Vec<UserId> = row
            .admin_id
            .map(UserId)
            .into_iter()
            .chain(members)
            .collect();
        keep.sort_unstable();
        keep.dedup();
        memberships::Entity::delete_many()
            .filter(memberships::Column::RoomId.eq(room.0))
            .filter(memberships::Column::UserId.is_not_in(keep.iter().map(|u| u.0)))
            .exec(&txn)
            .await
            .map_err(internal)?;
        add_members(&txn, room.0, &keep).await?;
        txn.commit().await.map_err(internal)
    }

    /// Whether `user` has a membership row in `room`: one indexed look-up.
    pub(super) async fn has_membership(&self, room: RoomId, user: UserId) -> StorageResult<bool> {
        let found = memberships::Entity::find()
            .filter(memberships::Column::RoomId.eq(room.0))
            .filter(memberships::Column::UserId.eq(user.0))
            .count(&self.db)
            .await
            .map_err(internal)?;
        Ok(found > 0)
    }

    pub(super) async fn room_member_ids(&self, room: RoomId) -> StorageResult<Vec<UserId>> {
        let ids: Vec<i64> = memberships::Entity::find()
            .select_only()
            .column(memberships::Column::UserId)
            .filter(memberships::Column::RoomId.eq(room.0))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Messages by others above the read mark, counted per room in one joined query.
    pub(super) async fn unread_of(&self, user: UserId) -> StorageResult<Vec<(RoomId, u64)>> {
        let author = (messages::Entity, messages::Column::AuthorId);
        let query = Query::select()
            .column((messages::Entity, messages::Column::RoomId))
            .expr(Expr::col((messages::Entity, messages::Column::Id)).count())
            .from(messages::Entity)
            .inner_join(
                memberships::Entity,
                Expr::col((memberships::Entity, memberships::Column::RoomId))
                    .equals((messages::Entity, messages::Column::RoomId)),
            )
            .and_where(Expr::col((memberships::Entity, memberships::Column::UserId)).eq(user.0))
            .and_where(
                Expr::col((messages::Entity, messages::Column::Id)).gt(Expr::col((
                    memberships::Entity,
                    memberships::Column::LastRead,
                ))),
            )
            .cond_where(
                Condition::any()
                    .add(Expr::col(author).is_null())
                    .add(Expr::col(author).ne(user.0)),
            )
            .group_by_col((messages::Entity, messages::Column::RoomId))
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let rows = self.db.query_all_raw(statement).await.map_err(internal)?;
        rows.iter()
            .map(|row| {
                let room: i64 = row.try_get_by_index(0).map_err(internal)?;
                let count: i64 = row.try_get_by_index(1).map_err(internal)?;
                Ok((RoomId(room), to_u64(count)))
            })
            .collect()
    }

    pub(super) async fn move_read_mark(
        &self,
        room: RoomId,
        user: UserId,
        up_to: MessageId,
    ) -> StorageResult<()> {
        move_read_mark(&self.db, room, user, up_to).await?;
        self.clear_read_missed(&[(room, user, up_to)]).await
    }

    /// Moves many read marks with one statement per `MARKS_PER_STATEMENT`: the write lock
    /// is held for one statement, not one round trip per mark, so a message being stored
    /// meanwhile barely waits. Marks must be unique per (room, user); the caller merges.
    pub(super) async fn move_read_marks(
        &self,
        marks: Vec<(RoomId, UserId, MessageId)>,
    ) -> StorageResult<()> {
        let backend = self.db.get_database_backend();
        for chunk in marks.chunks(MARKS_PER_STATEMENT) {
            self.db
                .execute_raw(read_marks_statement(backend, chunk))
                .await
                .map_err(internal)?;
            // What was read is not mailed about. The public room has no memberships to
            // move, but its marks still count here.
            self.clear_read_missed(chunk).await?;
        }
        Ok(())
    }

    pub(super) async fn insert_member(&self, room: RoomId, user: UserId) -> StorageResult<()> {
        add_members(&self.db, room.0, &[user]).await
    }

    pub(super) async fn delete_member(&self, room: RoomId, user: UserId) -> StorageResult<()> {
        memberships::Entity::delete_by_id((room.0, user.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        Ok(())
    }
}
