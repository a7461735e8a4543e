//! The admin store's rules, straight against storage: no change may leave the site
//! without an active admin.

use crate::helpers::migrated_storage;
use hearth::domain::{Email, NewUser, UserId, Username};
use hearth::storage::admin::AccountChange;
use hearth::storage::{Conflict, Storage, StorageError};

fn new_user(name: &str, is_admin: bool) -> NewUser {
    NewUser {
        username: Username::parse(name).expect("username"),
        email: Email::parse(&format!("{name}@example.org")).expect("email"),
        password_hash: "$argon2id$placeholder".into(),
        is_admin,
    }
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_deactivated_or_demoted() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path()).await;
    let storage: &dyn Storage = &storage;
    let ann = storage
        .create_user(new_user("ann", true))
        .await
        .expect("ann");
    let bob = storage
        .create_user(new_user("bob", false))
        .await
        .expect("bob");

    for change in [AccountChange::Deactivate, AccountChange::Demote] {
        let refused = storage.change_account(ann.id, change).await;
        assert!(
            matches!(refused, Err(StorageError::Conflict(Conflict::LastAdmin))),
            "{change:?}: {refused:?}"
        );
        let still = storage.user_by_id(ann.id).await.expect("ann");
        assert!(
            still.is_admin && still.is_active,
            "{change:?} changed nothing"
        );
    }
    assert!(matches!(
        storage
            .change_account(UserId(999), AccountChange::Promote)
            .await,
        Err(StorageError::NotFound)
    ));

    let promoted = storage
        .change_account(bob.id, AccountChange::Promote)
        .await
        .expect("promote");
    assert!(promoted.is_admin);
    let demoted = storage
        .change_account(ann.id, AccountChange::Demote)
        .await
        .expect("another admin remains");
    assert!(!demoted.is_admin);
    assert!(matches!(
        storage
            .change_account(bob.id, AccountChange::Deactivate)
            .await,
        Err(StorageError::Conflict(Conflict::LastAdmin))
    ));
    assert!(storage.user_by_id(bob.id).await.expect("bob").is_active);

    let (found, total) = storage.search_accounts("B", 0, 10).await.expect("search");
    assert_eq!(total, 1);
    assert_eq!(found[0].id, bob.id);
    let (_, all) = storage.search_accounts("", 0, 1).await.expect("all");
    assert_eq!(all, 2);
}

#[tokio::test]
async fn account_search_and_the_room_list_page_by_offset_with_their_totals() {
    use hearth::domain::{NewRoom, RoomKind, RoomName};
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path()).await;
    let storage: &dyn Storage = &storage;
    let mut ids = Vec::new();
    for name in ["ann", "bob", "cat"] {
        ids.push(
            storage
                .create_user(new_user(name, name == "ann"))
                .await
                .expect("user")
                .id,
        );
    }
    let (page, total) = storage.search_accounts("", 1, 1).await.expect("page");
    assert_eq!(total, 3);
    assert_eq!(page.iter().map(|u| u.id).collect::<Vec<_>>(), [ids[1]]);
    assert!(
        storage
            .search_accounts("", 3, 10)
            .await
            .expect("past")
            .0
            .is_empty()
    );

    for title in ["one", "two"] {
        storage
            .create_group(
                NewRoom {
                    name: RoomName::parse(title).expect("name"),
                    title: title.into(),
                    kind: RoomKind::Group,
                    admin: Some(ids[0]),
                },
                vec![ids[1]],
            )
            .await
            .expect("group");
    }
    // The public room exists from the start.
    let (rooms, total) = storage.rooms_with_stats(2, 5).await.expect("rooms");
    assert_eq!(total, 3);
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0].room.title, "two");
    assert_eq!((rooms[0].members, rooms[0].messages), (2, 0));
}
