//! Sealing at rest (Fernet, with a key list: the newest encrypts, any decrypts) and
//! password hashing (argon2id, in [`passwords`]).

use std::sync::{Arc, RwLock};

use fernet::{Fernet, MultiFernet};

use crate::domain::Sealed;

mod passwords;

pub use passwords::{burn_verification_time, hash_password, verify_password};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no usable Fernet key")]
    NoKey,
    #[error("the sealed value does not open with any known key")]
    CannotOpen,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The first 8 bytes of the SHA-256 of a key, hex: enough to tell keys apart on a page
/// or in a log, useless for recovering the key.
pub fn fingerprint(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.trim().as_bytes())[..8])
}

/// One immutable set of keys; swapping the whole ring keeps every reader consistent.
struct Ring {
    /// Newest first.
    keys: Vec<String>,
    all: MultiFernet,
    primary: Fernet,
}

impl Ring {
    fn new(keys: &[String]) -> Result<Self, CryptoError> {
        let parsed: Vec<Fernet> = keys.iter().filter_map(|k| Fernet::new(k)).collect();
        if parsed.is_empty() || parsed.len() != keys.len() {
            return Err(CryptoError::NoKey);
        }
        let primary = Fernet::new(&keys[0]).ok_or(CryptoError::NoKey)?;
        Ok(Self {
            keys: keys.to_vec(),
            all: MultiFernet::new(parsed),
            primary,
        })
    }
}

/// Seals and opens values with the server's Fernet keys. The key list can change while
/// the server runs (key rotation): a new primary is added in front, old keys retire only
/// once nothing sealed with them remains.
pub struct Sealer {
    ring: RwLock<Arc<Ring>>,
}

impl Sealer {
    /// `keys` newest first; each must be a valid Fernet key.
    pub fn new(keys: &[String]) -> Result<Self, CryptoError> {
        Ok(Self {
            ring: RwLock::new(Arc::new(Ring::new(keys)?)),
        })
    }

    fn ring(&self) -> Arc<Ring> {
        // A panic elsewhere while holding the lock cannot leave a half-built ring: the
        // ring is swapped whole, so a poisoned lock still holds a valid one.
        Arc::clone(&self.ring.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn replace(&self, keys: &[String]) -> Result<(), CryptoError> {
        let ring = Arc::new(Ring::new(keys)?);
        *self.ring.write().unwrap_or_else(|p| p.into_inner()) = ring;
        Ok(())
    }

    pub fn seal(&self, plaintext: &[u8]) -> Sealed {
        Sealed(self.ring().primary.encrypt(plaintext))
    }

    pub fn open(&self, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        self.ring()
            .all
            .decrypt(&sealed.0)
            .map_err(|_| CryptoError::CannotOpen)
    }

    /// Opens a sealed text; a body that is not UTF-8 cannot have been sealed by us.
    pub fn open_text(&self, sealed: &Sealed) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed)?).map_err(|_| CryptoError::CannotOpen)
    }

    /// Whether `sealed` was sealed with the current primary key.
    pub fn sealed_with_primary(&self, sealed: &Sealed) -> bool {
        self.ring().primary.decrypt(&sealed.0).is_ok()
    }

    /// Opens `sealed` with any key and seals it again with the primary.
    pub fn reseal(&self, sealed: &Sealed) -> Result<Sealed, CryptoError> {
        let ring = self.ring();
        let plain = ring
            .all
            .decrypt(&sealed.0)
            .map_err(|_| CryptoError::CannotOpen)?;
        Ok(Sealed(ring.primary.encrypt(&plain)))
    }

    /// Fingerprints of the keys, newest (the primary) first.
    pub fn fingerprints(&self) -> Vec<String> {
        self.ring().keys.iter().map(|k| fingerprint(k)).collect()
    }

    pub fn primary_fingerprint(&self) -> String {
        self.ring()
            .keys
            .first()
            .map(|k| fingerprint(k))
            .unwrap_or_default()
    }

    /// The keys themselves, newest first: only for writing the key file.
    pub(crate) fn export_keys(&self) -> Vec<String> {
        self.ring().keys.clone()
    }

    /// Makes `key` the primary: from now on everything is sealed with it; every older key
    /// still opens what it sealed.
    pub fn add_primary(&self, key: &str) -> Result<(), CryptoError> {
        let mut keys = vec![key.to_owned()];
        keys.extend(self.export_keys());
        self.replace(&keys)
    }

    /// Drops every key but the primary: only once nothing sealed with them remains.
    pub fn retire_old_keys(&self) -> Result<(), CryptoError> {
        let keys = self.export_keys();
        self.replace(&keys[..1.min(keys.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_any_listed_key_and_seal_with_the_first() {
        let old = Fernet::generate_key();
        let new = Fernet::generate_key();
        let before = Sealer::new(std::slice::from_ref(&old)).map(|s| s.seal(b"hello"));
        let rotated = Sealer::new(&[new.clone(), old]);
        let (Ok(before), Ok(rotated)) = (before, rotated) else {
            panic!("keys are valid")
        };
        assert_eq!(rotated.open_text(&before).ok().as_deref(), Some("hello"));
        let after = rotated.seal(b"world");
        let only_new = Sealer::new(&[new]);
        assert!(only_new.is_ok_and(|s| s.open_text(&after).is_ok() && s.open(&before).is_err()));
    }

    #[test]
    fn a_new_primary_seals_at_once_and_retiring_keeps_only_it() {
        let Ok(sealer) = Sealer::new(&[Fernet::generate_key()]) else {
            panic!("key is valid")
        };
        let before = sealer.seal(b"old");
        let new = Fernet::generate_key();
        assert!(sealer.add_primary(&new).is_ok());
        assert_eq!(sealer.fingerprints().len(), 2);
        assert_eq!(sealer.primary_fingerprint(), fingerprint(&new));
        assert!(!sealer.sealed_with_primary(&before));
        let after = sealer.seal(b"new");
        assert!(sealer.sealed_with_primary(&after));
        let resealed = sealer.reseal(&before).unwrap_or(Sealed(String::new()));
        assert!(sealer.retire_old_keys().is_ok());
        assert_eq!(sealer.fingerprints(), vec![fingerprint(&new)]);
        assert_eq!(sealer.open_text(&resealed).ok().as_deref(), Some("old"));
        assert!(sealer.open(&before).is_err());
        assert_eq!(fingerprint(&new).len(), 16);
    }
}
