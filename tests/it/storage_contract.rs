//! One suite, written against `&dyn Storage`, run on every implementation.

use crate::helpers::migrated_storage;
use chrono::{Duration, Utc};
use hearth::domain::{
    Email, MessageId, NewMessage, NewRoom, NewUser, Room, RoomId, RoomKind, RoomName, Sealed, User,
    UserId, Username,
};
use hearth::storage::{Conflict, SessionRecord, Storage, StorageError, TokenPurpose};

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: Username::parse(name).expect("username"),
        email: Email::parse(&format!("{name}@example.org")).expect("email"),
        password_hash: "$argon2id$placeholder".into(),
        is_admin: false,
    }
}

async fn contract(storage: &dyn Storage) {
    // Users: case-insensitive uniqueness on both username and email.
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
    assert_eq!(
        storage
            .credentials_by_login("ANN")
            .await
            .expect("by name")
            .user
            .id,
        ann.id
    );
    assert_eq!(
        storage
            .credentials_by_login("ann@EXAMPLE.org")
            .await
            .expect("by email")
            .user
            .id,
        ann.id
    );
    assert!(matches!(
        storage.credentials_by_login("nobody").await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(storage.count_users().await.expect("count"), 1);

    // Rooms: ensure is idempotent.
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
    assert!(matches!(
        storage.room_by_id(hearth::domain::RoomId(i64::MAX)).await,
        Err(StorageError::NotFound)
    ));

    // Messages: keyset pages both ways; authors attached; unknown room refused.
    let mut ids = Vec::new();
    for n in 0..5 {
        let stored = storage
            .append_message(NewMessage {
                room: room.id,
                author: ann.id,
                body: Sealed(format!("sealed-{n}")),
            })
            .await
            .expect("append");
        assert_eq!(
            stored.author.as_ref().map(|a| a.username.as_str()),
            Some("ann")
        );
        ids.push(stored.id);
    }
    let newest = storage
        .messages_before(room.id, None, 2)
        .await
        .expect("page");
    assert_eq!(
        newest.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3]]
    );
    let older = storage
        .messages_before(room.id, Some(ids[3]), 10)
        .await
        .expect("page");
    assert_eq!(
        older.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1], ids[0]]
    );
    let after = storage
        .messages_after(room.id, ids[1], 2)
        .await
        .expect("page");
    assert_eq!(
        after.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[2], ids[3]]
    );
    assert!(
        storage
            .messages_after(room.id, MessageId(i64::MAX - 1), 5)
            .await
            .expect("empty")
            .is_empty()
    );
    let orphan = NewMessage {
        room: hearth::domain::RoomId(4242),
        author: ann.id,
        body: Sealed("x".into()),
    };
    assert!(matches!(
        storage.append_message(orphan).await,
        Err(StorageError::NotFound)
    ));

    // Edits: only the author's, only in its room; nothing changes on refusal.
    let edited = storage
        .edit_message(room.id, ids[0], ann.id, Sealed("sealed-0-edited".into()))
        .await
        .expect("edit");
    assert_eq!(edited.body, Sealed("sealed-0-edited".into()));
    assert!(edited.edited.is_some());
    for (in_room, id, author) in [
        (room.id, ids[0], UserId(i64::MAX)),
        (hearth::domain::RoomId(4242), ids[0], ann.id),
        (room.id, MessageId(i64::MAX), ann.id),
    ] {
        assert!(matches!(
            storage
                .edit_message(in_room, id, author, Sealed("nope".into()))
                .await,
            Err(StorageError::NotFound)
        ));
    }
    let unchanged = storage.message_by_id(room.id, ids[0]).await.expect("there");
    assert_eq!(unchanged.body, Sealed("sealed-0-edited".into()));
    // Deletes: the row goes; missing or elsewhere is NotFound.
    assert!(matches!(
        storage
            .delete_message(hearth::domain::RoomId(4242), ids[0])
            .await,
        Err(StorageError::NotFound)
    ));
    storage
        .delete_message(room.id, ids[0])
        .await
        .expect("delete");
    assert!(matches!(
        storage.message_by_id(room.id, ids[0]).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.delete_message(room.id, ids[0]).await,
        Err(StorageError::NotFound)
    ));

    // Sessions: save, load, touch, expire, delete.
    let record = SessionRecord {
        key_hash: "h1".into(),
        user: Some(ann.id),
        state: "{}".into(),
        expires: Utc::now() + Duration::hours(1),
        user_agent: "test".into(),
        ip: "127.0.0.1".into(),
    };
    storage.session_save(record.clone()).await.expect("save");
    assert_eq!(
        storage.session_load("h1").await.expect("load").user,
        Some(ann.id)
    );
    storage
        .session_touch("h1", Utc::now() - Duration::seconds(1))
        .await
        .expect("touch");
    assert!(
        matches!(
            storage.session_load("h1").await,
            Err(StorageError::NotFound)
        ),
        "expired is gone"
    );
    assert_eq!(storage.session_purge_expired().await.expect("purge"), 1);
    assert!(
        matches!(
            storage.session_touch("h1", Utc::now()).await,
            Err(StorageError::NotFound)
        ),
        "purged for good"
    );
    assert!(matches!(
        storage.session_touch("nope", Utc::now()).await,
        Err(StorageError::NotFound)
    ));
    storage.session_save(record).await.expect("save again");
    storage
        .recover_admin(ann.id, "$argon2id$new".into())
        .await
        .expect("recover");
    let recovered = storage.credentials_by_login("ann").await.expect("ann");
    assert!(recovered.user.is_admin && recovered.user.is_active);
    assert_eq!(recovered.password_hash, "$argon2id$new");
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
    storage.session_save(record_again()).await.expect("save");
    storage.session_delete("h1").await.expect("delete");
    storage
        .session_delete("h1")
        .await
        .expect("deleting twice is fine");
    assert!(
        matches!(
            storage.session_update(record_again()).await,
            Err(StorageError::NotFound)
        ),
        "update never creates"
    );
    storage.session_save(record_again()).await.expect("save");
    let mut changed = record_again();
    changed.state = "{\"k\":\"v\"}".into();
    storage.session_update(changed).await.expect("update");
    assert_eq!(
        storage.session_load("h1").await.expect("load").state,
        "{\"k\":\"v\"}"
    );
    storage.session_delete("h1").await.expect("delete");
    assert!(matches!(
        storage.session_load("h1").await,
        Err(StorageError::NotFound)
    ));

    // Group and private rooms: memberships made atomically, private rooms made once.
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let group = NewRoom {
        name: RoomName::parse("club-x1").expect("name"),
        title: "Club".into(),
        kind: RoomKind::Group,
        admin: Some(ann.id),
    };
    let club = storage
        .create_group(group.clone(), vec![bob.id, ann.id])
        .await
        .expect("group");
    assert!(storage.is_member(club.id, ann.id).await.expect("ann"));
    assert!(storage.is_member(club.id, bob.id).await.expect("bob"));
    assert!(matches!(
        storage.create_group(group, vec![]).await,
        Err(StorageError::Conflict(_))
    ));
    let mut ghost_group = NewRoom {
        name: RoomName::parse("ghosts").expect("name"),
        title: "Ghosts".into(),
        kind: RoomKind::Group,
        admin: Some(ann.id),
    };
    let ghost = storage
        .create_group(ghost_group.clone(), vec![UserId(4242)])
        .await;
    assert!(matches!(ghost, Err(StorageError::NotFound)), "{ghost:?}");
    ghost_group.admin = None;
    assert!(
        matches!(
            storage.room_by_name(&ghost_group.name).await,
            Err(StorageError::NotFound)
        ),
        "a failed group leaves no room behind"
    );
    let dm = storage.private_room(ann.id, bob.id).await.expect("dm");
    assert_eq!(
        storage
            .private_room(bob.id, ann.id)
            .await
            .expect("again")
            .id,
        dm.id
    );
    assert_eq!(dm.kind, RoomKind::Private);
    assert!(matches!(
        storage.private_room(ann.id, UserId(4242)).await,
        Err(StorageError::NotFound)
    ));
    storage
        .append_message(NewMessage {
            room: club.id,
            author: bob.id,
            body: Sealed("s".into()),
        })
        .await
        .expect("append");
    let listed = storage.rooms_of(bob.id).await.expect("rooms");
    assert_eq!(
        listed.iter().map(|r| r.room.id).collect::<Vec<_>>(),
        vec![club.id, dm.id]
    );
    assert_eq!(listed[1].peer.as_deref(), Some("ann"));
    assert!(
        !storage.is_member(room.id, bob.id).await.expect("public"),
        "the public room has no members"
    );

    // Administering a group: members replaced atomically (admin kept), renamed, deleted.
    let cat = storage.create_user(new_user("cat")).await.expect("cat");
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
    assert_eq!(
        storage
            .rename_room(club.id, "Renamed".into())
            .await
            .expect("rename")
            .title,
        "Renamed"
    );
    let club_message = storage
        .messages_before(club.id, None, 1)
        .await
        .expect("page")[0]
        .id;
    assert_eq!(
        storage
            .message_by_id(club.id, club_message)
            .await
            .expect("by id")
            .id,
        club_message
    );
    assert!(
        matches!(
            storage.message_by_id(dm.id, club_message).await,
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
        storage.message_by_id(club.id, club_message).await,
        Err(StorageError::NotFound)
    ));
}

