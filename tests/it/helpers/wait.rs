//! Waiting, with a deadline, for something the server does after it has answered.

use std::time::Duration;

use tokio::time::Instant;

/// How long [`eventually`] waits before the test fails.
pub const EVENTUALLY: Duration = Duration::from_secs(10);

/// Polls `check` until it holds; fails, saying `what` never happened, after
/// [`EVENTUALLY`].
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + EVENTUALLY;
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "{what}: still not so after {EVENTUALLY:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
