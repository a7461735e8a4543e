//! What the admin pages read and write: site counts, room stats, account search and
//! standing, and the append-only audit log.

use chrono::{Duration, Utc};
use hearth::domain::{NewRoom, RoomKind, RoomName};
use hearth::storage::admin::AccountChange;
use hearth::storage::audit::{AuditFilter, AuditKind, NewAuditEntry};
use hearth::storage::{Storage, StorageError};

use super::{new_user, sealed_messages, writer_and_public_room};

pub async fn site_counts_and_room_stats_add_up(storage: &dyn Storage) {
    let (ann, public) = writer_and_public_room(storage, "ann").await;
    let bob = storage.create_user(new_user("bob")).await.expect("bob");
    let club = storage
        .create_group(
            NewRoom {
                name: RoomName::parse("club-1").expect("name"),
                title: "Club".into(),
                kind: RoomKind::Group,
                admin: Some(ann.id),
            },
            vec![bob.id],
        )
        .await
        .expect("group");
    storage.private_room(ann.id, bob.id).await.expect("dm");
    let written = storage
        .append_messages(sealed_messages(public.id, ann.id, "t", 4))
        .await;
    assert!(written.iter().all(Result::is_ok));
    // Someone must stay an active admin for bob to be deactivated.
    storage
        .recover_admin(ann.id, "$argon2id$ann".into())
        .await
        .expect("ann is the admin");
    storage
        .change_account(bob.id, AccountChange::Deactivate)
        .await
        .expect("deactivate");

    let totals = storage.site_totals().await.expect("totals");
    assert_eq!(
        (
            totals.users,
            totals.active_users,
            totals.public_rooms,
            totals.group_rooms,
            totals.private_rooms,
            totals.messages
        ),
        (2, 1, 1, 1, 1, 4)
    );
    let per_day = storage
        .messages_per_day(Utc::now() - Duration::days(1))
        .await
        .expect("per day");
    assert_eq!(per_day.iter().map(|(_, n)| n).sum::<u64>(), 4);
    assert_eq!(
        per_day.last().map(|(day, _)| *day),
        Some(Utc::now().date_naive())
    );
    assert!(
        storage
            .database_size()
            .await
            .expect("size")
            .is_some_and(|n| n > 0)
    );

    let (stats, total) = storage.rooms_with_stats(0, 10).await.expect("stats");
    assert_eq!(total, 3);
    let of = |id| stats.iter().find(|s| s.room.id == id).expect("listed");
    assert_eq!((of(public.id).members, of(public.id).messages), (0, 4));
    assert_eq!((of(club.id).members, of(club.id).messages), (2, 0));
    assert_eq!(of(club.id).room, club);
    let (second, _) = storage.rooms_with_stats(1, 1).await.expect("page");
    assert_eq!(second, vec![stats[1].clone()]);

    let (found, count) = storage.search_accounts("B", 0, 10).await.expect("search");
    assert_eq!(count, 1);
    assert_eq!(found[0].id, bob.id);
    assert!(!found[0].is_active);
    let (everyone, count) = storage.search_accounts("", 0, 10).await.expect("all");
    assert_eq!((everyone.len(), count), (2, 2));
    assert!(matches!(
        storage
            .change_account(hearth::domain::UserId(999), AccountChange::Promote)
            .await,
        Err(StorageError::NotFound)
    ));
}

pub async fn the_audit_log_lists_newest_first_and_filters(storage: &dyn Storage) {
    let entry = |kind, action: &str, target: &str| NewAuditEntry {
        kind,
        action: action.into(),
        actor: None,
        actor_name: "Root".into(),
        target: target.into(),
        detail: "ünïcode detail".into(),
        ip: "192.0.2.1".into(),
    };
    let written = [
        entry(AuditKind::Admin, "user.deactivate", "bob"),
        entry(AuditKind::Security, "login.failed", "ann"),
        entry(AuditKind::Admin, "user.promote", "Cat"),
    ];
    for new in written.clone() {
        storage.audit_append(new).await.expect("append");
    }
    let all = storage
        .audit_list(&AuditFilter::default(), None, 10)
        .await
        .expect("all");
    assert_eq!(
        all.iter().map(|e| e.entry.clone()).collect::<Vec<_>>(),
        written.iter().rev().cloned().collect::<Vec<_>>(),
        "newest first, kept as written"
    );
    let older = storage
        .audit_list(&AuditFilter::default(), Some(all[0].id), 10)
        .await
        .expect("older");
    assert_eq!(older, all[1..]);
    let users = AuditFilter {
        kind: Some(AuditKind::Admin),
        action_prefix: Some("user.".into()),
        text: Some("cat".into()),
    };
    let found = storage.audit_list(&users, None, 10).await.expect("found");
    assert_eq!(
        found
            .iter()
            .map(|e| e.entry.target.as_str())
            .collect::<Vec<_>>(),
        ["Cat"]
    );
}
