//! Hearth's one integration-test binary. Every test starts the real server on 127.0.0.1:0
//! with its own data dir and talks to it over real sockets.

// A failed expectation in a test is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

/// Sign-up, log-in, log-out, sessions, password rules, rate limits.
mod accounts;
/// `/api/token/` and refresh: JWT obtain, rotation, every refused token, throttling, bad bodies.
mod api_tokens;
/// `/api/users/`: pagination and public fields only.
mod api_users;
/// Real headless Chromium: two people chat live; dark mode.
mod browser;
/// Configuration, first-run keys and the `hearth` command's errors.
mod cli;
/// CSRF and Origin checks on unsafe requests.
mod csrf;
/// Message bodies never reach the database in plaintext.
mod encryption_at_rest;
/// Pages, headers and embedded assets.
mod pages;
/// Profile pages and editing one's own.
mod profiles;
/// Group and private rooms: who may see, enter and write them.
mod rooms;
/// The storage contract, run against every `Storage` implementation.
mod storage_contract;
/// Live chat over real WebSocket clients, and every refused frame.
mod websocket;
