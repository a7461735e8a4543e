//! Accounts: uniqueness in any case, lookups, recovery, paging.

use hearth::domain::{
    Bio, DisplayName, Email, NewRoom, ProfileUpdate, RoomKind, RoomName, UserId, Username,
};
use hearth::storage::admin::AccountChange;
use hearth::storage::{Conflict, Storage, StorageError};

use super::{new_user, sealed_messages, session_of, writer_and_public_room};

pub async fn accounts_are_unique_in_any_case_and_found_by_name_or_email(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let mut same_name = new_user("ANN");
    same_name.email = Email::parse("other@example.org").expect("email");
    let duplicate = storage.create_user(same_name).await;
    assert!(
        matches!(duplicate, Err(StorageError::Conflict(Conflict::Username))),
        "{duplicate:?}"
    );
    let mut clash = new_user("annie");
    clash.email = Email::parse("ANN@example.org").expect("email");
    assert!(matches!(
        storage.create_user(clash).await,
        Err(StorageError::Conflict(Conflict::Email))
    ));
    assert_eq!(storage.user_by_id(ann.id).await.expect("found"), ann);
    assert!(matches!(
        storage.user_by_id(UserId(999)).await,
        Err(StorageError::NotFound)
    ));
    let by_name = storage.credentials_by_login("ANN").await.expect("by name");
    assert_eq!(by_name.user.id, ann.id);
    let by_email = storage
        .credentials_by_login("ann@EXAMPLE.org")
        .await
        .expect("by email");
    assert_eq!(by_email.user.id, ann.id);
    assert!(matches!(
        storage.credentials_by_login("nobody").await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(storage.count_users().await.expect("count"), 1);
}

pub async fn recovery_makes_an_active_admin_and_ends_its_sessions(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    assert!(!storage.has_admin().await.expect("has admin"));
    storage
        .session_save(session_of("h1", Some(ann.id)))
        .await
        .expect("save");
    storage
        .recover_admin(ann.id, "$argon2id$new".into())
        .await
        .expect("recover");
    let recovered = storage.credentials_by_login("ann").await.expect("ann");
    assert!(recovered.user.is_admin && recovered.user.is_active);
    assert_eq!(recovered.password_hash, "$argon2id$new");
    assert!(storage.has_admin().await.expect("has admin"));
    assert!(
        matches!(
            storage.session_load("h1").await,
            Err(StorageError::NotFound)
        ),
        "recovery ends the account's sessions"
    );
    assert!(matches!(
        storage.recover_admin(UserId(999), "x".into()).await,
        Err(StorageError::NotFound)
    ));
}

/// Users page by id, with the total.
pub async fn accounts_page_by_id_with_the_total(storage: &dyn Storage) {
    for name in ["pam", "quin", "ray"] {
        storage.create_user(new_user(name)).await.expect("user");
    }
    let total = storage.count_users().await.expect("count");
    assert_eq!(total, 3);
    let (all, count) = storage.list_users(0, 1000).await.expect("all");
    assert_eq!(count, total);
    assert_eq!(all.len() as u64, total);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
    let (second, _) = storage.list_users(1, 1).await.expect("page");
    assert_eq!(second, vec![all[1].clone()]);
    let (past_end, count) = storage.list_users(total, 10).await.expect("past end");
    assert!(past_end.is_empty());
    assert_eq!(count, total);
    let found = storage.search_usernames("QU", 10).await.expect("search");
    assert_eq!(
        found
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["quin"]
    );
    assert!(
        storage
            .search_usernames("", 10)
            .await
            .expect("empty")
            .is_empty()
    );
}

/// The people directory: active accounts by username or display name, alphabetically,
/// paged with the total.
pub async fn people_are_found_by_username_or_display_name(storage: &dyn Storage) {
    for name in ["zed", "amy", "mo_x", "gone"] {
        let mut user = new_user(name);
        // Someone must stay admin for a deactivation to be allowed.
        user.is_admin = name == "amy";
        storage.create_user(user).await.expect("user");
    }
    let zed = storage
        .user_by_username(&Username::parse("zed").expect("name"))
        .await
        .expect("zed");
    let update = ProfileUpdate {
        display_name: DisplayName::parse("Amy's Twin").expect("name"),
        bio: Bio::parse("").expect("bio"),
    };
    storage
        .update_profile(zed.id, update)
        .await
        .expect("profile");
    let gone = storage
        .user_by_username(&Username::parse("gone").expect("name"))
        .await
        .expect("gone");
    storage
        .change_account(gone.id, AccountChange::Deactivate)
        .await
        .expect("deactivate");
    let names = |users: Vec<hearth::domain::User>| -> Vec<String> {
        users.into_iter().map(|u| u.username).collect()
    };
    let (all, total) = storage.find_people("", 0, 10).await.expect("all");
    assert_eq!(
        (names(all), total),
        (vec!["amy".into(), "mo_x".into(), "zed".into()], 3)
    );
    let (found, total) = storage.find_people("AMY", 0, 10).await.expect("amy");
    assert_eq!((names(found), total), (vec!["amy".into(), "zed".into()], 2));
    let (page, total) = storage.find_people("", 1, 1).await.expect("page");
    assert_eq!((names(page), total), (vec!["mo_x".into()], 3));
    let (none, total) = storage.find_people("_", 0, 10).await.expect("wildcard");
    assert_eq!(
        (names(none), total),
        (vec!["mo_x".into()], 1),
        "_ matches itself only"
    );
    let (none, _) = storage.find_people("%", 0, 10).await.expect("wildcard");
    assert!(none.is_empty());
}

/// Profile and username changes, and deletion: the last admin stays, messages outlive
/// their author, a group passes to its longest-standing remaining member.
pub async fn accounts_change_and_are_deleted_with_what_they_leave(storage: &dyn Storage) {
    let (ann, public) = writer_and_public_room(storage, "ann").await;
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let cat = storage.create_user(new_user("cat")).await.expect("cat");
    let update = ProfileUpdate {
        display_name: DisplayName::parse(" Ann Émile ").expect("name"),
        bio: Bio::parse("line one\r\nline two").expect("bio"),
    };
    let updated = storage
        .update_profile(ann.id, update)
        .await
        .expect("profile");
    assert_eq!(
        (updated.display_name.as_str(), updated.bio.as_str()),
        ("Ann Émile", "line one\nline two")
    );
    let renamed = storage
        .change_username(ann.id, &Username::parse("anna").expect("name"))
        .await
        .expect("rename");
    assert_eq!(renamed.username, "anna");
    assert!(matches!(
        storage
            .change_username(ann.id, &Username::parse("BOB").expect("name"))
            .await,
        Err(StorageError::Conflict(Conflict::Username))
    ));
    assert_eq!(
        storage
            .user_by_username(&Username::parse("anna").expect("name"))
            .await
            .expect("by name"),
        renamed
    );

    let club = storage
        .create_group(
            NewRoom {
                name: RoomName::parse("club-1").expect("name"),
                title: "Club".into(),
                kind: RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![bob.id, cat.id],
        )
        .await
        .expect("group");
    let said = storage
        .append_message(sealed_messages(public.id, ann.id, "gone", 1).remove(0))
        .await
        .expect("said");
    storage
        .session_save(session_of("a1", Some(ann.id)))
        .await
        .expect("session");
    storage
        .recover_admin(bob.id, "$argon2id$bob".into())
        .await
        .expect("bob is the only admin");
    assert!(matches!(
        storage.delete_user(bob.id).await,
        Err(StorageError::Conflict(Conflict::LastAdmin))
    ));
    assert!(storage.user_by_id(bob.id).await.is_ok(), "nothing changed");
    storage.delete_user(ann.id).await.expect("delete");
    assert!(matches!(
        storage.user_by_id(ann.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.delete_user(ann.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.session_load("a1").await,
        Err(StorageError::NotFound)
    ));
    let kept = storage
        .message_by_id(public.id, said.id)
        .await
        .expect("the message stays");
    assert_eq!(kept.author, None);
    let club = storage.room_by_id(club.id).await.expect("the group stays");
    assert!(
        club.admin == Some(bob.id) || club.admin == Some(cat.id),
        "passed to a remaining member: {:?}",
        club.admin
    );
}

pub async fn several_accounts_are_found_by_username_at_once(storage: &dyn Storage) {
    for name in ["ann", "bob"] {
        storage.create_user(new_user(name)).await.expect("user");
    }
    let wanted = ["ANN", "bob", "nobody"]
        .iter()
        .map(|n| Username::parse(n).expect("username"))
        .collect();
    let mut found: Vec<String> = storage
        .users_by_usernames(wanted)
        .await
        .expect("found")
        .into_iter()
        .map(|u| u.username)
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        ["ann", "bob"],
        "any case; the missing one is left out"
    );
    assert!(
        storage
            .users_by_usernames(Vec::new())
            .await
            .expect("none")
            .is_empty()
    );
}
