//! Who may enter which room. Every page, partial and socket of a room asks here.

use crate::domain::{Room, RoomKind, RoomName, User};
use crate::frontend::error::AppError;
use crate::frontend::state::AppState;

/// The room called `name` when `user` may read and write it. A missing room and a room
/// `user` is not in answer the same `NotFound`, so room names do not leak.
pub async fn room_for(state: &AppState, name: &str, user: &User) -> Result<Room, AppError> {
    let name = RoomName::parse(name).map_err(|_| AppError::NotFound)?;
    let room = state.storage.room_by_name(&name).await?;
    if room.kind == RoomKind::Public || state.storage.is_member(room.id, user.id).await? {
        Ok(room)
    } else {
        Err(AppError::NotFound)
    }
}