fn record_again() -> SessionRecord {
    SessionRecord {
        key_hash: "h1".into(),
        user: None,
        state: "{}".into(),
        expires: Utc::now() + Duration::hours(1),
        user_agent: String::new(),
        ip: String::new(),
    }
}

#[tokio::test]
async fn sqlite_storage_keeps_the_contract() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path()).await;
    // The first migration seeds the public room.
    assert!(storage_room_exists(&storage).await);
    contract(&storage).await;
    token_contract(&storage).await;
    user_list_contract(&storage).await;
    account_token_contract(&storage).await;
}

fn session_of(key_hash: &str, user: UserId) -> SessionRecord {
    SessionRecord {
        key_hash: key_hash.into(),
        user: Some(user),
        state: "{}".into(),
        expires: Utc::now() + Duration::hours(1),
        user_agent: format!("agent {key_hash}"),
        ip: "127.0.0.1".into(),
    }
}

/// Account tokens (reset, email confirmation): single use, purpose and expiry checked,
/// nothing changed on refusal; sessions listed and deleted per user.
async fn account_token_contract(storage: &dyn Storage) {
    let vic = storage.create_user(new_user("vic")).await.expect("vic");
    let wes = storage.create_user(new_user("wes")).await.expect("wes");
    let later = Utc::now() + Duration::hours(1);

    // Sessions per user: listed, one deleted only by its owner, all but one deleted.
    for key in ["v1", "v2", "v3"] {
        storage
            .session_save(session_of(key, vic.id))
            .await
            .expect("save");
    }
    storage
        .session_save(session_of("w1", wes.id))
        .await
        .expect("save");
    let listed = storage.sessions_of_user(vic.id).await.expect("list");
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|s| s.key_hash.starts_with('v')));
    assert!(matches!(
        storage.session_delete_of_user(wes.id, "v1").await,
        Err(StorageError::NotFound)
    ));
    storage
        .session_delete_of_user(vic.id, "v1")
        .await
        .expect("own session");
    assert_eq!(
        storage
            .sessions_delete_for_user(vic.id, Some("v2"))
            .await
            .expect("others"),
        1
    );
    assert_eq!(
        storage.sessions_of_user(vic.id).await.expect("list").len(),
        1
    );
    assert_eq!(
        storage.sessions_of_user(wes.id).await.expect("list").len(),
        1
    );

    // Tokens: unknown user refused, duplicates refused.
    assert!(matches!(
        storage
            .account_token_create("r0", UserId(999), TokenPurpose::Reset, later)
            .await,
        Err(StorageError::NotFound)
    ));
    storage
        .account_token_create("r1", vic.id, TokenPurpose::Reset, later)
        .await
        .expect("create");
    assert!(matches!(
        storage
            .account_token_create("r1", vic.id, TokenPurpose::Reset, later)
            .await,
        Err(StorageError::Conflict(Conflict::Token))
    ));
    assert_eq!(
        storage
            .account_token_peek("r1", TokenPurpose::Reset)
            .await
            .expect("peek"),
        vic.id
    );
    assert!(matches!(
        storage
            .account_token_peek("r1", TokenPurpose::VerifyEmail)
            .await,
        Err(StorageError::NotFound)
    ));
    // A reset token cannot confirm an email.
    assert!(matches!(
        storage.confirm_email("r1").await,
        Err(StorageError::NotFound)
    ));

    // Reset: sets the hash, ends every session, once.
    assert_eq!(
        storage
            .reset_password("r1", "$argon2id$reset".into())
            .await
            .expect("reset"),
        vic.id
    );
    let after = storage.credentials_by_login("vic").await.expect("vic");
    assert_eq!(after.password_hash, "$argon2id$reset");
    assert!(
        storage
            .sessions_of_user(vic.id)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        storage.sessions_of_user(wes.id).await.expect("list").len(),
        1
    );
    assert!(matches!(
        storage.reset_password("r1", "$argon2id$again".into()).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.account_token_peek("r1", TokenPurpose::Reset).await,
        Err(StorageError::NotFound)
    ));

    // Expired tokens are refused and change nothing.
    storage
        .account_token_create(
            "r2",
            vic.id,
            TokenPurpose::Reset,
            Utc::now() - Duration::seconds(1),
        )
        .await
        .expect("create expired");
    assert!(matches!(
        storage.reset_password("r2", "$argon2id$late".into()).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        storage
            .credentials_by_login("vic")
            .await
            .expect("vic")
            .password_hash,
        "$argon2id$reset"
    );

    // Email confirmation.
    storage
        .account_token_create("e1", vic.id, TokenPurpose::VerifyEmail, later)
        .await
        .expect("create");
    assert!(
        !storage
            .user_by_id(vic.id)
            .await
            .expect("vic")
            .email_verified
    );
    assert_eq!(storage.confirm_email("e1").await.expect("confirm"), vic.id);
    assert!(
        storage
            .user_by_id(vic.id)
            .await
            .expect("vic")
            .email_verified
    );
    assert!(matches!(
        storage.confirm_email("e1").await,
        Err(StorageError::NotFound)
    ));

    // Change password: keeps one session, ends the rest; unknown account refused.
    storage
        .session_save(session_of("v4", vic.id))
        .await
        .expect("save");
    storage
        .session_save(session_of("v5", vic.id))
        .await
        .expect("save");
    storage
        .change_password(vic.id, "$argon2id$changed".into(), Some("v4"))
        .await
        .expect("change");
    let left = storage.sessions_of_user(vic.id).await.expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key_hash, "v4");
    assert_eq!(
        storage
            .credentials_by_login("vic")
            .await
            .expect("vic")
            .password_hash,
        "$argon2id$changed"
    );
    assert!(matches!(
        storage.change_password(UserId(999), "x".into(), None).await,
        Err(StorageError::NotFound)
    ));
}

