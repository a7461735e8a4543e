//! The storage protocol's one list of methods, sub-trait by sub-trait, from which both ends
//! are generated: [`StorageCall`](super::StorageCall) and [`dispatch`](super::dispatch) on
//! the serving side, [`Client`](super::Client)'s implementation of every sub-trait on the
//! calling side. A method added to a trait and not here fails to compile (the client would
//! not implement the trait); one whose argument or result does not serialise fails too.
//!
//! Each entry reads like the trait's method without `async` and `&self`:
//! - `fn` is answered with one value, `stream` with a stream of byte chunks;
//! - a borrowed argument names the owned type it travels as: `login: &str => String`;
//! - `| error | expr` says what the caller gets when the call fails on the way, for a
//!   method that does not return a `StorageResult` (the default is `Err(error)`).
//!
//! The types are resolved where the list is expanded, which imports this module's prelude.

pub(super) use chrono::{DateTime, NaiveDate, Utc};

pub(super) use crate::domain::{
    Email, Emoji, FileId, FileRef, MailPreferences, MessageId, NewFile, NewMessage,
    NewPushSubscription, NewRoom, NewUser, NotificationLevel, ProfileUpdate, PushSubscription,
    Reacted, Room, RoomId, RoomName, Sealed, SealedBody, StoredMessage, User, UserId, Username,
};
pub(super) use crate::storage::admin::{AccountChange, RoomStats, SiteTotals};
pub(super) use crate::storage::audit::{AuditEntry, AuditFilter, NewAuditEntry};
pub(super) use crate::storage::site::{Invite, NewInvite, RegistrationPolicy, RotationProgress};
pub(super) use crate::storage::{
    AccountTokenStore, AdminStore, AuditStore, ByteStream, Credentials, FileStore, MessageStore,
    NotificationStore, RoomStore, RoomSummary, SessionInfo, SessionRecord, SessionStore, SiteStore,
    StorageResult, TokenPurpose, TokenStore, UserStore,
};

