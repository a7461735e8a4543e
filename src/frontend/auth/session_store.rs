//! actix-session's store backed by `Storage`: the cookie carries only an opaque random key;
//! the database keeps its SHA-256, so a leaked database yields no usable cookie.

use std::collections::HashMap;
use std::sync::Arc;

use actix_session::storage::{
    LoadError, SaveError, SessionKey, SessionStore as CookieSessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;
use anyhow::anyhow;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::UserId;
use crate::frontend::auth::remember::{FORGET_ON_CLOSE_KEY, is_forget_on_close};
use crate::storage::{SessionRecord, Storage, StorageError};

/// Session-state keys the store copies into columns, so sessions can be listed by user.
pub const USER_AGENT_KEY: &str = "meta.user_agent";
pub const IP_KEY: &str = "meta.ip";
const IDENTITY_KEY: &str = "actix_identity.user_id";

#[derive(Clone)]
pub struct StorageSessionStore {
    storage: Arc<dyn Storage>,
    /// The lifetime of a session logged in without "Remember me" (see `remember`);
    /// `None`: every session gets the middleware's TTL.
    forget_on_close_ttl: Option<Duration>,
}

impl StorageSessionStore {
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self {
            storage,
            forget_on_close_ttl: None,
        }
    }

    /// Gives sessions marked forget-on-close this shorter lifetime instead.
    pub fn with_forget_on_close_ttl(mut self, ttl: Duration) -> Self {
        self.forget_on_close_ttl = Some(ttl);
        self
    }

    /// The lifetime of a session with this state: the short one when it asks for it.
    fn ttl_for(&self, state: &HashMap<String, String>, ttl: &Duration) -> Duration {
        match self.forget_on_close_ttl {
            Some(short) if is_forget_on_close(state.get(FORGET_ON_CLOSE_KEY)) => short.min(*ttl),
            _ => *ttl,
        }
    }
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn new_key() -> Result<SessionKey, anyhow::Error> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SessionKey::try_from(URL_SAFE_NO_PAD.encode(bytes)).map_err(|e| anyhow!("{e}"))
}

fn expiry(ttl: &Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(ttl.whole_seconds())
}

/// Builds the stored record, lifting the identity and request metadata out of the state.
fn record(
    key: &SessionKey,
    state: &HashMap<String, String>,
    ttl: &Duration,
) -> Result<SessionRecord, anyhow::Error> {
    let user = state
        .get(IDENTITY_KEY)
        .and_then(|raw| serde_json::from_str::<String>(raw).ok())
        .and_then(|id| id.parse().ok())
        .map(UserId);
    let meta = |k: &str| {
        state
            .get(k)
            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
            .unwrap_or_default()
    };
    Ok(SessionRecord {
        key_hash: hash_key(key.as_ref()),
        user,
        state: serde_json::to_string(state)?,
        expires: expiry(ttl),
        user_agent: meta(USER_AGENT_KEY),
        ip: meta(IP_KEY),
    })
}

impl CookieSessionStore for StorageSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        match self.storage.session_load(&hash_key(key.as_ref())).await {
            Ok(found) => serde_json::from_str(&found.state)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
            Err(StorageError::NotFound) => Ok(None),
            Err(e) => Err(LoadError::Other(e.into())),
        }
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key().map_err(SaveError::Other)?;
        let ttl = self.ttl_for(&state, ttl);
        let row = record(&key, &state, &ttl).map_err(SaveError::Serialization)?;
        self.storage
            .session_save(row)
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let row =
            record(&key, &state, &self.ttl_for(&state, ttl)).map_err(UpdateError::Serialization)?;
        match self.storage.session_update(row).await {
            Ok(()) => Ok(key),
            // Revoked while this request ran: never bring it back. The browser gets a
            // fresh, empty (signed-out) session instead.
            Err(StorageError::NotFound) => self
                .save(HashMap::new(), ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow!("{e}"))),
            Err(e) => Err(UpdateError::Other(e.into())),
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        match self
            .storage
            .session_touch(&hash_key(key.as_ref()), expiry(ttl))
            .await
        {
            Ok(()) | Err(StorageError::NotFound) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        Ok(self.storage.session_delete(&hash_key(key.as_ref())).await?)
    }
}
