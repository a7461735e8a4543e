//! Logging: one subscriber for the whole process, filtered by `log.level` or `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; a second call (as in tests) is harmless.
pub fn init(level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
