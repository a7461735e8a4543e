//! The calling end: [`Client`] implements every storage sub-trait by encoding each call,
//! sending it through a [`Transport`], and decoding the reply as the method's result.

use async_trait::async_trait;
use futures_util::StreamExt;
use futures_util::stream;
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::methods::*;
use super::{Chunk, Reply, Transport, decode};
use crate::storage::StorageError;

/// Storage at the other end of a [`Transport`].
pub struct Client<T> {
    transport: T,
}

/// An argument by name, encoded (or why it could not be).
type Arg = (&'static str, serde_json::Result<serde_json::Value>);

impl<T: Transport> Client<T> {
    pub fn new(transport: T) -> Self {
        Self { transport }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls `method` and decodes its one reply as `R`, the method's return type.
    async fn call<R, const N: usize>(
        &self,
        method: &'static str,
        args: [Arg; N],
    ) -> StorageResult<R>
    where
        R: Serialize + DeserializeOwned,
    {
        let reply = match self.transport.send(request(method, args)?).await? {
            Reply::Once(reply) => reply,
            Reply::Stream(_) => return Err(failed(method, "a stream answered a call")),
        };
        decode(&reply, self.transport.strict()).map_err(|problem| {
            // A serving end that could not even read the call answers with an error, which
            // a method that does not return a `StorageResult` cannot decode as its own.
            match serde_json::from_slice::<Result<IgnoredAny, StorageError>>(&reply) {
                Ok(Err(error)) => error,
                _ => failed(method, &problem),
            }
        })
    }

    /// Calls a streamed `method`. A stream that fails before its first chunk is the call's
    /// error, so a caller can still refuse cleanly before it starts passing chunks on.
    async fn call_stream<const N: usize>(
        &self,
        method: &'static str,
        args: [Arg; N],
    ) -> StorageResult<ByteStream> {
        let items = match self.transport.send(request(method, args)?).await? {
            Reply::Stream(items) => items,
            Reply::Once(reply) => stream::iter([Ok(reply)]).boxed(),
        };
        let strict = self.transport.strict();
        let mut chunks = items
            .map(move |item| {
                let chunk = decode::<StorageResult<Chunk>>(&item?, strict)
                    .map_err(|problem| failed(method, &problem))?;
                chunk.map(|Chunk(bytes)| bytes)
            })
            .boxed();
        match chunks.next().await {
            None => Ok(stream::empty().boxed()),
            Some(Err(error)) => Err(error),
            Some(Ok(first)) => Ok(stream::iter([Ok(first)]).chain(chunks).boxed()),
        }
    }
}

/// The encoded call: `{"method": …, "args": {…}}`.
fn request<const N: usize>(method: &'static str, args: [Arg; N]) -> StorageResult<Vec<u8>> {
    let mut named = serde_json::Map::new();
    for (name, value) in args {
        named.insert(
            name.to_owned(),
            value.map_err(|error| failed(method, &error.to_string()))?,
        );
    }
    let call = serde_json::json!({ "method": method, "args": named });
    serde_json::to_vec(&call).map_err(|error| failed(method, &error.to_string()))
}

fn failed(method: &str, problem: &str) -> StorageError {
    StorageError::Internal(format!("storage call {method}: {problem}"))
}

/// Sends the call the way its kind says: one reply, or a stream.
macro_rules! send {
    (fn, $client:expr, $method:ident, $args:expr) => {
        $client.call(stringify!($method), $args).await
    };
    (stream, $client:expr, $method:ident, $args:expr) => {
        Ok($client.call_stream(stringify!($method), $args).await)
    };
}

/// What the caller gets when the call fails on the way: `Err`, unless the entry says.
macro_rules! on_failure {
    ($error:expr) => {
        Err($error)
    };
    ($error:expr, $name:ident, $fail:expr) => {{
        let $name = $error;
        $fail
    }};
}

macro_rules! define_client {
    ($( $store:ident {
        $( $kind:tt $method:ident ( $( $arg:ident : $ty:ty $(=> $owned:ty)? ),* $(,)? )
            -> $ret:ty $(| $error:ident | $fail:expr)? ; )*
    } )*) => {
        $(
            #[async_trait]
            impl<T: Transport> $store for Client<T> {
                $(
                    async fn $method(&self, $( $arg: $ty ),*) -> $ret {
                        let args = [$( (stringify!($arg), serde_json::to_value(&$arg)) ),*];
                        match send!($kind, self, $method, args) {
                            Ok(reply) => reply,
                            Err(error) => on_failure!(error $(, $error, $fail)?),
                        }
                    }
                )*
            }
        )*
    };
}

storage_methods!(define_client);
