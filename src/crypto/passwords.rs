//! Password hashing: argon2id with the crate's defaults (m=19 MiB, t=2, p=1, OWASP's
//! recommendation), stored as PHC strings.
//!
//! Each hash needs 19 MiB of working memory. Allocating it per hash let the allocator keep
//! every buffer it ever handed out: twenty concurrent sign-ups left the server at 314 MB
//! resident for good. The buffers are pooled instead, one per core at most; a hash beyond
//! that waits for one (these run on blocking threads, never on the async workers).

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::CryptoError;

/// argon2id with the crate's defaults (m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    let failed = |e: &dyn std::fmt::Display| CryptoError::Hashing(e.to_string());
    let params = Params::default();
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &params,
        Version::V0x13,
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// True when `password` matches `hash`; a malformed hash, or one of another algorithm,
/// never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if compute(&params, version, password.as_bytes(), salt_bytes, &mut out).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Spends the time a real verification would, so a missing account cannot be told apart
/// from a wrong password by timing.
pub fn burn_verification_time(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("not the password").ok()) {
        let _ = verify_password(password, hash);
    }
}

fn compute(
    params: &Params,
    version: Version,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let argon2 = Argon2::new(Algorithm::Argon2id, version, params.clone());
    let mut memory = workspaces().take(params.block_count());
    argon2.hash_password_into_with_memory(password, salt, out, memory.blocks())
}

/// The pool of working memory.
struct Workspaces {
    state: Mutex<Pool>,
    returned: Condvar,
    /// How many buffers may exist at once.
    most: usize,
}

struct Pool {
    free: Vec<Vec<Block>>,
    created: usize,
}

fn workspaces() -> &'static Workspaces {
    static POOL: OnceLock<Workspaces> = OnceLock::new();
    POOL.get_or_init(|| Workspaces {
        state: Mutex::new(Pool {
            free: Vec::new(),
            created: 0,
        }),
        returned: Condvar::new(),
        most: std::thread::available_parallelism().map_or(2, |n| n.get()),
    })
}

/// A buffer on loan; it goes back to the pool when dropped.
struct Loan {
    blocks: Vec<Block>,
    pooled: bool,
}

impl Loan {
    fn blocks(&mut self) -> &mut [Block] {
        &mut self.blocks
    }
}

impl Drop for Loan {
    fn drop(&mut self) {
        if self.pooled {
            workspaces().give_back(std::mem::take(&mut self.blocks));
        }
    }
}

impl Workspaces {
    fn lock(&self) -> MutexGuard<'_, Pool> {
        // The pool holds plain buffers: a panic elsewhere leaves it consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A buffer of at least `blocks` blocks, waiting while every pooled one is in use.
    fn take(&self, blocks: usize) -> Loan {
        if blocks > Params::default().block_count() {
            // A hash stored with costlier parameters than ours: rare, so not pooled.
            return Loan {
                blocks: vec![Block::default(); blocks],
                pooled: false,
            };
        }
        let mut pool = self.lock();
        loop {
            if let Some(mut buffer) = pool.free.pop() {
                buffer.truncate(blocks);
                buffer.resize(blocks, Block::default());
                return Loan {
                    blocks: buffer,
                    pooled: true,
                };
            }
            if pool.created < self.most {
                pool.created += 1;
                return Loan {
                    blocks: vec![Block::default(); blocks],
                    pooled: true,
                };
            }
            pool = self
                .returned
                .wait(pool)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn give_back(&self, buffer: Vec<Block>) {
        self.lock().free.push(buffer);
        self.returned.notify_one();
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only_and_is_a_standard_phc_string() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let cheap = Params::new(1024, 1, 1, None).expect("params");
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, cheap)
            .hash_password(b"pw", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_password("pw", &hash));
        assert!(!verify_password("pw2", &hash));
    }

    #[test]
    fn concurrent_hashes_share_at_most_one_buffer_per_core() {
        let threads: Vec<_> = (0..6)
            .map(|n| std::thread::spawn(move || hash_password(&format!("pw{n}"))))
            .collect();
        for thread in threads {
            assert!(thread.join().is_ok_and(|hash| hash.is_ok()));
        }
        let pool = workspaces().lock();
        assert!(pool.created <= workspaces().most, "{}", pool.created);
    }
}
