//! Everything the test modules share, in one place: they import from here and never from
//! each other. The app, its clients and sockets are at the top; the rest is grouped by
//! what it helps with.

mod app;
mod client;
mod process;
mod socket;
mod wait;

pub mod admin;
pub mod api;
pub mod browser;
pub mod files;
pub mod mail;
pub mod push;
pub mod rooms;

pub use app::{PASSWORD, TestApp, migrated_storage, spawn_app, spawn_app_with};
pub use client::Client;
pub use process::{hearth_command, hearth_serving};
pub use socket::Socket;
pub use wait::eventually;
