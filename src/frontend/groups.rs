//! Creating a group, the one way both entrances (the page and `POST /api/groups/`) do it.

use rand::Rng;

use crate::domain::{NewRoom, Room, RoomKind, RoomName, User, UserId};
use crate::frontend::state::AppState;
use crate::storage::{StorageError, StorageResult};

/// Letters that cannot be misread for one another.
const SUFFIX_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Creates a group titled `title` (already validated) run by `admin`, with `members`.
/// Its name is the title's slug plus a random suffix, which keeps names unique and
/// unguessable; a rare collision is retried.
pub async fn create_group(
    state: &AppState,
    admin: &User,
    title: &str,
    members: Vec<UserId>,
) -> StorageResult<Room> {
    for _ in 0..3 {
        let suffix: String = (0..8)
            .map(|_| {
                char::from(SUFFIX_ALPHABET[rand::thread_rng().gen_range(0..SUFFIX_ALPHABET.len())])
            })
            .collect();
        let new = NewRoom {
            name: RoomName::for_group(title, &suffix),
            title: title.to_owned(),
            kind: RoomKind::Group,
            admin: Some(admin.id),
        };
        match state.storage.create_group(new, members.clone()).await {
            Err(StorageError::Conflict(_)) => continue,
            other => return other,
        }
    }
    Err(StorageError::Internal(
        "no free room name after three tries".into(),
    ))
}
