//! Reading what the server mailed: the outbox directory, and the links in a mail.

use std::time::Duration;

use super::TestApp;

/// How long a test waits for a mail that should come (mail is sent after the response).
pub const MAIL_WAIT: Duration = Duration::from_secs(10);

/// The outbox's mails containing `needle`, once there are at least `count` of them.
pub async fn outbox_mails(app: &TestApp, needle: &str, count: usize) -> Vec<String> {
    let dir = app.data_dir.path().join("outbox");
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(needle) {
                    found.push(text);
                }
            }
        }
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {count} mail(s) containing {needle:?} in {}, found {}",
            dir.display(),
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The one mail in the outbox containing `needle`.
pub async fn outbox_mail(app: &TestApp, needle: &str) -> String {
    outbox_mails(app, needle, 1).await.remove(0)
}

/// The path of the first link in `mail` starting with `prefix`, e.g. `/accounts/confirm-email/`.
pub fn link_path(mail: &str, prefix: &str) -> String {
    let re = regex::Regex::new(&format!(
        r"https?://[^/\s]+({}[A-Za-z0-9_-]+/)",
        regex::escape(prefix)
    ))
    .expect("regex");
    re.captures(mail)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no {prefix} link in mail:\n{mail}"))
}