/// Hands the list of methods to the macro `$then`.
macro_rules! storage_methods {
    ($then:ident) => {
        $then! {
            UserStore {
                fn create_user(new: NewUser) -> StorageResult<User>;
                fn user_by_id(id: UserId) -> StorageResult<User>;
                fn user_by_username(username: &Username => Username) -> StorageResult<User>;
                fn users_by_usernames(usernames: Vec<Username>) -> StorageResult<Vec<User>>;
                fn update_profile(id: UserId, update: ProfileUpdate) -> StorageResult<User>;
                fn credentials_by_login(login: &str => String) -> StorageResult<Credentials>;
                fn count_users() -> StorageResult<u64>;
                fn has_admin() -> StorageResult<bool>;
                fn recover_admin(id: UserId, password_hash: String) -> StorageResult<()>;
                fn list_users(offset: u64, limit: u64) -> StorageResult<(Vec<User>, u64)>;
                fn search_usernames(prefix: &str => String, limit: u64) -> StorageResult<Vec<User>>;
                fn find_people(
                    query: &str => String,
                    offset: u64,
                    limit: u64,
                ) -> StorageResult<(Vec<User>, u64)>;
                fn change_username(
                    id: UserId,
                    username: &Username => Username,
                ) -> StorageResult<User>;
                fn delete_user(id: UserId) -> StorageResult<()>;
            }
            RoomStore {
                fn ensure_room(new: NewRoom) -> StorageResult<Room>;
                fn room_by_name(name: &RoomName => RoomName) -> StorageResult<Room>;
                fn room_by_id(id: RoomId) -> StorageResult<Room>;
                fn create_group(new: NewRoom, members: Vec<UserId>) -> StorageResult<Room>;
                fn private_room(a: UserId, b: UserId) -> StorageResult<Room>;
                fn is_member(room: RoomId, user: UserId) -> StorageResult<bool>;
                fn rooms_of(user: UserId) -> StorageResult<Vec<RoomSummary>>;
                fn members_of(room: RoomId) -> StorageResult<Vec<User>>;
                fn rename_room(room: RoomId, title: String) -> StorageResult<Room>;
                fn set_members(room: RoomId, members: Vec<UserId>) -> StorageResult<()>;
                fn add_member(room: RoomId, user: UserId) -> StorageResult<()>;
                fn remove_member(room: RoomId, user: UserId) -> StorageResult<()>;
                fn delete_room(room: RoomId) -> StorageResult<()>;
                fn member_ids(room: RoomId) -> StorageResult<Vec<UserId>>;
                fn unread_counts(user: UserId) -> StorageResult<Vec<(RoomId, u64)>>;
                fn mark_read(room: RoomId, user: UserId, up_to: MessageId) -> StorageResult<()>;
                fn mark_read_many(marks: Vec<(RoomId, UserId, MessageId)>) -> StorageResult<()>;
            }
            MessageStore {
                fn append_message(new: NewMessage) -> StorageResult<StoredMessage>;
                fn append_messages(batch: Vec<NewMessage>) -> Vec<StorageResult<StoredMessage>>
                    | error | batch.iter().map(|_| Err(error.clone())).collect();
                fn messages_before(
                    room: RoomId,
                    before: Option<MessageId>,
                    limit: u64,
                ) -> StorageResult<Vec<StoredMessage>>;
                fn message_by_id(room: RoomId, id: MessageId) -> StorageResult<StoredMessage>;
                fn messages_after(
                    room: RoomId,
                    after: MessageId,
                    limit: u64,
                ) -> StorageResult<Vec<StoredMessage>>;
                fn edit_message(
                    room: RoomId,
                    id: MessageId,
                    author: UserId,
                    body: SealedBody,
                    mentions: Vec<UserId>,
                ) -> StorageResult<StoredMessage>;
                fn delete_message(room: RoomId, id: MessageId) -> StorageResult<()>;
                fn mentions_of(
                    user: UserId,
                    before: Option<MessageId>,
                    limit: u64,
                ) -> StorageResult<Vec<StoredMessage>>;
                fn unread_mentions(user: UserId) -> StorageResult<Vec<(RoomId, u64)>>;
                fn add_reaction(
                    room: RoomId,
                    id: MessageId,
                    user: UserId,
                    emoji: Emoji,
                ) -> StorageResult<Reacted>;
                fn remove_reaction(
                    room: RoomId,
                    id: MessageId,
                    user: UserId,
                    emoji: Emoji,
                ) -> StorageResult<Reacted>;
            }
            SessionStore {
                fn session_load(key_hash: &str => String) -> StorageResult<SessionRecord>;
                fn session_save(record: SessionRecord) -> StorageResult<()>;
                fn session_update(record: SessionRecord) -> StorageResult<()>;
                fn session_touch(
                    key_hash: &str => String,
                    expires: DateTime<Utc>,
                ) -> StorageResult<()>;
                fn session_delete(key_hash: &str => String) -> StorageResult<()>;
                fn session_purge_expired() -> StorageResult<u64>;
                fn sessions_of_user(user: UserId) -> StorageResult<Vec<SessionInfo>>;
                fn session_delete_of_user(
                    user: UserId,
                    key_hash: &str => String,
                ) -> StorageResult<()>;
                fn sessions_delete_for_user(
                    user: UserId,
                    keep: Option<&str> => Option<String>,
                ) -> StorageResult<u64>;
            }
            AccountTokenStore {
                fn account_token_create(
                    hash: &str => String,
                    user: UserId,
                    purpose: TokenPurpose,
                    expires: DateTime<Utc>,
                ) -> StorageResult<()>;
                fn account_token_peek(
                    hash: &str => String,
                    purpose: TokenPurpose,
                ) -> StorageResult<UserId>;
                fn reset_password(
                    hash: &str => String,
                    password_hash: String,
                ) -> StorageResult<UserId>;
                fn confirm_email(hash: &str => String) -> StorageResult<UserId>;
                fn change_password(
                    user: UserId,
                    password_hash: String,
                    keep: Option<&str> => Option<String>,
                ) -> StorageResult<()>;
                fn change_email(user: UserId, email: &Email => Email) -> StorageResult<User>;
                fn email_change_request(
                    hash: &str => String,
                    user: UserId,
                    email: &Email => Email,
                    expires: DateTime<Utc>,
                ) -> StorageResult<()>;
                fn email_change_pending(user: UserId) -> StorageResult<Option<String>>;
                fn confirm_email_change(hash: &str => String) -> StorageResult<User>;
            }
            TokenStore {
                fn token_issue(
                    jti: &str => String,
                    user: UserId,
                    expires: DateTime<Utc>,
                ) -> StorageResult<()>;
                fn token_rotate(
                    old_jti: &str => String,
                    new_jti: &str => String,
                    user: UserId,
                    new_expires: DateTime<Utc>,
                ) -> StorageResult<()>;
                fn token_revoke_all_for_user(user: UserId) -> StorageResult<u64>;
                fn token_purge_expired() -> StorageResult<u64>;
            }
            AdminStore {
                fn site_totals() -> StorageResult<SiteTotals>;
                fn messages_per_day(since: DateTime<Utc>) -> StorageResult<Vec<(NaiveDate, u64)>>;
                fn database_size() -> StorageResult<Option<u64>>;
                fn search_accounts(
                    query: &str => String,
                    offset: u64,
                    limit: u64,
                ) -> StorageResult<(Vec<User>, u64)>;
                fn change_account(user: UserId, change: AccountChange) -> StorageResult<User>;
                fn rooms_with_stats(
                    offset: u64,
                    limit: u64,
                ) -> StorageResult<(Vec<RoomStats>, u64)>;
            }
            AuditStore {
                fn audit_append(entry: NewAuditEntry) -> StorageResult<()>;
                fn audit_list(
                    filter: &AuditFilter => AuditFilter,
                    before: Option<i64>,
                    limit: u64,
                ) -> StorageResult<Vec<AuditEntry>>;
            }
            FileStore {
                fn create_file_message(
                    file: NewFile,
                    caption: SealedBody,
                ) -> StorageResult<StoredMessage>;
                fn file_by_id(room: RoomId, id: FileId) -> StorageResult<FileRef>;
                fn file_content(room: RoomId, id: FileId, thumb: bool) -> StorageResult<Sealed>;
                fn collect_file_garbage() -> StorageResult<u64>;
                fn replace_avatar(
                    user: UserId,
                    image: Vec<u8>,
                    extension: &str => String,
                ) -> StorageResult<String>;
                fn avatar_content(name: &str => String) -> StorageResult<Vec<u8>>;
                fn sealed_file_parts_count() -> StorageResult<u64>;
                fn sealed_file_parts_after(
                    after: i64,
                    limit: u64,
                ) -> StorageResult<Vec<(i64, Sealed)>>;
                fn sealed_file_part(part: i64) -> StorageResult<Sealed>;
                fn reseal_file_part(
                    part: i64,
                    old: &Sealed => Sealed,
                    new: &Sealed => Sealed,
                ) -> StorageResult<bool>;
            }
            NotificationStore {
                fn set_notification_level(
                    room: RoomId,
                    user: UserId,
                    level: NotificationLevel,
                ) -> StorageResult<()>;
                fn notification_levels(
                    user: UserId,
                ) -> StorageResult<Vec<(RoomId, NotificationLevel)>>;
                fn save_push_subscription(
                    new: NewPushSubscription,
                ) -> StorageResult<PushSubscription>;
                fn push_subscriptions(user: UserId) -> StorageResult<Vec<PushSubscription>>;
                fn remove_push_subscription(user: UserId, id: i64) -> StorageResult<()>;
                fn forget_push_endpoint(endpoint: &str => String) -> StorageResult<()>;
                fn note_missed(missed: Vec<(UserId, RoomId, MessageId)>) -> StorageResult<()>;
                fn missed_before(
                    cutoff: DateTime<Utc>,
                    limit: u64,
                ) -> StorageResult<Vec<(UserId, RoomId, MessageId)>>;
                fn forget_missed(user: UserId, messages: Vec<MessageId>) -> StorageResult<()>;
                fn mail_preferences(user: UserId) -> StorageResult<MailPreferences>;
                fn set_mail_preferences(
                    user: UserId,
                    email_missed: bool,
                    email_text: bool,
                ) -> StorageResult<()>;
                fn mark_emailed(user: UserId, at: DateTime<Utc>) -> StorageResult<()>;
            }
            SiteStore {
                fn registration_policy() -> StorageResult<RegistrationPolicy>;
                fn set_registration_policy(policy: RegistrationPolicy) -> StorageResult<()>;
                fn invite_create(new: NewInvite) -> StorageResult<Invite>;
                fn invites_list() -> StorageResult<Vec<Invite>>;
                fn invite_by_hash(token_hash: &str => String) -> StorageResult<Invite>;
                fn invite_revoke(id: i64) -> StorageResult<Invite>;
                fn create_user_with_invite(
                    token_hash: &str => String,
                    new: NewUser,
                ) -> StorageResult<User>;
                fn sealed_bodies_count() -> StorageResult<u64>;
                fn sealed_bodies_after(after: i64, limit: u64) -> StorageResult<Vec<(i64, Sealed)>>;
                fn sealed_body(id: i64) -> StorageResult<Sealed>;
                fn reseal_body(
                    id: i64,
                    old: &Sealed => Sealed,
                    new: &Sealed => Sealed,
                ) -> StorageResult<bool>;
                fn rotation_start(
                    target: &str => String,
                    source: &str => String,
                    total: u64,
                ) -> StorageResult<RotationProgress>;
                fn rotation_unfinished() -> StorageResult<Option<RotationProgress>>;
                fn rotation_latest() -> StorageResult<Option<RotationProgress>>;
                fn rotation_advance(
                    id: i64,
                    source: &str => String,
                    last_id: i64,
                    done: u64,
                ) -> StorageResult<()>;
                fn rotation_finish(id: i64) -> StorageResult<()>;
                fn supports_snapshot() -> StorageResult<bool>;
                stream snapshot() -> StorageResult<ByteStream>;
            }

        }
    };
}

pub(super) use storage_methods;
