//! Hearth: a self-hosted real-time group chat, encrypted at rest, in one process.
//!
//! The layers, top to bottom; each imports only those below it:
//! 1. `startup`, `main`'s commands: build the app and its tasks.
//! 2. Entrances in `frontend` (`pages`, `api`, `ws`, `admin`): parse requests, call the service, answer; never each other.
//! 3. `frontend::service` (the chat service) over `frontend::present` (views, events, wire JSON).
//! 4. `storage` (through its traits only), `hub`, `crypto`, `rotation`, `audit`, `mail`: nothing here imports `frontend`.
//! 5. `domain`: validated types every layer shares. Storage never sees a key or a plaintext body.

pub mod audit;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod frontend;
pub mod hub;
pub mod keys;
pub mod mail;
pub mod media;
pub mod rotation;
pub mod startup;
pub mod storage;
pub mod supervise;
pub mod telemetry;
