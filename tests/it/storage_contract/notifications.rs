//! Notification levels: the default is no row, a choice is replaced not duplicated, and a
//! missing person or room is refused.

use chrono::{Timelike, Utc};
use hearth::domain::{
    MailPreferences, MessageId, NewPushSubscription, NewRoom, NotificationLevel, RoomId, RoomKind,
    RoomName, UserId,
};
use hearth::storage::{Storage, StorageError};

use super::{new_user, sealed_messages, writer_and_public_room};

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

pub async fn missed_messages_are_noted_until_read_or_forgotten(storage: &dyn Storage) {
    let (bob, room) = writer_and_public_room(storage, "bob").await;
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let mut ids = Vec::new();
    for new in sealed_messages(room.id, bob.id, "m", 3) {
        ids.push(storage.append_message(new).await.expect("message").id);
    }
    let noted: Vec<_> = ids.iter().map(|id| (ann.id, room.id, *id)).collect();
    storage.note_missed(noted.clone()).await.expect("noted");
    storage
        .note_missed(noted[..1].to_vec())
        .await
        .expect("noted twice, kept once");
    let now = Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(storage.missed_before(now, 100).await.expect("due"), noted);
    assert_eq!(
        storage.missed_before(now, 2).await.expect("limited"),
        noted[..2]
    );
    assert!(
        storage
            .missed_before(now - chrono::Duration::hours(1), 100)
            .await
            .expect("not yet")
            .is_empty(),
        "nothing is older than an hour"
    );
    // A read mark at the second message passes the first two, in the public room too.
    storage
        .mark_read_many(vec![(room.id, ann.id, ids[1])])
        .await
        .expect("read");
    assert_eq!(
        storage.missed_before(now, 100).await.expect("left"),
        noted[2..]
    );
    storage
        .forget_missed(ann.id, vec![ids[2]])
        .await
        .expect("forgotten");
    assert!(
        storage
            .missed_before(now, 100)
            .await
            .expect("none")
            .is_empty()
    );
    // A message deleted is never mailed about; a missing message is not noted.
    storage
        .note_missed(vec![(ann.id, room.id, ids[0])])
        .await
        .expect("again");
    storage
        .delete_message(room.id, ids[0])
        .await
        .expect("deleted");
    assert!(
        storage
            .missed_before(now, 100)
            .await
            .expect("none")
            .is_empty()
    );
    assert!(
        storage
            .note_missed(vec![(ann.id, room.id, MessageId(9_999))])
            .await
            .is_err()
    );
}

pub async fn mail_preferences_default_on_without_words_and_keep_the_last_mail(
    storage: &dyn Storage,
) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    assert_eq!(
        storage.mail_preferences(ann.id).await.expect("defaults"),
        MailPreferences {
            email_missed: true,
            email_text: false,
            last_emailed: None
        }
    );
    let at = Utc::now().with_nanosecond(0).expect("whole seconds");
    storage.mark_emailed(ann.id, at).await.expect("mailed");
    storage
        .set_mail_preferences(ann.id, false, true)
        .await
        .expect("set");
    assert_eq!(
        storage.mail_preferences(ann.id).await.expect("kept"),
        MailPreferences {
            email_missed: false,
            email_text: true,
            last_emailed: Some(at)
        }
    );
    let later = at + chrono::Duration::minutes(20);
    storage
        .mark_emailed(ann.id, later)
        .await
        .expect("mailed again");
    let preferences = storage.mail_preferences(ann.id).await.expect("read");
    assert_eq!(
        (preferences.email_missed, preferences.last_emailed),
        (false, Some(later)),
        "the choices stay"
    );
    assert!(matches!(
        storage
            .set_mail_preferences(UserId(9_999), true, true)
            .await,
        Err(StorageError::NotFound)
    ));
}

pub async fn a_message_already_read_in_a_group_is_not_noted(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let club = storage
        .create_group(
            NewRoom {
                name: RoomName::parse("club-n1").expect("name"),
                title: "Club".into(),
                kind: RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![ann.id, bob.id],
        )
        .await
        .expect("group");
    let mut ids = Vec::new();
    for new in sealed_messages(club.id, ann.id, "g", 2) {
        ids.push(storage.append_message(new).await.expect("message").id);
    }
    // Bob's socket marked the first read before the note for it was taken.
    storage
        .mark_read(club.id, bob.id, ids[0])
        .await
        .expect("read");
    storage
        .note_missed(vec![(bob.id, club.id, ids[0]), (bob.id, club.id, ids[1])])
        .await
        .expect("noted");
    let now = Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(
        storage.missed_before(now, 100).await.expect("due"),
        vec![(bob.id, club.id, ids[1])],
        "only the unread one is kept"
    );
}
