//! A [`Storage`] that sends every call through the storage protocol without leaving the
//! process: each call is encoded to JSON bytes, decoded as a
//! [`StorageCall`](super::wire::StorageCall), run on the storage inside, and its result
//! encoded and decoded back, both ways strictly (a value must encode back to exactly what
//! was sent). It is the storage service with the network taken out, so the contract suite
//! run over it proves every argument and result crosses a wire intact.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::wire::{Client, Reply, StorageCall, Transport, decode, dispatch};
use super::{Storage, StorageError, StorageResult};

/// Storage reached through JSON: see the module's doc.
pub type Loopback = Client<LoopbackTransport>;

/// Carries calls to a storage in the same process, as bytes.
pub struct LoopbackTransport {
    inner: Arc<dyn Storage>,
    calls: AtomicU64,
}

impl LoopbackTransport {
    /// How many calls have crossed so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

/// `inner` behind the storage protocol.
pub fn loopback(inner: Arc<dyn Storage>) -> Loopback {
    Client::new(LoopbackTransport {
        inner,
        calls: AtomicU64::new(0),
    })
}

#[async_trait]
impl Transport for LoopbackTransport {
    async fn send(&self, request: Vec<u8>) -> StorageResult<Reply> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let call: StorageCall = decode(&request, true)
            .map_err(|problem| StorageError::Internal(format!("storage call: {problem}")))?;
        Ok(dispatch(call, self.inner.as_ref()).await)
    }

    fn strict(&self) -> bool {
        true
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn call(json: &str) -> Result<StorageCall, String> {
        decode(json.as_bytes(), true)
    }

    #[test]
    fn a_call_names_its_method_and_carries_its_arguments_owned() {
        let decoded = call(r#"{"method":"sessions_delete_for_user","args":{"user":7,"keep":"k"}}"#)
            .expect("a call");
        assert_eq!(decoded.method(), "sessions_delete_for_user");
        assert!(matches!(
            decoded,
            StorageCall::sessions_delete_for_user { user, keep: Some(ref keep) }
                if user.0 == 7 && keep == "k"
        ));
    }

    #[test]
    fn an_unknown_method_or_argument_is_refused() {
        assert!(call(r#"{"method":"drop_everything","args":{}}"#).is_err());
        assert!(call(r#"{"method":"count_users","args":{"extra":1}}"#).is_err());
        assert!(call(r#"{"method":"user_by_id","args":{}}"#).is_err());
    }
}
