//! Everything a person or a program talks to: pages, the WebSocket, static assets.
//! Reaches persistence only through `storage::Storage`.

pub mod access;
pub mod admin;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backoff;
pub mod error;
pub mod groups;
pub mod limits;
pub mod messaging;
pub mod methods;
pub mod origin;
pub mod outbox;
pub mod pages;
pub mod read_marks;
pub mod routes;
pub mod same_site;
pub mod security_headers;
pub mod state;
pub mod templates;
pub mod wire;
pub mod ws;
