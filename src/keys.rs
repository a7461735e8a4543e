//! The server's secrets: taken from config/env when given, otherwise generated on first run
//! into the data dir with mode 0600 and reused after. Never read from the source tree.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;

use crate::config::{ConfigError, Settings};

const SECRET_FILE: &str = "secret.key";
const FERNET_FILE: &str = "fernet.keys";
const VAPID_FILE: &str = "vapid.key";

/// The keys the running server uses.
#[derive(Clone)]
pub struct Keys {
    /// Signs session cookies; at least 32 bytes.
    pub secret: Vec<u8>,
    /// Fernet keys, newest first.
    pub fernet: Vec<String>,
    /// The key file they came from; `None` when set in config/env, where only the person
    /// who set them can change them (so the server never rotates them itself).
    pub fernet_file: Option<PathBuf>,
    /// The VAPID private key (a P-256 scalar, 32 bytes) that signs every Web Push request,
    /// so push services know the requests come from this server.
    pub vapid: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

/// Makes sure the data dir exists and is writable, then resolves both secrets.
pub fn load_or_generate(settings: &Settings) -> Result<Keys, ConfigError> {
    let dir = &settings.data.dir;
    prepare_data_dir(dir)?;

    let secret = if settings.secrets.secret_key.is_empty() {
        read_or_create(dir, SECRET_FILE, || {
            let mut bytes = [0u8; 64];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            STANDARD.encode(bytes)
        })?
    } else {
        settings.secrets.secret_key.expose().to_owned()
    };
    let secret = secret.trim().as_bytes().to_vec();
    if secret.len() < 32 {
        return Err(ConfigError::new(
            "secrets.secret_key",
            "must be at least 32 bytes long",
        ));
    }

    let configured: Vec<String> = settings
        .secrets
        .encrypt_keys
        .iter()
        .filter(|k| !k.is_empty())
        .map(|k| k.expose().trim().to_owned())
        .collect();
    let from_file = configured.is_empty();
    let fernet = if from_file {
        read_or_create(dir, FERNET_FILE, fernet::Fernet::generate_key)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    } else {
        configured
    };
    for (index, key) in fernet.iter().enumerate() {
        if fernet::Fernet::new(key).is_none() {
            return Err(ConfigError::new(
                "secrets.encrypt_keys",
                format!(
                    "key #{} is not a Fernet key (32 url-safe base64 bytes)",
                    index + 1
                ),
            ));
        }
    }
    if fernet.is_empty() {
        return Err(ConfigError::new(
            "secrets.encrypt_keys",
            format!("{FERNET_FILE} holds no key"),
        ));
    }
    Ok(Keys {
        secret,
        fernet,
        fernet_file: from_file.then(|| fernet_file_path(dir)),
        vapid: load_or_generate_vapid(dir)?,
    })
}

/// The VAPID key from the data dir, generated there on first run. Browsers tie each push
/// subscription to its public half, so replacing it silently would end every device's
/// push: a file that does not hold a key is an error, not a reason to make a new one.
fn load_or_generate_vapid(dir: &Path) -> Result<Vec<u8>, ConfigError> {
    use web_push_native::jwt_simple::algorithms::ES256KeyPair;
    let text = read_or_create(dir, VAPID_FILE, || {
        URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes())
    })?;
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .filter(|bytes| ES256KeyPair::from_bytes(bytes).is_ok())
        .ok_or_else(|| {
            ConfigError::new(
                "data.dir",
                format!(
                    "{} does not hold a P-256 private key",
                    dir.join(VAPID_FILE).display()
                ),
            )
        })
}

pub fn fernet_file_path(dir: &Path) -> PathBuf {
    dir.join(FERNET_FILE)
}

/// Replaces the key file with `keys` (newest first) atomically: a new 0600 file next to
/// it, synced, then renamed over it, so a crash leaves either the old list or the new one.
pub fn write_fernet_file(path: &Path, keys: &[String]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let temp = dir.join(format!(".{FERNET_FILE}.{}.tmp", hex::encode(nonce)));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        let mut text = keys.join("\n");
        text.push('\n');
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

const LOCK_FILE: &str = "hearth.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process (a running server) holds the lock.
    #[error("another Hearth process (a running server?) holds {}", .0.display())]
    Held(PathBuf),
    #[error(transparent)]
    Other(#[from] ConfigError),
}

/// Takes the data dir's exclusive lock, held for as long as the returned file stays open:
/// the server holds it, and terminal commands that must not run beside a server (key
/// rotation) refuse when they cannot get it.
pub fn lock_data_dir(dir: &Path) -> Result<fs::File, LockError> {
    prepare_data_dir(dir)?;
    let path = dir.join(LOCK_FILE);
    let fail = |e: String| {
        LockError::Other(ConfigError::new(
            "data.dir",
            format!("{}: {e}", path.display()),
        ))
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| fail(e.to_string()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(LockError::Held(path)),
        Err(fs::TryLockError::Error(e)) => Err(fail(e.to_string())),
    }
}

/// Creates the data dir (owner-only) when missing and proves it is writable.
pub fn prepare_data_dir(dir: &Path) -> Result<(), ConfigError> {
    let fail = |e: std::io::Error| ConfigError::new("data.dir", format!("{}: {e}", dir.display()));
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)?;
    }
    let probe = dir.join(".write-test");
    fs::write(&probe, b"").map_err(fail)?;
    fs::remove_file(&probe).map_err(fail)
}

fn read_or_create(
    dir: &Path,
    name: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, ConfigError> {
    let path = dir.join(name);
    let fail = |e: std::io::Error| ConfigError::new("data.dir", format!("{}: {e}", path.display()));
    match fs::read_to_string(&path) {
        Ok(existing) => return Ok(existing),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(e)),
        Err(_) => {}
    }
    let value = generate();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(fail)?;
    file.write_all(format!("{value}\n").as_bytes())
        .map_err(fail)?;
    file.sync_all().map_err(fail)?;
    tracing::info!(path = %path.display(), "generated a new key");
    Ok(value)
}
