//! Messages: keyset pages both ways, edits, deletes, batches and concurrent appends.

use std::sync::Arc;

use hearth::domain::{MessageId, NewMessage, RoomId, UserId};
use hearth::storage::{Storage, StorageError};

use super::{body, sealed_messages, writer_and_public_room};

pub async fn pages_run_both_ways_and_an_unknown_room_is_refused(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let mut ids = Vec::new();
    for new in sealed_messages(room.id, ann.id, "", 5) {
        let stored = storage.append_message(new).await.expect("append");
        assert_eq!(
            stored.author.as_ref().map(|a| a.username.as_str()),
            Some("ann"),
            "the author is attached"
        );
        ids.push(stored.id);
    }
    let page = |before, limit| storage.messages_before(room.id, before, limit);
    let ids_of =
        |page: Vec<hearth::domain::StoredMessage>| page.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids_of(page(None, 2).await.expect("page")), [ids[4], ids[3]]);
    assert_eq!(
        ids_of(page(Some(ids[3]), 10).await.expect("page")),
        [ids[2], ids[1], ids[0]]
    );
    let after = storage
        .messages_after(room.id, ids[1], 2)
        .await
        .expect("page");
    assert_eq!(ids_of(after), [ids[2], ids[3]]);
    assert!(
        storage
            .messages_after(room.id, MessageId(i64::MAX - 1), 5)
            .await
            .expect("empty")
            .is_empty()
    );
    let orphan = NewMessage {
        room: RoomId(4242),
        author: ann.id,
        body: body("x", 1),
        reply_to: None,
        mentions: Vec::new(),
    };
    assert!(matches!(
        storage.append_message(orphan).await,
        Err(StorageError::NotFound)
    ));
}

/// Edits: only the author's, only in its room; nothing changes on refusal. Deletes: the row
/// goes; missing or elsewhere is `NotFound`.
pub async fn only_the_author_edits_and_a_deleted_message_is_gone(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let id = storage
        .append_message(sealed_messages(room.id, ann.id, "", 1).remove(0))
        .await
        .expect("append")
        .id;
    let edited = storage
        .edit_message(room.id, id, ann.id, body("sealed-0-edited", 3), Vec::new())
        .await
        .expect("edit");
    assert_eq!(
        edited.body,
        body("sealed-0-edited", 3),
        "an edit replaces the bytes and their format"
    );
    assert!(edited.edited.is_some());
    for (in_room, id, author) in [
        (room.id, id, UserId(i64::MAX)),
        (RoomId(4242), id, ann.id),
        (room.id, MessageId(i64::MAX), ann.id),
    ] {
        assert!(matches!(
            storage
                .edit_message(in_room, id, author, body("nope", 1), Vec::new())
                .await,
            Err(StorageError::NotFound)
        ));
    }
    let unchanged = storage.message_by_id(room.id, id).await.expect("there");
    assert_eq!(unchanged.body, body("sealed-0-edited", 3));
    assert!(matches!(
        storage.delete_message(RoomId(4242), id).await,
        Err(StorageError::NotFound)
    ));
    storage.delete_message(room.id, id).await.expect("delete");
    assert!(matches!(
        storage.message_by_id(room.id, id).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.delete_message(room.id, id).await,
        Err(StorageError::NotFound)
    ));
}

/// The outbox's group commit: a batch answers one result per message, in order, and one
/// message whose room is gone fails alone while the rest are stored.
pub async fn a_batch_of_appends_answers_in_order_and_a_bad_one_fails_alone(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "batcher").await;
    let mut batch = sealed_messages(room.id, ann.id, "b", 300);
    batch[150].room = RoomId(999_999);
    let results = storage.append_messages(batch).await;
    assert_eq!(results.len(), 300);
    let mut last = None;
    for (n, result) in results.into_iter().enumerate() {
        match result {
            Ok(stored) => {
                assert_eq!(
                    stored.body.sealed.0,
                    format!("sealed-b{n}"),
                    "answer {n} is its own"
                );
                assert_eq!(stored.author.map(|a| a.username), Some("batcher".into()));
                assert!(last < Some(stored.id), "ids ascend in the order given");
                last = Some(stored.id);
            }
            Err(StorageError::NotFound) => assert_eq!(n, 150, "only the bad append fails"),
            Err(other) => panic!("append {n} failed: {other:?}"),
        }
    }
    let stored = storage
        .messages_before(room.id, None, 10_000)
        .await
        .expect("page");
    assert_eq!(stored.len(), 299, "every other message is stored");
}