/// Refresh tokens: issue, rotate once only, refuse the expired, the foreign and the
/// unknown, revoke all; deleting nothing on refusal.
async fn token_contract(storage: &dyn Storage) {
    let tom = storage.create_user(new_user("tom")).await.expect("tom");
    let other = storage.create_user(new_user("una")).await.expect("una");
    let later = Utc::now() + Duration::days(1);
    storage
        .token_issue("t1", tom.id, later)
        .await
        .expect("issue");
    assert!(matches!(
        storage.token_issue("t1", tom.id, later).await,
        Err(StorageError::Conflict(Conflict::Jti))
    ));
    assert!(matches!(
        storage.token_issue("t-ghost", UserId(999), later).await,
        Err(StorageError::NotFound)
    ));
    assert!(
        matches!(
            storage.token_rotate("t1", "t2", other.id, later).await,
            Err(StorageError::NotFound)
        ),
        "another user's token does not rotate"
    );
    storage
        .token_rotate("t1", "t2", tom.id, later)
        .await
        .expect("rotate");
    assert!(
        matches!(
            storage.token_rotate("t1", "t3", tom.id, later).await,
            Err(StorageError::NotFound)
        ),
        "a spent token does not rotate twice"
    );
    assert!(
        matches!(
            storage.token_rotate("t3", "t4", tom.id, later).await,
            Err(StorageError::NotFound)
        ),
        "the refused rotation stored nothing"
    );
    assert!(matches!(
        storage.token_rotate("nope", "t5", tom.id, later).await,
        Err(StorageError::NotFound)
    ));
    storage
        .token_issue("old", tom.id, Utc::now() - Duration::seconds(1))
        .await
        .expect("issue expired");
    assert!(
        matches!(
            storage.token_rotate("old", "t6", tom.id, later).await,
            Err(StorageError::NotFound)
        ),
        "an expired token does not rotate"
    );
    storage
        .token_issue("t7", tom.id, later)
        .await
        .expect("issue");
    storage
        .token_issue("u1", other.id, later)
        .await
        .expect("issue");
    assert_eq!(
        storage
            .token_revoke_all_for_user(tom.id)
            .await
            .expect("revoke"),
        2,
        "t2 and t7 were live"
    );
    assert_eq!(
        storage
            .token_revoke_all_for_user(tom.id)
            .await
            .expect("again"),
        0
    );
    assert!(matches!(
        storage.token_rotate("t7", "t8", tom.id, later).await,
        Err(StorageError::NotFound)
    ));
    storage
        .token_rotate("u1", "u2", other.id, later)
        .await
        .expect("another user's tokens are untouched");
    assert_eq!(
        storage.token_purge_expired().await.expect("purge"),
        1,
        "only the expired token goes, spent or live ones stay until they expire"
    );
    assert_eq!(storage.token_purge_expired().await.expect("again"), 0);
    storage
        .token_rotate("u2", "u3", other.id, later)
        .await
        .expect("a live token survives the purge");
}

