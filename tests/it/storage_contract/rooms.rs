//! Rooms and memberships: the public room, groups, private rooms, read marks.

use std::sync::Arc;

use hearth::domain::{MessageId, NewMessage, NewRoom, RoomId, RoomKind, RoomName, UserId};
use hearth::storage::{Storage, StorageError};

use super::{body, new_user, sealed_messages};

fn group(name: &str, admin: UserId) -> NewRoom {
    NewRoom {
        name: RoomName::parse(name).expect("name"),
        title: "Club".into(),
        kind: RoomKind::Group,
        admin: Some(admin),
    }
}

pub async fn ensuring_a_room_is_idempotent_and_lookups_miss_cleanly(storage: &dyn Storage) {
    let spec = NewRoom {
        name: RoomName::public(),
        title: "Public".into(),
        kind: RoomKind::Public,
        admin: None,
    };
    let room = storage.ensure_room(spec.clone()).await.expect("room");
    assert_eq!(storage.ensure_room(spec).await.expect("again").id, room.id);
    let missing = RoomName::parse("missing").expect("name");
    assert!(matches!(
        storage.room_by_name(&missing).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(storage.room_by_id(room.id).await.expect("by id"), room);
    assert_eq!(
        storage.room_by_name(&room.name).await.expect("by name"),
        room
    );
    assert!(matches!(
        storage.room_by_id(RoomId(i64::MAX)).await,
        Err(StorageError::NotFound)
    ));
}

pub async fn group_and_private_rooms_are_made_atomically_and_once(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let public = storage
        .room_by_name(&RoomName::public())
        .await
        .expect("public");
    let club = storage
        .create_group(group("club-x1", ann.id), vec![bob.id, ann.id])
        .await
        .expect("group");
    assert!(storage.is_member(club.id, ann.id).await.expect("ann"));
    assert!(storage.is_member(club.id, bob.id).await.expect("bob"));
    assert!(matches!(
        storage.create_group(group("club-x1", ann.id), vec![]).await,
        Err(StorageError::Conflict(_))
    ));
    let ghost = storage
        .create_group(group("ghosts", ann.id), vec![UserId(4242)])
        .await;
    assert!(matches!(ghost, Err(StorageError::NotFound)), "{ghost:?}");
    assert!(
        matches!(
            storage
                .room_by_name(&RoomName::parse("ghosts").expect("name"))
                .await,
            Err(StorageError::NotFound)
        ),
        "a failed group leaves no room behind"
    );
    let dm = storage.private_room(ann.id, bob.id).await.expect("dm");
    let again = storage.private_room(bob.id, ann.id).await.expect("again");
    assert_eq!(again.id, dm.id);
    assert_eq!(dm.kind, RoomKind::Private);
    assert!(matches!(
        storage.private_room(ann.id, UserId(4242)).await,
        Err(StorageError::NotFound)
    ));
    storage
        .append_message(NewMessage {
            room: club.id,
            author: bob.id,
            body: body("s", 1),
            reply_to: None,
            mentions: Vec::new(),
        })
        .await
        .expect("append");
    let listed = storage.rooms_of(bob.id).await.expect("rooms");
    assert_eq!(
        listed.iter().map(|r| r.room.id).collect::<Vec<_>>(),
        vec![club.id, dm.id],
        "newest activity first"
    );
    assert_eq!(listed[1].peer.as_deref(), Some("ann"));
    assert!(
        !storage.is_member(public.id, bob.id).await.expect("public"),
        "the public room has no members"
    );
}

/// Members replaced atomically (the admin kept), added and removed idempotently, the room
/// renamed and deleted with its messages.
pub async fn a_group_is_administered_atomically(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let cat = storage.create_user(new_user("cat")).await.expect("cat");
    let club = storage
        .create_group(group("club-x1", ann.id), vec![bob.id])
        .await
        .expect("group");
    let dm = storage.private_room(ann.id, bob.id).await.expect("dm");
    storage
        .set_members(club.id, vec![cat.id])
        .await
        .expect("set");
    let names: Vec<String> = storage
        .members_of(club.id)
        .await
        .expect("members")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(
        names,
        ["ann", "cat"],
        "bob replaced by cat; ann stays as admin"
    );
    let mut ids = storage.member_ids(club.id).await.expect("ids");
    ids.sort_unstable();
    assert_eq!(ids, [ann.id, cat.id]);
    assert!(matches!(
        storage.set_members(club.id, vec![UserId(4242)]).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        storage.members_of(club.id).await.expect("members").len(),
        2,
        "a failed replace changes nothing"
    );
    storage.add_member(club.id, bob.id).await.expect("add");
    storage
        .add_member(club.id, bob.id)
        .await
        .expect("add twice");
    storage
        .remove_member(club.id, cat.id)
        .await
        .expect("remove");
    storage
        .remove_member(club.id, cat.id)
        .await
        .expect("remove twice");
    assert!(!storage.is_member(club.id, cat.id).await.expect("cat"));
    assert!(matches!(
        storage.add_member(club.id, UserId(4242)).await,
        Err(StorageError::NotFound)
    ));
    let renamed = storage
        .rename_room(club.id, "Renamed".into())
        .await
        .expect("rename");
    assert_eq!(renamed.title, "Renamed");
    let posted = storage
        .append_message(NewMessage {
            room: club.id,
            author: bob.id,
            body: body("s", 1),
            reply_to: None,
            mentions: Vec::new(),
        })
        .await
        .expect("append");
    assert!(
        matches!(
            storage.message_by_id(dm.id, posted.id).await,
            Err(StorageError::NotFound)
        ),
        "wrong room"
    );
    storage.delete_room(club.id).await.expect("delete");
    assert!(matches!(
        storage.delete_room(club.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(storage.members_of(club.id).await.expect("gone").is_empty());
    assert!(matches!(
        storage.message_by_id(club.id, posted.id).await,
        Err(StorageError::NotFound)
    ));
}

/// Batched read marks: each moves its own membership up, never back, and a mark for a
/// non-member changes nothing.
pub async fn batched_read_marks_move_up_never_back_and_only_for_members(storage: Arc<dyn Storage>) {
    let ann = storage.create_user(new_user("marker")).await.expect("ann");
    let bob = storage.create_user(new_user("reader")).await.expect("bob");
    let eve = storage
        .create_user(new_user("outsider"))
        .await
        .expect("eve");
    let club = storage
        .create_group(group("marks-1", ann.id), vec![ann.id, bob.id])
        .await
        .expect("group");
    // Eve is a member elsewhere: her mark in the club, where she is not, must not land on
    // that other membership.
    let side = storage
        .create_group(group("marks-2", ann.id), vec![ann.id, eve.id])
        .await
        .expect("side group");
    let posted: Vec<_> = storage
        .append_messages(sealed_messages(club.id, ann.id, "m", 10))
        .await
        .into_iter()
        .map(|m| m.expect("stored").id)
        .collect();
    let on_side = storage
        .append_messages(sealed_messages(side.id, ann.id, "s", 4))
        .await;
    assert!(on_side.iter().all(Result::is_ok));
    let unread = |user: UserId, room: RoomId| {
        let storage = Arc::clone(&storage);
        async move {
            storage
                .unread_counts(user)
                .await
                .expect("counts")
                .into_iter()
                .find(|(counted, _)| *counted == room)
                .map_or(0, |(_, n)| n)
        }
    };
    assert_eq!(unread(bob.id, club.id).await, 10);
    assert_eq!(unread(eve.id, side.id).await, 4);
    let far_ahead = MessageId(posted[9].0 + 1_000);
    storage
        .mark_read_many(vec![
            (club.id, bob.id, posted[6]),
            (club.id, eve.id, far_ahead),
        ])
        .await
        .expect("marks");
    assert_eq!(
        unread(bob.id, club.id).await,
        3,
        "bob read up to the seventh"
    );
    assert_eq!(
        unread(eve.id, side.id).await,
        4,
        "a mark for a room eve is not in moves none of her marks"
    );
    storage
        .mark_read_many(vec![(club.id, bob.id, posted[2])])
        .await
        .expect("an older mark");
    assert_eq!(unread(bob.id, club.id).await, 3, "a mark never moves back");
    storage
        .mark_read(club.id, bob.id, posted[8])
        .await
        .expect("one mark");
    assert_eq!(unread(bob.id, club.id).await, 1);
}
