//! Reading what the server mailed: the outbox directory, and the links in a mail.

use std::time::Duration;

use super::{Client, TestApp};

/// Where a password reset is asked for.
pub const RESET: &str = "/accounts/password/reset/";
/// The start of a mailed reset link.
pub const RESET_KEY: &str = "/accounts/password/reset/key/";

/// How long a test waits for a mail that should come (mail is sent after the response).
pub const MAIL_WAIT: Duration = Duration::from_secs(10);

/// Every mail in the outbox at this moment, without waiting for more.
pub fn outbox_now(app: &TestApp) -> Vec<String> {
    let mut mails = Vec::new();
    if let Ok(entries) = std::fs::read_dir(app.data_dir.path().join("outbox")) {
        for entry in entries.flatten() {
            mails.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    mails
}

/// The outbox's mails containing `needle`, once there are at least `count` of them.
pub async fn outbox_mails(app: &TestApp, needle: &str, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        let found: Vec<String> = outbox_now(app)
            .into_iter()
            .filter(|mail| mail.contains(needle))
            .collect();
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {count} mail(s) containing {needle:?} in the outbox, found {}",
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

/// Asks for a password reset of `email` from `client`, as the reset page does.
pub async fn request_reset(client: &Client, email: &str) -> reqwest::Response {
    client.post_form(RESET, RESET, &[("email", email)]).await
}

/// Waits for the background work of `client`'s earlier requests, which the server does
/// after answering and never signals the end of. It asks for a reset of `email` (an
/// active account's) and waits for that link's mail: a lookup, a token and a mail, set off
/// after whatever the earlier requests set off (a lookup, or a token and a mail) and
/// doing at least as much, on the worker that serves `client`'s connection. A test then
/// asserts on what the earlier requests left, counting this reset's token and mail.
pub async fn after_earlier_mail_work(app: &TestApp, client: &Client, email: &str) {
    // The server's own record of what it left running: once settled, the earlier requests'
    // mail work is done for certain; the later reset below is a second, visible witness.
    app.settled().await;
    let to = format!("To: {email}");
    let resets_to = || {
        outbox_now(app)
            .into_iter()
            .filter(|mail| mail.contains(RESET_KEY) && mail.contains(&to))
            .collect::<Vec<_>>()
    };
    let before = resets_to().len();
    let asked = request_reset(client, email).await;
    assert_eq!(asked.status(), 200, "the reset asked for to wait on");
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        if resets_to().len() > before {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no new reset mail to {email} within {MAIL_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