/// Many writers at once: every append gets its own id and row, and one bad append among
/// them fails alone.
pub async fn concurrent_appends_each_get_their_own_row(storage: Arc<dyn Storage>) {
    let (ann, room) = writer_and_public_room(storage.as_ref(), "writer").await;
    let before = storage
        .messages_before(room.id, None, 10_000)
        .await
        .expect("page")
        .len();
    let mut tasks = Vec::new();
    for n in 0..200 {
        let storage = Arc::clone(&storage);
        let target = if n == 77 { RoomId(999_999) } else { room.id };
        tasks.push(tokio::spawn(async move {
            storage
                .append_message(NewMessage {
                    room: target,
                    author: ann.id,
                    body: body(format!("sealed-c{n}"), 1),
                    reply_to: None,
                    mentions: Vec::new(),
                })
                .await
                .map(|m| (m.id, m.body.sealed.0))
        }));
    }
    let mut ids = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Ok((id, body)) => {
                assert_eq!(
                    body,
                    format!("sealed-c{n}"),
                    "each writer gets its own row back"
                );
                ids.push(id);
            }
            Err(StorageError::NotFound) => assert_eq!(n, 77, "only the bad append fails"),
            Err(other) => panic!("append {n} failed: {other:?}"),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 199);
    let after = storage
        .messages_before(room.id, None, 10_000)
        .await
        .expect("page")
        .len();
    assert_eq!(after - before, 199, "every acknowledged append is stored");
}

pub async fn a_reply_carries_its_original_until_the_original_goes(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let original = storage
        .append_message(sealed_messages(room.id, ann.id, "o", 1).remove(0))
        .await
        .expect("original");
    let mut reply = sealed_messages(room.id, ann.id, "reply", 1).remove(0);
    reply.reply_to = Some(original.id);
    let reply = storage.append_message(reply).await.expect("reply");
    let quoted = reply.reply.expect("a reply");
    assert_eq!(quoted.id, original.id);
    let shown = quoted.original.expect("the original is there");
    assert_eq!(shown.body, original.body);
    assert_eq!(shown.author.map(|a| a.username), Some("ann".into()));

    storage
        .delete_message(room.id, original.id)
        .await
        .expect("delete");
    let after = storage
        .message_by_id(room.id, reply.id)
        .await
        .expect("reply");
    let quoted = after.reply.expect("still a reply");
    assert_eq!(quoted.id, original.id, "the reply keeps the id");
    assert!(quoted.original.is_none(), "and shows the original gone");

    // An original in another room is never shown through a reply here.
    let other = storage
        .create_group(
            hearth::domain::NewRoom {
                name: hearth::domain::RoomName::parse("elsewhere").expect("name"),
                title: "Elsewhere".into(),
                kind: hearth::domain::RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![ann.id],
        )
        .await
        .expect("group");
    let secret = storage
        .append_message(sealed_messages(other.id, ann.id, "s", 1).remove(0))
        .await
        .expect("secret");
    let mut crossed = sealed_messages(room.id, ann.id, "x", 1).remove(0);
    crossed.reply_to = Some(secret.id);
    let crossed = storage.append_message(crossed).await.expect("crossed");
    assert!(crossed.reply.expect("reply").original.is_none());
}

pub async fn mentions_are_kept_with_their_message_and_listed_per_reader(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let bob = storage
        .create_user(super::new_user("bob"))
        .await
        .expect("bob");
    let mut new = sealed_messages(room.id, ann.id, "m", 1).remove(0);
    new.mentions = vec![bob.id];
    let stored = storage.append_message(new).await.expect("append");
    assert_eq!(
        stored
            .mentions
            .iter()
            .map(|m| m.username.as_str())
            .collect::<Vec<_>>(),
        ["bob"]
    );
    let listed = storage.mentions_of(bob.id, None, 10).await.expect("list");
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), [stored.id]);
    assert!(
        storage
            .mentions_of(bob.id, Some(stored.id), 10)
            .await
            .expect("older")
            .is_empty()
    );
    assert!(
        storage
            .mentions_of(ann.id, None, 10)
            .await
            .expect("ann")
            .is_empty()
    );

    let edited = storage
        .edit_message(room.id, stored.id, ann.id, body("m-edited", 1), Vec::new())
        .await
        .expect("edit");
    assert!(
        edited.mentions.is_empty(),
        "an edit replaces who is mentioned"
    );
    assert!(
        storage
            .mentions_of(bob.id, None, 10)
            .await
            .expect("list")
            .is_empty()
    );
}
