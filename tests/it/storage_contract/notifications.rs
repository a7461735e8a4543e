//! Notification levels: the default is no row, a choice is replaced not duplicated, and a
//! missing person or room is refused.

use hearth::domain::{
    NewPushSubscription, NewRoom, NotificationLevel, RoomId, RoomKind, RoomName, UserId,
};
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

fn device(user: UserId, endpoint: &str, auth: &str) -> NewPushSubscription {
    NewPushSubscription {
        user,
        endpoint: endpoint.into(),
        p256dh: "BPublicKey".into(),
        auth: auth.into(),
        device: "Firefox on Linux".into(),
    }
}

pub async fn push_devices_are_kept_per_endpoint_listed_and_removed_by_their_owner(
    storage: &dyn Storage,
) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let phone = storage
        .save_push_subscription(device(ann.id, "https://push.example/1", "a1"))
        .await
        .expect("phone");
    assert_eq!(
        (phone.user, phone.endpoint.as_str(), phone.auth.as_str()),
        (ann.id, "https://push.example/1", "a1")
    );
    let laptop = storage
        .save_push_subscription(device(ann.id, "https://push.example/2", "a2"))
        .await
        .expect("laptop");
    assert_eq!(
        storage.push_subscriptions(ann.id).await.expect("list"),
        vec![phone.clone(), laptop.clone()],
        "oldest first"
    );
    // The same browser again, now signed in as Bob: the row moves, it is not doubled.
    let moved = storage
        .save_push_subscription(device(bob.id, "https://push.example/1", "b1"))
        .await
        .expect("moved");
    assert_eq!((moved.user, moved.auth.as_str()), (bob.id, "b1"));
    assert_eq!(
        storage.push_subscriptions(ann.id).await.expect("ann's"),
        vec![laptop.clone()]
    );
    // Only the owner removes a device.
    assert!(matches!(
        storage.remove_push_subscription(ann.id, moved.id).await,
        Err(StorageError::NotFound)
    ));
    storage
        .remove_push_subscription(bob.id, moved.id)
        .await
        .expect("removed");
    assert!(matches!(
        storage.remove_push_subscription(bob.id, moved.id).await,
        Err(StorageError::NotFound)
    ));
    // A push service's "gone" forgets the endpoint whoever had it; unknown ones are fine.
    storage
        .forget_push_endpoint("https://push.example/2")
        .await
        .expect("forgotten");
    storage
        .forget_push_endpoint("https://push.example/none")
        .await
        .expect("nothing to forget");
    assert!(
        storage
            .push_subscriptions(ann.id)
            .await
            .expect("none")
            .is_empty()
    );
    let refused = storage
        .save_push_subscription(device(UserId(9_999), "https://push.example/3", "x"))
        .await;
    assert!(
        matches!(refused, Err(StorageError::NotFound)),
        "{refused:?}"
    );
}
