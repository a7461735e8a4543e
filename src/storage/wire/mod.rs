//! The storage protocol: the [`Storage`](super::Storage) traits as calls and replies in
//! JSON, so that storage can be served across a wire. One list of methods
//! ([`methods`]) generates both ends: [`StorageCall`] and [`dispatch`] serve a call on any
//! `Storage`; [`Client`] implements `Storage` by sending calls through a [`Transport`].
//!
//! A call is `{"method": "<name>", "args": {"<argument>": …}}`. Its reply is the JSON of
//! what the method returned (`{"Ok": …}` or `{"Err": …}` for a `StorageResult`), or, for a
//! streamed method, a stream of such replies, one per chunk. Nothing in it refers to the
//! storage host's disk.

mod call;
mod client;
mod codec;
mod methods;

use async_trait::async_trait;
use futures_util::stream::BoxStream;

pub use call::{Chunk, Lend, StorageCall, dispatch};
pub use client::Client;
pub use codec::{decode, encode};

use super::StorageResult;

/// What the serving end answers a call with.
pub enum Reply {
    /// One encoded value: what the method returned.
    Once(Vec<u8>),
    /// Encoded values one after another (a streamed method's chunks), each on its own; a
    /// transport that fails half-way says so with an `Err` item.
    Stream(BoxStream<'static, StorageResult<Vec<u8>>>),
}

/// Carries encoded calls to a serving end and its replies back: HTTP for a storage
/// service, a function call for [`Loopback`](super::loopback::Loopback).
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends one encoded [`StorageCall`] and returns its reply. An `Err` is the transport's
    /// own failure; whether the call ran is then unknown.
    async fn send(&self, request: Vec<u8>) -> StorageResult<Reply>;

    /// Whether the client checks that every value it decodes encodes back to exactly what
    /// was sent, which catches a type that does not survive the trip. It costs a second
    /// encoding per value: a test harness's job, not a production link's.
    fn strict(&self) -> bool {
        false
    }
}
