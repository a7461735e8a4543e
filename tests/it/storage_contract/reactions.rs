//! `add_reaction` / `remove_reaction`: one per person per emoji, a bound on kinds, pages
//! carry them, and they go with their message or their person.

use hearth::domain::{Emoji, MAX_REACTION_KINDS, MessageId, RoomId};
use hearth::storage::{Conflict, Storage, StorageError};

use super::{new_user, sealed_messages, writer_and_public_room};

fn emoji(e: &str) -> Emoji {
    Emoji::parse(e).expect("an emoji")
}

pub async fn one_reaction_per_person_and_emoji_in_the_order_first_used(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let id = storage
        .append_message(sealed_messages(room.id, ann.id, "r", 1).remove(0))
        .await
        .expect("append")
        .id;

    let first = storage
        .add_reaction(room.id, id, bob.id, emoji("🎉"))
        .await
        .expect("react");
    assert!(first.changed);
    let again = storage
        .add_reaction(room.id, id, bob.id, emoji("🎉"))
        .await
        .expect("again");
    assert!(!again.changed, "one per person per emoji");
    assert_eq!(again.reactions, first.reactions);
    storage
        .add_reaction(room.id, id, ann.id, emoji("👍"))
        .await
        .expect("ann");
    let both = storage
        .add_reaction(room.id, id, ann.id, emoji("🎉"))
        .await
        .expect("ann too");
    let summary: Vec<(String, Vec<String>)> = both
        .reactions
        .iter()
        .map(|g| {
            let people = g.people.iter().map(|p| p.username.clone()).collect();
            (g.emoji.as_str().to_owned(), people)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("🎉".to_owned(), vec!["bob".to_owned(), "ann".to_owned()]),
            ("👍".to_owned(), vec!["ann".to_owned()]),
        ]
    );

    let page = storage
        .messages_before(room.id, None, 10)
        .await
        .expect("page");
    assert_eq!(page[0].reactions, both.reactions, "pages carry reactions");

    let removed = storage
        .remove_reaction(room.id, id, bob.id, emoji("🎉"))
        .await
        .expect("remove");
    assert!(removed.changed);
    assert_eq!(removed.reactions[0].people.len(), 1);
    let gone_already = storage
        .remove_reaction(room.id, id, bob.id, emoji("🎉"))
        .await
        .expect("remove again");
    assert!(!gone_already.changed);

    storage.delete_user(ann.id).await.expect("ann leaves");
    let after = storage.message_by_id(room.id, id).await.expect("message");
    assert!(
        after.reactions.is_empty(),
        "a person's reactions go with them"
    );
}

pub async fn reactions_refuse_other_rooms_and_a_kind_past_the_bound(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let id = storage
        .append_message(sealed_messages(room.id, ann.id, "k", 1).remove(0))
        .await
        .expect("append")
        .id;
    for (in_room, message) in [(RoomId(4242), id), (room.id, MessageId(i64::MAX))] {
        assert!(matches!(
            storage
                .add_reaction(in_room, message, ann.id, emoji("👍"))
                .await,
            Err(StorageError::NotFound)
        ));
        assert!(matches!(
            storage
                .remove_reaction(in_room, message, ann.id, emoji("👍"))
                .await,
            Err(StorageError::NotFound)
        ));
    }

    let kinds: Vec<&str> = emojis::iter()
        .map(|e| e.as_str())
        .take(MAX_REACTION_KINDS + 1)
        .collect();
    for kind in &kinds[..MAX_REACTION_KINDS] {
        storage
            .add_reaction(room.id, id, ann.id, emoji(kind))
            .await
            .expect("within the bound");
    }
    let past = storage
        .add_reaction(room.id, id, ann.id, emoji(kinds[MAX_REACTION_KINDS]))
        .await;
    assert!(
        matches!(past, Err(StorageError::Conflict(Conflict::ReactionKinds))),
        "{past:?}"
    );
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let joined = storage
        .add_reaction(room.id, id, bob.id, emoji(kinds[0]))
        .await
        .expect("an existing kind can still grow");
    assert!(joined.changed);
    assert_eq!(joined.reactions.len(), MAX_REACTION_KINDS);

    storage.delete_message(room.id, id).await.expect("delete");
    assert!(matches!(
        storage
            .add_reaction(room.id, id, bob.id, emoji(kinds[0]))
            .await,
        Err(StorageError::NotFound)
    ));
}
