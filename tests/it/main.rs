//! Hearth's one integration-test binary. Every test starts the real server on 127.0.0.1:0
//! with its own data dir and talks to it over real sockets.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// What every module shares: `spawn_app()`, clients, sockets, and helpers by topic.
/// Test modules import from here only, never from each other.
mod helpers;

/// `/admin/backup/` and `hearth backup`: snapshots that restore.
mod admin_backup;
/// `/admin/keys/`: fingerprints, rotation under load, resume, the CLI's lock.
mod admin_keys;
/// `/admin/registration/`: sign-up policy and invite links.
mod admin_registration;
/// Module imports point one way: no circles, no import up a layer.
mod architecture;

/// Changing email (re-verified) and username, deleting one's account, "Remember me".
mod account_changes;
/// Sign-up, log-in, log-out, sessions, password rules, rate limits.
mod accounts;
/// The admin pages: 404 for everyone but admins, on every route and method.
mod admin_access;
/// The dashboard, room moderation and the audit log viewer.
mod admin_pages;
/// The admin store's rules straight against storage: never without an active admin.
mod admin_storage;
/// Admin user actions: deactivate ends every session, token and socket; refusals.
mod admin_users;
/// The API as a simplejwt + DRF client drives it: refresh when told, follow `next` links.
mod api_client;
/// `/api/groups/`: visibility, create, admin-only PUT/DELETE, refusals storing nothing.
mod api_groups;
/// The per-user API rate limit and CORS on `/api`.
mod api_limits;
/// `application/fernet` request/response encryption on `/api`.
mod api_link;
/// `/api/groups/{id}/messages/`: cursor pages, live delivery, refusals storing nothing.
mod api_messages;
/// `/api/schema/` (OpenAPI 3 from the code) and the self-contained `/api/docs/` page.
mod api_schema;
/// `/api/token/` and refresh: JWT obtain, rotation, every refused token, throttling, bad bodies.
mod api_tokens;
/// `/api/users/`: pagination and public fields only.
mod api_users;
/// The JSON WebSocket for programs, authenticated by JWT.
mod api_websocket;
/// Security events (failed log-ins, lock-outs) reach the append-only audit log.
mod audit;
/// Profile avatars: re-encoded squares, replaced files deleted, bad uploads refused.
mod avatars;
/// Real headless Chromium: two people chat live; dark mode.
mod browser;
/// Chromium: the tab title and favicon count what is unread; the bell sets a room's level.
mod browser_attention;
/// Chromium: two people react and reply, each seen live by the other.
mod browser_conversation;
/// Chromium: the emoji picker and `:shortcode` completion in the composer; `/static/emoji.json`.
mod browser_emoji;
/// Chromium: a file sent into a room shows on the other person's page.
mod browser_files;
/// Chromium: Markdown and links render, hostile input runs nothing, phone and laptop,
/// light and dark.
mod browser_formatting;
/// Chromium as a phone (mobile emulation): every area reachable, nothing sideways, 40 px
/// touch targets.
mod browser_phone;
/// Chromium: groups, live sidebar counts, a DM, edit and delete buttons.
mod browser_rooms;
/// Configuration, first-run keys and the `hearth` command's errors.
mod cli;
/// CSRF and Origin checks on unsafe requests.
mod csrf;
/// Losing access (removal, leaving, deletion) closes open sockets at once.
mod ejections;
/// Email verification links, mandatory mode refusing log-in, resending the mail.
mod email_verification;
/// Message bodies never reach the database in plaintext.
mod encryption_at_rest;
/// Files in rooms: sniffed kinds, sealed on disk, served to members only, no orphans.
mod files;
/// Messages rendered once: the same sanitised HTML in fragments, pages, history, the API.
mod formatting;
/// Older messages on scroll: keyset pages with no gap, 404/400 refusals.
mod history;
/// URLs built from input stay on this site: `next=`, API page links.
mod hostile_urls;
/// Mail: the outbox backend, and real SMTP delivery to a local sink.
mod mail;
/// Mentions: marked and told only to readers; page, API, badge; @everyone; bounds.
mod mentions;
/// Editing and deleting messages over the WebSocket: who may, live delivery, scrubbed files.
mod message_edits;
/// Methods a URL does not take: 405 with `Allow`, OPTIONS, HEAD.
mod methods;
mod missed_mail;
/// Per-room notification levels: chosen from the room, shown in the list, bad input refused.
mod notification_levels;
/// Pages, headers and embedded assets.
mod pages;
/// Password reset by mailed link: same answer for any address, single use, sessions ended.
mod password_reset;
/// The people directory: search by username or display name, paging, bad input.
mod people;
/// Profile pages and editing one's own.
mod profiles;
mod push;
/// Reactions: live for the room, one per person per emoji, refusals store nothing.
mod reactions;
/// Reading comfort: display names everywhere, a line where the unread begin.
mod reading;
/// Replies: quotes of the original everywhere, "message deleted" after, refusals.
mod replies;
/// Group and private rooms: who may see, enter and write them.
mod rooms;
/// The browser-session store: revocation sticks.
mod sessions;
/// `/accounts/settings/`: password change and the sessions list.
mod settings;
/// The storage contract per aggregate, run on SQL and on SQL behind the JSON loopback.
mod storage_contract;
/// Typing indicator and the site-wide online count.
mod typing;
/// Unread counts, read marks, live sidebar notices.
mod unread;
/// Live chat over real WebSocket clients, and every refused frame.
mod websocket;
