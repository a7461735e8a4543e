//! Notification levels: the default is no row, a choice is replaced not duplicated, and a
//! missing person or room is refused.

use hearth::domain::{NewRoom, NotificationLevel, RoomId, RoomKind, RoomName, UserId};
use hearth::storage::{Storage, StorageError};

use super::new_user;

pub async fn levels_are_set_replaced_and_reset_to_the_default(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let room = storage
        .ensure_room(NewRoom {
            name: RoomName::public(),
            title: "Public chat".into(),
            kind: RoomKind::Public,
            admin: None,
        })
        .await
        .expect("room");
    assert!(
        storage
            .notification_levels(ann.id)
            .await
            .expect("none")
            .is_empty()
    );
    for level in [NotificationLevel::Everything, NotificationLevel::Nothing] {
        storage
            .set_notification_level(room.id, ann.id, level)
            .await
            .expect("set");
        assert_eq!(
            storage.notification_levels(ann.id).await.expect("levels"),
            vec![(room.id, level)]
        );
    }
    storage
        .set_notification_level(room.id, ann.id, NotificationLevel::Mentions)
        .await
        .expect("default");
    assert!(
        storage
            .notification_levels(ann.id)
            .await
            .expect("reset")
            .is_empty()
    );
    for (room, user) in [(RoomId(9_999), ann.id), (room.id, UserId(9_999))] {
        let refused = storage
            .set_notification_level(room, user, NotificationLevel::Everything)
            .await;
        assert!(
            matches!(refused, Err(StorageError::NotFound)),
            "{refused:?}"
        );
    }
}
