//! Hearth's one integration-test binary. Every test starts the real server on 127.0.0.1:0
//! with its own data dir and talks to it over real sockets.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

/// Sign-up, log-in, log-out, sessions, password rules, rate limits.
mod accounts;
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
mod audit;
/// Real headless Chromium: two people chat live; dark mode.
mod browser;
/// Configuration, first-run keys and the `hearth` command's errors.
mod cli;
/// CSRF and Origin checks on unsafe requests.
mod csrf;
/// Email verification links, mandatory mode refusing log-in, resending the mail.
mod email_verification;
/// Message bodies never reach the database in plaintext.
mod encryption_at_rest;
/// Mail: the outbox backend, and real SMTP delivery to a local sink.
mod mail;
/// Editing and deleting messages over the WebSocket: who may, live delivery, scrubbed files.
mod message_edits;
/// Pages, headers and embedded assets.
mod pages;
/// Password reset by mailed link: same answer for any address, single use, sessions ended.
mod password_reset;
/// Profile pages and editing one's own.
mod profiles;
/// Group and private rooms: who may see, enter and write them.
mod rooms;
/// The browser-session store: revocation sticks.
mod sessions;
/// `/accounts/settings/`: password change and the sessions list.
mod settings;
/// The storage contract, run against every `Storage` implementation.
mod storage_contract;
/// Live chat over real WebSocket clients, and every refused frame.
mod websocket;
