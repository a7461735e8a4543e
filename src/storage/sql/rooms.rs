use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::entities::rooms;
use super::{SqlStorage, internal};
use crate::domain::{MessageId, NewRoom, Room, RoomId, RoomKind, RoomName, User, UserId};
use crate::storage::{RoomStore, RoomSummary, StorageError, StorageResult};

impl TryFrom<rooms::Model> for Room {
    type Error = StorageError;

    fn try_from(row: rooms::Model) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| StorageError::Internal(format!("room {}: bad {what}", row.id));
        Ok(Self {
            id: RoomId(row.id),
            name: RoomName::parse(&row.name).map_err(|_| corrupt("name"))?,
            title: row.title.clone(),
            kind: RoomKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            admin: row.admin_id.map(UserId),
            created: row.created,
        })
    }
}

/// The row a new room is inserted as, created now.
pub(super) fn new_room_row(new: NewRoom) -> rooms::ActiveModel {
    rooms::ActiveModel {
        name: Set(new.name.as_str().to_owned()),
        title: Set(new.title),
        kind: Set(new.kind.as_str().to_owned()),
        admin_id: Set(new.admin.map(|u| u.0)),
        created: Set(Utc::now()),
        ..Default::default()
    }
}

#[async_trait]
impl RoomStore for SqlStorage {
    async fn ensure_room(&self, new: NewRoom) -> StorageResult<Room> {
        let name = new.name.clone();
        rooms::Entity::insert(new_room_row(new))
            .on_conflict_do_nothing_on([rooms::Column::Name])
            .exec(&self.db)
            .await
            .map_err(internal)?;
        self.room_by_name(&name).await
    }

    async fn create_group(&self, new: NewRoom, members: Vec<UserId>) -> StorageResult<Room> {
        self.create_group_room(new, members).await
    }

    async fn private_room(&self, a: UserId, b: UserId) -> StorageResult<Room> {
        self.open_private_room(a, b).await
    }

    async fn is_member(&self, room: RoomId, user: UserId) -> StorageResult<bool> {
        self.has_membership(room, user).await
    }

    async fn rooms_of(&self, user: UserId) -> StorageResult<Vec<RoomSummary>> {
        self.member_rooms(user).await
    }

    async fn members_of(&self, room: RoomId) -> StorageResult<Vec<User>> {
        self.room_members(room).await
    }

    async fn rename_room(&self, room: RoomId, title: String) -> StorageResult<Room> {
        let updated = rooms::Entity::update_many()
            .col_expr(rooms::Column::Title, title.into())
            .filter(rooms::Column::Id.eq(room.0))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if updated.rows_affected == 0 {
            return Err(StorageError::NotFound);
        }
        rooms::Entity::find_by_id(room.0)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?
            .try_into()
    }

    async fn set_members(&self, room: RoomId, members: Vec<UserId>) -> StorageResult<()> {
        self.replace_members(room, members).await
    }

    async fn add_member(&self, room: RoomId, user: UserId) -> StorageResult<()> {
        self.insert_member(room, user).await
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> StorageResult<()> {
        self.delete_member(room, user).await
    }

    async fn delete_room(&self, room: RoomId) -> StorageResult<()> {
        // Memberships and messages go with it (ON DELETE CASCADE).
        let deleted = rooms::Entity::delete_by_id(room.0)
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if deleted.rows_affected == 0 {
            Err(StorageError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn member_ids(&self, room: RoomId) -> StorageResult<Vec<UserId>> {
        self.room_member_ids(room).await
    }

    async fn unread_counts(&self, user: UserId) -> StorageResult<Vec<(RoomId, u64)>> {
        self.unread_of(user).await
    }

    async fn mark_read(&self, room: RoomId, user: UserId, up_to: MessageId) -> StorageResult<()> {
        self.move_read_mark(room, user, up_to).await
    }

    async fn mark_read_many(&self, marks: Vec<(RoomId, UserId, MessageId)>) -> StorageResult<()> {
        self.move_read_marks(marks).await
    }

    async fn room_by_name(&self, name: &RoomName) -> StorageResult<Room> {
        rooms::Entity::find()
            .filter(rooms::Column::Name.eq(name.as_str()))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?
            .try_into()
    }

    async fn room_by_id(&self, id: RoomId) -> StorageResult<Room> {
        rooms::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(StorageError::NotFound)?
            .try_into()
    }
}
