//! Single-use account tokens (password reset, email confirmation) and API refresh tokens:
//! spent once, purpose and expiry checked, nothing changed on refusal.

use chrono::{Duration, Utc};
use hearth::domain::{Email, UserId};
use hearth::storage::{Conflict, Storage, StorageError, TokenPurpose};

use super::{new_user, session_of};

pub async fn account_tokens_are_single_use_and_checked(storage: &dyn Storage) {
    let vic = storage.create_user(new_user("vic")).await.expect("vic");
    let wes = storage.create_user(new_user("wes")).await.expect("wes");
    let later = Utc::now() + Duration::hours(1);
    for (key, user) in [("v1", vic.id), ("w1", wes.id)] {
        storage
            .session_save(session_of(key, Some(user)))
            .await
            .expect("save");
    }

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
        .session_save(session_of("v4", Some(vic.id)))
        .await
        .expect("save");
    storage
        .session_save(session_of("v5", Some(vic.id)))
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
pub async fn refresh_tokens_rotate_once_and_revoke_per_user(storage: &dyn Storage) {
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

/// Email changes: at once (unverified) or by a mailed link (verified), never to an address
/// someone else has, and only the newest link works.
pub async fn an_email_change_is_confirmed_once_and_refused_when_taken(storage: &dyn Storage) {
    let vic = storage.create_user(new_user("vic")).await.expect("vic");
    storage.create_user(new_user("wes")).await.expect("wes");
    let later = Utc::now() + Duration::hours(1);
    let taken = Email::parse("WES@example.org").expect("email");
    assert!(matches!(
        storage.change_email(vic.id, &taken).await,
        Err(StorageError::Conflict(Conflict::Email))
    ));
    assert!(matches!(
        storage
            .email_change_request("c0", vic.id, &taken, later)
            .await,
        Err(StorageError::Conflict(Conflict::Email))
    ));
    let direct = Email::parse("vic.direct@example.org").expect("email");
    let changed = storage.change_email(vic.id, &direct).await.expect("change");
    assert_eq!(changed.email, direct.as_str());
    assert!(!changed.email_verified);

    let first = Email::parse("vic.first@example.org").expect("email");
    let second = Email::parse("vic.second@example.org").expect("email");
    assert_eq!(
        storage.email_change_pending(vic.id).await.expect("none"),
        None
    );
    storage
        .email_change_request("c1", vic.id, &first, later)
        .await
        .expect("request");
    storage
        .email_change_request("c2", vic.id, &second, later)
        .await
        .expect("request again");
    assert_eq!(
        storage.email_change_pending(vic.id).await.expect("pending"),
        Some(second.as_str().to_owned())
    );
    assert!(
        matches!(
            storage.confirm_email_change("c1").await,
            Err(StorageError::NotFound)
        ),
        "only the newest link works"
    );
    let moved = storage.confirm_email_change("c2").await.expect("confirm");
    assert_eq!(moved.email, second.as_str());
    assert!(moved.email_verified);
    assert!(matches!(
        storage.confirm_email_change("c2").await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        storage
            .email_change_request("c3", UserId(999), &first, later)
            .await,
        Err(StorageError::NotFound)
    ));
}
