//! The serving end: a call as it arrives ([`StorageCall`]: one variant per method, named
//! after it, holding its arguments as owned values) and [`dispatch`], which runs it on any
//! [`Storage`] and encodes what the method returned.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::methods::*;
use super::{Reply, encode};
use crate::storage::Storage;

/// How an argument, decoded as its owned type, is handed to a method that borrows it:
/// `&T` from `T`, `&str` from `String`, `Option<&str>` from `Option<String>`.
pub trait Lend<'a, Borrowed> {
    fn lend(&'a self) -> Borrowed;
}

impl<'a, T: 'a> Lend<'a, &'a T> for T {
    fn lend(&'a self) -> &'a T {
        self
    }
}

impl<'a> Lend<'a, &'a str> for String {
    fn lend(&'a self) -> &'a str {
        self
    }
}

impl<'a> Lend<'a, Option<&'a str>> for Option<String> {
    fn lend(&'a self) -> Option<&'a str> {
        self.as_deref()
    }
}

/// A piece of a byte stream as it crosses in JSON: base64 text, not an array of numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk(pub Bytes);

impl Serialize for Chunk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Chunk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD
            .decode(text)
            .map(|bytes| Self(bytes.into()))
            .map_err(serde::de::Error::custom)
    }
}

/// Each chunk of a streamed reply encoded on its own, as a `StorageResult<Chunk>`; a
/// stream that could not start is one `Err`.
fn encode_chunks(result: StorageResult<ByteStream>) -> BoxStream<'static, StorageResult<Vec<u8>>> {
    match result {
        Ok(chunks) => chunks.map(|chunk| Ok(encode(&chunk.map(Chunk)))).boxed(),
        Err(error) => stream::iter([Ok(encode(&StorageResult::<Chunk>::Err(error)))]).boxed(),
    }
}

/// The type an argument travels as: its own, or the owned type named after `=>`.
macro_rules! owned_type {
    ($ty:ty) => {
        $ty
    };
    ($ty:ty, $owned:ty) => {
        $owned
    };
}

/// An argument as the method takes it: moved, or lent when the method borrows it.
macro_rules! pass {
    ($arg:ident) => {
        $arg
    };
    ($arg:ident, $owned:ty) => {
        Lend::lend(&$arg)
    };
}

/// A method's result as a reply: one value, or a stream of chunks.
macro_rules! reply {
    (fn, $result:expr) => {
        Reply::Once(encode(&$result))
    };
    (stream, $result:expr) => {
        Reply::Stream(encode_chunks($result))
    };
}

macro_rules! define_calls {
    ($( $store:ident {
        $( $kind:tt $method:ident ( $( $arg:ident : $ty:ty $(=> $owned:ty)? ),* $(,)? )
            -> $ret:ty $(| $error:ident | $fail:expr)? ; )*
    } )*) => {
        /// One call of a storage method as it crosses the wire: the variant is the method's
        /// name, its fields the arguments by name. An unknown method or argument is refused.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "method", content = "args", deny_unknown_fields)]
        pub enum StorageCall {
            $($( $method { $( $arg: owned_type!($ty $(, $owned)?) ),* }, )*)*
        }

        impl StorageCall {
            /// The method's name, as the call is tagged on the wire.
            pub fn method(&self) -> &'static str {
                match self {
                    $($( Self::$method { .. } => stringify!($method), )*)*
                }
            }
        }

        /// Runs `call` on `storage` and encodes what the method returned: the whole
        /// serving end of the protocol, whatever carries the bytes.
        pub async fn dispatch(call: StorageCall, storage: &dyn Storage) -> Reply {
            match call {
                $($( StorageCall::$method { $( $arg ),* } => reply!(
                    $kind,
                    storage.$method($( pass!($arg $(, $owned)?) ),*).await
                ), )*)*
            }
        }
    };
}

storage_methods!(define_calls);
