//! Sealing at rest (Fernet, with a key list: the newest encrypts, any decrypts) and
//! password hashing (argon2id).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use fernet::{Fernet, MultiFernet};

use crate::domain::Sealed;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no usable Fernet key")]
    NoKey,
    #[error("the sealed value does not open with any known key")]
    CannotOpen,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Seals and opens values with the server's Fernet keys.
pub struct Sealer {
    keys: MultiFernet,
}

impl Sealer {
    /// `keys` newest first; each must be a valid Fernet key.
    pub fn new(keys: &[String]) -> Result<Self, CryptoError> {
        let parsed: Vec<Fernet> = keys.iter().filter_map(|k| Fernet::new(k)).collect();
        if parsed.is_empty() || parsed.len() != keys.len() {
            return Err(CryptoError::NoKey);
        }
        Ok(Self {
            keys: MultiFernet::new(parsed),
        })
    }

    pub fn seal(&self, plaintext: &[u8]) -> Sealed {
        Sealed(self.keys.encrypt(plaintext))
    }

    pub fn open(&self, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        self.keys
            .decrypt(&sealed.0)
            .map_err(|_| CryptoError::CannotOpen)
    }

    /// Opens a sealed text; a body that is not UTF-8 cannot have been sealed by us.
    pub fn open_text(&self, sealed: &Sealed) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed)?).map_err(|_| CryptoError::CannotOpen)
    }
}

/// argon2id with the crate's defaults (m=19 MiB, t=2, p=1, OWASP's recommendation).
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| CryptoError::Hashing(e.to_string()))
}

/// True when `password` matches `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time a real verification would, so a missing account cannot be told apart
/// from a wrong password by timing.
pub fn burn_verification_time(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("not the password").ok()) {
        let _ = verify_password(password, hash);
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
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
