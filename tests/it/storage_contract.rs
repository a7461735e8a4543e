//! One suite, written against `&dyn Storage`, run on every implementation.

use chrono::{Duration, Utc};
use hearth::domain::{
    Email, MessageId, NewMessage, NewRoom, NewUser, RoomKind, RoomName, Sealed, UserId, Username,
};
use hearth::storage::sql::SqlStorage;
use hearth::storage::{SessionRecord, Storage, StorageError};

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
        matches!(duplicate, Err(StorageError::Conflict("username"))),
        "{duplicate:?}"
    );
    let mut clash = new_user("annie");
    clash.email = Email::parse("ANN@example.org").expect("email");
    assert!(matches!(
        storage.create_user(clash).await,
        Err(StorageError::Conflict("email"))
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
    assert!(matches!(
        storage.session_load("h1").await,
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
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("contract.sqlite3").display()
    );
    let storage = SqlStorage::connect(&url).await.expect("connect");
    storage.migrate().await.expect("migrate");
    // The first migration seeds the public room.
    assert!(storage_room_exists(&storage).await);
    contract(&storage).await;
}

async fn storage_room_exists(storage: &dyn Storage) -> bool {
    storage.room_by_name(&RoomName::public()).await.is_ok()
}
