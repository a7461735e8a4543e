//! The browser-session store over real storage.

use std::collections::HashMap;
use std::sync::Arc;

use crate::helpers::migrated_storage;
use actix_session::storage::{SessionKey, SessionStore};
use actix_web::cookie::time::Duration;
use hearth::frontend::auth::session_store::StorageSessionStore;
use hearth::storage::Storage;

async fn store() -> (StorageSessionStore, Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = migrated_storage(dir.path()).await;
    let storage: Arc<dyn Storage> = Arc::new(storage);
    (StorageSessionStore::new(Arc::clone(&storage)), storage, dir)
}

#[tokio::test]
async fn a_session_revoked_mid_request_is_not_brought_back_by_its_save() {
    let (store, storage, _dir) = store().await;
    let user = storage
        .create_user(hearth::domain::NewUser {
            username: hearth::domain::Username::parse("ann").expect("name"),
            email: hearth::domain::Email::parse("ann@example.org").expect("email"),
            password_hash: "x".into(),
            is_admin: false,
        })
        .await
        .expect("user");
    assert_eq!(user.id.0, 1);
    let ttl = Duration::hours(1);
    let signed_in: HashMap<String, String> =
        HashMap::from([("actix_identity.user_id".to_owned(), "\"1\"".to_owned())]);
    let key = store.save(signed_in.clone(), &ttl).await.expect("save");
    assert!(store.load(&key).await.expect("load").is_some());

    // Revoked from another device while this request was still running…
    store.delete(&key).await.expect("revoke");
    // …and then the request ends and saves its changed state.
    let copy = SessionKey::try_from(key.as_ref().to_owned()).expect("key");
    let replaced = store.update(copy, signed_in, &ttl).await.expect("update");

    assert_ne!(
        replaced.as_ref(),
        key.as_ref(),
        "a new key, not the revoked one"
    );
    assert!(
        store.load(&key).await.expect("load").is_none(),
        "the revoked key stays dead"
    );
    let fresh = store.load(&replaced).await.expect("load").expect("exists");
    assert!(fresh.is_empty(), "the replacement is signed out: {fresh:?}");
}

#[tokio::test]
async fn an_existing_session_is_updated_in_place() {
    let (store, _storage, _dir) = store().await;
    let ttl = Duration::hours(1);
    let key = store.save(HashMap::new(), &ttl).await.expect("save");
    let state = HashMap::from([("k".to_owned(), "\"v\"".to_owned())]);
    let copy = SessionKey::try_from(key.as_ref().to_owned()).expect("key");
    let same = store
        .update(copy, state.clone(), &ttl)
        .await
        .expect("update");
    assert_eq!(same.as_ref(), key.as_ref());
    assert_eq!(store.load(&key).await.expect("load"), Some(state));
}
