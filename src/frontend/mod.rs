//! Everything a person or a program talks to: pages, the WebSocket, static assets.
//! Reaches persistence only through `storage::Storage`.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod backoff;
pub mod error;
pub mod layout;
pub mod limits;
pub mod methods;
pub mod origin;
pub mod pages;
pub mod present;
pub mod reach;
pub mod routes;
pub mod same_site;
pub mod security_headers;
pub mod service;
pub mod state;
pub mod ws;