/// Users page by id, with the total.
async fn user_list_contract(storage: &dyn Storage) {
    let total = storage.count_users().await.expect("count");
    let (all, count) = storage.list_users(0, 1000).await.expect("all");
    assert_eq!(count, total);
    assert_eq!(all.len() as u64, total);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
    let (second, _) = storage.list_users(1, 1).await.expect("page");
    assert_eq!(second, vec![all[1].clone()]);
    let (past_end, count) = storage.list_users(total, 10).await.expect("past end");
    assert!(past_end.is_empty());
    assert_eq!(count, total);
}

async fn storage_room_exists(storage: &dyn Storage) -> bool {
    storage.room_by_name(&RoomName::public()).await.is_ok()
}

/// Many writers at once: every append gets its own id and row, and one bad append among
/// them fails alone.
async fn concurrent_append_contract(storage: std::sync::Arc<dyn Storage>) {
    let ann = storage.create_user(new_user("writer")).await.expect("user");
    let room = storage
        .room_by_name(&RoomName::public())
        .await
        .expect("room");
    let before = storage
        .messages_before(room.id, None, 10_000)
        .await
        .expect("page")
        .len();
    let mut tasks = Vec::new();
    for n in 0..200 {
        let storage = std::sync::Arc::clone(&storage);
        let target = if n == 77 {
            hearth::domain::RoomId(999_999)
        } else {
            room.id
        };
        tasks.push(tokio::spawn(async move {
            storage
                .append_message(NewMessage {
                    room: target,
                    author: ann.id,
                    body: Sealed(format!("sealed-c{n}")),
                })
                .await
                .map(|m| (m.id, m.body.0))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_storage_commits_concurrent_appends() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path()).await;
    concurrent_append_contract(std::sync::Arc::new(storage)).await;
}

/// `count` new messages by `author` in `room`, with bodies `sealed-{tag}{n}`.
fn sealed_messages(room: RoomId, author: UserId, tag: &str, count: usize) -> Vec<NewMessage> {
    (0..count)
        .map(|n| NewMessage {
            room,
            author,
            body: Sealed(format!("sealed-{tag}{n}")),
        })
        .collect()
}

/// A new account `name` and the public room, where it may write.
async fn writer_and_public_room(storage: &dyn Storage, name: &str) -> (User, Room) {
    let user = storage.create_user(new_user(name)).await.expect("user");
    let room = storage
        .room_by_name(&RoomName::public())
        .await
        .expect("room");
    (user, room)
}

/// The outbox's group commit: a batch answers one result per message, in order, and one
/// message whose room is gone fails alone while the rest are stored.
#[tokio::test]
async fn a_batch_of_appends_answers_in_order_and_a_bad_one_fails_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let storage: std::sync::Arc<dyn Storage> =
        std::sync::Arc::new(migrated_storage(dir.path()).await);
    let (ann, room) = writer_and_public_room(storage.as_ref(), "batcher").await;
    let mut batch = sealed_messages(room.id, ann.id, "b", 300);
    batch[150].room = RoomId(999_999);
    let results = storage.append_messages(batch).await;
    assert_eq!(results.len(), 300);
    let mut last = None;
    for (n, result) in results.into_iter().enumerate() {
        match result {
            Ok(stored) => {
                assert_eq!(
                    stored.body.0,
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

/// Batched read marks: each moves its own membership up, never back, and a mark for a
/// non-member changes nothing.
#[tokio::test]
async fn batched_read_marks_move_up_never_back_and_only_for_members() {
    let dir = tempfile::tempdir().expect("dir");
    let storage: std::sync::Arc<dyn Storage> =
        std::sync::Arc::new(migrated_storage(dir.path()).await);
    let ann = storage.create_user(new_user("marker")).await.expect("ann");
    let bob = storage.create_user(new_user("reader")).await.expect("bob");
    let eve = storage
        .create_user(new_user("outsider"))
        .await
        .expect("eve");
    let club = storage
        .create_group(
            NewRoom {
                name: RoomName::parse("marks-1").expect("name"),
                title: "Marks".into(),
                kind: RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![ann.id, bob.id],
        )
        .await
        .expect("group");
    // Eve is a member elsewhere: her mark in the club, where she is not, must not land on
    // that other membership.
    let side = storage
        .create_group(
            NewRoom {
                name: RoomName::parse("marks-2").expect("name"),
                title: "Side".into(),
                kind: RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![ann.id, eve.id],
        )
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
        let storage = std::sync::Arc::clone(&storage);
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
}

/// Commits never checkpoint (`wal_autocheckpoint=0`); a storage with a data dir
/// checkpoints in the background, so the database file alone soon holds what was written.
#[tokio::test]
async fn the_background_checkpoint_moves_commits_into_the_database_file() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path())
        .await
        .with_data_dir(dir.path())
        .await
        .expect("data dir");
    let storage: std::sync::Arc<dyn Storage> = std::sync::Arc::new(storage);
    let (ann, room) = writer_and_public_room(storage.as_ref(), "checkpointed").await;
    let written = storage
        .append_messages(sealed_messages(room.id, ann.id, "w", 20))
        .await;
    assert!(written.iter().all(Result::is_ok));
    // The database file on its own, without its WAL: what a checkpoint has copied in.
    let copy = tempfile::tempdir().expect("copy dir");
    let mut found = 0;
    for _ in 0..50 {
        std::fs::copy(
            dir.path().join("db.sqlite3"),
            copy.path().join("db.sqlite3"),
        )
        .expect("copy the database file");
        for leftover in ["db.sqlite3-wal", "db.sqlite3-shm"] {
            let _ = std::fs::remove_file(copy.path().join(leftover));
        }
        let copied: std::sync::Arc<dyn Storage> =
            std::sync::Arc::new(migrated_storage(copy.path()).await);
        found = copied
            .messages_before(room.id, None, 100)
            .await
            .expect("read the copy")
            .len();
        drop(copied);
        if found == 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        found, 20,
        "a checkpoint copied the messages into the database file"
    );
}
