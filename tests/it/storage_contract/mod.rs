//! One suite, written against `&dyn Storage`, run on every implementation: the SQL one, and
//! the same behind the JSON loopback, where every argument and result crosses the storage
//! protocol as bytes. A contract is an `async fn(&dyn Storage)` (or `Arc<dyn Storage>` when
//! it spawns tasks) in its aggregate's file, listed once in [`contracts!`] below.

mod admin;
mod files;
mod messages;
mod notifications;
mod reactions;
mod rooms;
mod sessions;
mod site;
mod sqlite;
mod tokens;
mod users;

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use hearth::domain::{
    Email, NewMessage, NewUser, Room, RoomId, RoomName, Sealed, SealedBody, User, UserId, Username,
};
use hearth::storage::loopback::{Loopback, loopback};
use hearth::storage::{SessionRecord, Storage};

use crate::helpers::migrated_storage;

/// The SQL implementation on a fresh, migrated database in `dir`, with its files there too.
async fn sql(dir: &Path) -> Arc<dyn Storage> {
    let storage = migrated_storage(dir)
        .await
        .with_data_dir(dir)
        .await
        .expect("data dir");
    Arc::new(storage)
}

/// The SQL implementation behind the JSON loopback.
async fn over_loopback(dir: &Path) -> Arc<Loopback> {
    Arc::new(loopback(sql(dir).await))
}

/// Defines, for each listed contract, one test on SQL and one over the loopback (which
/// also checks that the calls did cross it). `&` marks a contract taking `&dyn Storage`,
/// `Arc` one taking `Arc<dyn Storage>`.
macro_rules! contracts {
    ($( $how:tt $aggregate:ident :: $contract:ident ),* $(,)?) => {
        mod on_sql {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $contract() {
                    let dir = tempfile::tempdir().expect("dir");
                    let storage = super::sql(dir.path()).await;
                    contracts!(@run $how super::$aggregate::$contract, storage);
                }
            )*
        }

        mod over_loopback {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $contract() {
                    let dir = tempfile::tempdir().expect("dir");
                    let wire = super::over_loopback(dir.path()).await;
                    let storage: std::sync::Arc<dyn hearth::storage::Storage> = wire.clone();
                    contracts!(@run $how super::$aggregate::$contract, storage);
                    assert!(wire.transport().calls() > 0, "the calls crossed the loopback");
                }
            )*
        }
    };
    (@run & $contract:path, $storage:ident) => { $contract($storage.as_ref()).await };
    (@run Arc $contract:path, $storage:ident) => { $contract($storage).await };
}

contracts! {
    & users::accounts_are_unique_in_any_case_and_found_by_name_or_email,
    & users::recovery_makes_an_active_admin_and_ends_its_sessions,
    & users::accounts_page_by_id_with_the_total,
    & users::people_are_found_by_username_or_display_name,
    & notifications::levels_are_set_replaced_and_reset_to_the_default,
    & notifications::push_devices_are_kept_per_endpoint_listed_and_removed_by_their_owner,
    & notifications::missed_messages_are_noted_until_read_or_forgotten,
    & notifications::a_message_already_read_in_a_group_is_not_noted,
    & notifications::mail_preferences_default_on_without_words_and_keep_the_last_mail,
    & users::accounts_change_and_are_deleted_with_what_they_leave,
    & users::several_accounts_are_found_by_username_at_once,
    & rooms::ensuring_a_room_is_idempotent_and_lookups_miss_cleanly,
    & rooms::group_and_private_rooms_are_made_atomically_and_once,
    & rooms::a_group_is_administered_atomically,
    Arc rooms::batched_read_marks_move_up_never_back_and_only_for_members,
    & messages::pages_run_both_ways_and_an_unknown_room_is_refused,
    & messages::only_the_author_edits_and_a_deleted_message_is_gone,
    & messages::a_batch_of_appends_answers_in_order_and_a_bad_one_fails_alone,
    & messages::a_reply_carries_its_original_until_the_original_goes,
    & messages::mentions_are_kept_with_their_message_and_listed_per_reader,
    Arc messages::concurrent_appends_each_get_their_own_row,
    & reactions::one_reaction_per_person_and_emoji_in_the_order_first_used,
    & reactions::reactions_refuse_other_rooms_and_a_kind_past_the_bound,
    & sessions::sessions_are_saved_loaded_touched_expired_and_deleted,
    & sessions::sessions_are_listed_and_deleted_per_user,
    & tokens::account_tokens_are_single_use_and_checked,
    & tokens::refresh_tokens_rotate_once_and_revoke_per_user,
    & tokens::an_email_change_is_confirmed_once_and_refused_when_taken,
    & files::a_file_message_keeps_its_file_and_thumbnail,
    & files::an_avatar_is_replaced_and_read_back,
    & site::the_registration_policy_and_invites_are_kept,
    & site::a_rotation_is_recorded_once_at_a_time,
    & admin::site_counts_and_room_stats_add_up,
    & admin::the_audit_log_lists_newest_first_and_filters,
    & site::a_snapshot_streams_a_whole_database,
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: Username::parse(name).expect("username"),
        email: Email::parse(&format!("{name}@example.org")).expect("email"),
        password_hash: "$argon2id$placeholder".into(),
        is_admin: false,
    }
}

/// A live session of `user` with this key hash.
fn session_of(key_hash: &str, user: Option<UserId>) -> SessionRecord {
    SessionRecord {
        key_hash: key_hash.into(),
        user,
        state: "{}".into(),
        expires: Utc::now() + Duration::hours(1),
        user_agent: format!("agent {key_hash}"),
        ip: "127.0.0.1".into(),
    }
}

/// A sealed body as the frontend would hand it over: storage keeps both parts as given.
fn body(sealed: impl Into<String>, format: u16) -> SealedBody {
    SealedBody {
        sealed: Sealed(sealed.into()),
        format,
    }
}

/// `count` new messages by `author` in `room`, with bodies `sealed-{tag}{n}` (format 0).
fn sealed_messages(room: RoomId, author: UserId, tag: &str, count: usize) -> Vec<NewMessage> {
    (0..count)
        .map(|n| NewMessage {
            room,
            author,
            body: body(format!("sealed-{tag}{n}"), 0),
            reply_to: None,
            mentions: Vec::new(),
        })
        .collect()
}

/// A new account `name` and the public room (the first migration seeds it), where it
/// may write.
async fn writer_and_public_room(storage: &dyn Storage, name: &str) -> (User, Room) {
    let user = storage.create_user(new_user(name)).await.expect("user");
    let room = storage
        .room_by_name(&RoomName::public())
        .await
        .expect("the public room exists");
    (user, room)
}
