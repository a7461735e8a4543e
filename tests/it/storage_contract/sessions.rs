//! Browser sessions: saved, loaded, touched, expired, updated, listed and deleted per user.

use chrono::{Duration, Utc};
use hearth::storage::{SessionRecord, Storage, StorageError};

use super::{new_user, session_of};

/// An anonymous session with key hash `h1`.
fn anonymous() -> SessionRecord {
    SessionRecord {
        user_agent: String::new(),
        ip: String::new(),
        ..session_of("h1", None)
    }
}

pub async fn sessions_are_saved_loaded_touched_expired_and_deleted(storage: &dyn Storage) {
    let ann = storage.create_user(new_user("ann")).await.expect("ann");
    let record = SessionRecord {
        user_agent: "test".into(),
        ..session_of("h1", Some(ann.id))
    };
    storage.session_save(record.clone()).await.expect("save");
    let loaded = storage.session_load("h1").await.expect("load");
    assert_eq!(
        (loaded.user, loaded.state, loaded.user_agent),
        (Some(ann.id), record.state, record.user_agent)
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
    storage.session_save(anonymous()).await.expect("save");
    storage.session_delete("h1").await.expect("delete");
    storage
        .session_delete("h1")
        .await
        .expect("deleting twice is fine");
    assert!(
        matches!(
            storage.session_update(anonymous()).await,
            Err(StorageError::NotFound)
        ),
        "update never creates"
    );
    storage.session_save(anonymous()).await.expect("save");
    let mut changed = anonymous();
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
}

/// Sessions per user: listed, one deleted only by its owner, all but one deleted.
pub async fn sessions_are_listed_and_deleted_per_user(storage: &dyn Storage) {
    let vic = storage.create_user(new_user("vic")).await.expect("vic");
    let wes = storage.create_user(new_user("wes")).await.expect("wes");
    for key in ["v1", "v2", "v3"] {
        storage
            .session_save(session_of(key, Some(vic.id)))
            .await
            .expect("save");
    }
    storage
        .session_save(session_of("w1", Some(wes.id)))
        .await
        .expect("save");
    let listed = storage.sessions_of_user(vic.id).await.expect("list");
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|s| s.key_hash.starts_with('v')));
    assert!(
        listed
            .iter()
            .all(|s| s.user_agent == format!("agent {}", s.key_hash))
    );
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
    let left = storage.sessions_of_user(vic.id).await.expect("list");
    assert_eq!(
        left.iter().map(|s| s.key_hash.as_str()).collect::<Vec<_>>(),
        ["v2"]
    );
    assert_eq!(
        storage
            .sessions_delete_for_user(wes.id, None)
            .await
            .expect("all"),
        1
    );
    assert!(
        storage
            .sessions_of_user(wes.id)
            .await
            .expect("list")
            .is_empty()
    );
}
