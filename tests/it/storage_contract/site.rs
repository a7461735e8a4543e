//! Site state: the registration policy, invites, key rotation's records and re-sealing
//! primitives, and snapshots.

use chrono::{Duration, Utc};
use futures_util::StreamExt;
use hearth::domain::Email;
use hearth::storage::site::{NewInvite, RegistrationPolicy};
use hearth::storage::{Conflict, Storage, StorageError};

use super::{new_user, sealed_messages, writer_and_public_room};

pub async fn the_registration_policy_and_invites_are_kept(storage: &dyn Storage) {
    assert_eq!(
        storage.registration_policy().await.expect("policy"),
        RegistrationPolicy::Open,
        "open until set"
    );
    storage
        .set_registration_policy(RegistrationPolicy::Invite)
        .await
        .expect("set");
    assert_eq!(
        storage.registration_policy().await.expect("policy"),
        RegistrationPolicy::Invite
    );

    let admin = storage.create_user(new_user("root")).await.expect("root");
    let invite = |hash: &str, max_uses| NewInvite {
        token_hash: hash.into(),
        created_by: admin.id,
        expires: Some(Utc::now() + Duration::days(1)),
        max_uses,
    };
    let once = storage
        .invite_create(invite("i1", Some(1)))
        .await
        .expect("invite");
    assert_eq!((once.uses, once.max_uses, once.revoked), (0, Some(1), None));
    assert!(matches!(
        storage.invite_create(invite("i1", None)).await,
        Err(StorageError::Conflict(Conflict::Invite))
    ));
    let open = storage
        .invite_create(invite("i2", None))
        .await
        .expect("invite");
    let listed = storage.invites_list().await.expect("list");
    assert_eq!(
        listed.iter().map(|i| i.id).collect::<Vec<_>>(),
        [open.id, once.id],
        "newest first"
    );
    assert_eq!(storage.invite_by_hash("i1").await.expect("by hash"), once);
    assert!(matches!(
        storage.invite_by_hash("nope").await,
        Err(StorageError::NotFound)
    ));

    let joined = storage
        .create_user_with_invite("i1", new_user("guest"))
        .await
        .expect("joined");
    assert_eq!(joined.username, "guest");
    assert_eq!(storage.invite_by_hash("i1").await.expect("i1").uses, 1);
    assert!(
        matches!(
            storage
                .create_user_with_invite("i1", new_user("late"))
                .await,
            Err(StorageError::NotFound)
        ),
        "used up"
    );
    let mut same_name = new_user("GUEST");
    same_name.email = Email::parse("someone.else@example.org").expect("email");
    let refused = storage.create_user_with_invite("i2", same_name).await;
    assert!(
        matches!(refused, Err(StorageError::Conflict(Conflict::Username))),
        "the account's own conflicts: {refused:?}"
    );
    assert_eq!(
        storage.invite_by_hash("i2").await.expect("i2").uses,
        0,
        "a refused account does not spend a use"
    );
    let revoked = storage.invite_revoke(open.id).await.expect("revoke");
    assert!(revoked.revoked.is_some());
    assert!(matches!(
        storage.invite_revoke(open.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage
            .create_user_with_invite("i2", new_user("other"))
            .await,
        Err(StorageError::NotFound)
    ));
}

/// A rotation's progress record, and the compare-and-swap on message bodies it relies on.
pub async fn a_rotation_is_recorded_once_at_a_time(storage: &dyn Storage) {
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let stored = storage
        .append_messages(sealed_messages(room.id, ann.id, "r", 3))
        .await;
    let first = stored[0].as_ref().expect("stored").id.0;
    assert_eq!(storage.sealed_bodies_count().await.expect("count"), 3);
    let bodies = storage
        .sealed_bodies_after(first, 10)
        .await
        .expect("bodies");
    assert_eq!(bodies.len(), 2, "after the first");
    let (id, sealed) = bodies[0].clone();
    assert_eq!(storage.sealed_body(id).await.expect("body"), sealed);
    let new = hearth::domain::Sealed("resealed".into());
    let stale = hearth::domain::Sealed("stale".into());
    assert!(!storage.reseal_body(id, &stale, &new).await.expect("cas"));
    assert!(storage.reseal_body(id, &sealed, &new).await.expect("cas"));
    assert_eq!(storage.sealed_body(id).await.expect("body"), new);
    assert!(matches!(
        storage.sealed_body(i64::MAX).await,
        Err(StorageError::NotFound)
    ));

    assert_eq!(storage.rotation_latest().await.expect("latest"), None);
    let started = storage
        .rotation_start("fp-new", "messages", 3)
        .await
        .expect("start");
    assert_eq!(
        (started.target.as_str(), started.done, started.finished),
        ("fp-new", 0, None)
    );
    assert!(matches!(
        storage.rotation_start("fp-other", "messages", 3).await,
        Err(StorageError::Conflict(Conflict::Rotation))
    ));
    storage
        .rotation_advance(started.id, "files", 7, 2)
        .await
        .expect("advance");
    let running = storage
        .rotation_unfinished()
        .await
        .expect("unfinished")
        .expect("one runs");
    assert_eq!(
        (running.source.as_str(), running.last_id, running.done),
        ("files", 7, 2)
    );
    storage.rotation_finish(started.id).await.expect("finish");
    assert_eq!(storage.rotation_unfinished().await.expect("none"), None);
    assert!(matches!(
        storage.rotation_finish(started.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage.rotation_advance(started.id, "files", 8, 3).await,
        Err(StorageError::NotFound)
    ));
    let latest = storage
        .rotation_latest()
        .await
        .expect("latest")
        .expect("the finished one");
    assert_eq!(latest.id, started.id);
    assert!(latest.finished.is_some());
}

/// A snapshot comes back as bytes: a whole SQLite database, holding what was written.
pub async fn a_snapshot_streams_a_whole_database(storage: &dyn Storage) {
    assert!(storage.supports_snapshot().await.expect("supports"));
    let (ann, room) = writer_and_public_room(storage, "ann").await;
    let written = storage
        .append_messages(sealed_messages(room.id, ann.id, "snap", 50))
        .await;
    assert!(written.iter().all(Result::is_ok));
    let mut chunks = storage.snapshot().await.expect("snapshot");
    let mut copy = Vec::new();
    while let Some(chunk) = chunks.next().await {
        copy.extend_from_slice(&chunk.expect("chunk"));
    }
    assert!(copy.starts_with(b"SQLite format 3\0"), "a database file");
    let needle = b"sealed-snap49";
    assert!(
        copy.windows(needle.len()).any(|w| w == needle),
        "the last message written is in it"
    );
}
