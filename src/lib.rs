//! Hearth: a self-hosted real-time group chat, encrypted at rest, in one process.
//!
//! The arrows point one way: `frontend` → `storage` (through the `Storage` trait only),
//! `frontend` → `hub`, `frontend` → `crypto`. `storage` never sees a key or a plaintext body.

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
