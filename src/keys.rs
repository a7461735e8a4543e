//! The server's secrets: taken from config/env when given, otherwise generated on first run
//! into the data dir with mode 0600 and reused after. Never read from the source tree.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

use crate::config::{ConfigError, Settings};

const SECRET_FILE: &str = "secret.key";
const FERNET_FILE: &str = "fernet.keys";

/// The keys the running server uses.
#[derive(Clone)]
pub struct Keys {
    /// Signs session cookies; at least 32 bytes.
    pub secret: Vec<u8>,
    /// Fernet keys, newest first.
    pub fernet: Vec<String>,
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
    let fernet = if configured.is_empty() {
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
    Ok(Keys { secret, fernet })
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
