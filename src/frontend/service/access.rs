//! Who may enter which room. Every page, partial and socket of a room asks here.

use super::Chat;
use crate::domain::{Room, RoomKind, RoomName, User};
use crate::frontend::error::AppError;

impl Chat {
    /// The room called `name` when `user` may read and write it. A missing room and a
    /// room `user` is not in answer the same `NotFound`, so room names do not leak.
    pub async fn room_for(&self, name: &str, user: &User) -> Result<Room, AppError> {
        let name = RoomName::parse(name).map_err(|_| AppError::NotFound)?;
        let room = self.storage.room_by_name(&name).await?;
        if self.may_enter(&room, user).await? {
            Ok(room)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Whether `user` may read and write `room` now: everyone may the public room, members
    /// the others. Membership can end while a socket is open, so every write asks again.
    pub async fn may_enter(&self, room: &Room, user: &User) -> Result<bool, AppError> {
        Ok(room.kind == RoomKind::Public || self.storage.is_member(room.id, user.id).await?)
    }
}
