//! Password reset: the same answer for any address, a single-use one-hour link from the
//! outbox, every session signed out, and every refused link or password changing nothing.

use chrono::{Duration, Utc};
use hearth::domain::UserId;
use hearth::frontend::auth::session_store::hash_key;
use hearth::storage::sql::SqlStorage;
use hearth::storage::{AccountTokenStore, TokenPurpose};

use crate::helpers::mail::{
    RESET, after_earlier_mail_work, link_path, outbox_mail, outbox_now, request_reset,
};
use crate::helpers::{Client, PASSWORD, TestApp, spawn_app};

const KEY: &str = "/accounts/password/reset/key/";
const CONFIRM: &str = "/accounts/confirm-email/";
const NEW_PASSWORD: &str = "a brand new ember 77";

/// Asks for a reset of `username@example.org` and returns the mailed link's path.
async fn reset_link(app: &TestApp, username: &str) -> String {
    let response = request_reset(&app.client(), &format!("{username}@example.org")).await;
    assert_eq!(response.status(), 200);
    let mail = outbox_mail(app, KEY).await;
    link_path(&mail, KEY)
}

async fn set_password(client: &Client, path: &str, one: &str, two: &str) -> reqwest::Response {
    client
        .post_form(path, RESET, &[("password1", one), ("password2", two)])
        .await
}

#[tokio::test]
async fn reset_link_from_the_outbox_sets_the_password_and_signs_out_every_session() {
    let app = spawn_app().await;
    let first = app.signed_up("ann").await;
    let second = app.client();
    assert_eq!(second.login("ann", PASSWORD).await.status(), 303);
    assert_eq!(first.get("/accounts/settings/").await.status(), 200);

    let path = reset_link(&app, "ann").await;
    let visitor = app.client();
    let form = visitor.get(&path).await;
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("Choose a new password"));
    let done = set_password(&visitor, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("every session of your account was signed out")
    );

    for client in [&first, &second] {
        let response = client.get("/accounts/settings/").await;
        assert_eq!(response.status(), 303, "every session is signed out");
    }
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 400);
    assert_eq!(app.client().login("ann", NEW_PASSWORD).await.status(), 303);

    // Single use: the link is dead now, and changes nothing.
    let again = visitor.get(&path).await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("invalid or expired"));
    let reuse = set_password(&app.client(), &path, "another one 99 z", "another one 99 z").await;
    assert_eq!(reuse.status(), 400);
    assert_eq!(app.client().login("ann", NEW_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn reset_request_answers_the_same_whether_or_not_the_address_exists() {
    let app = spawn_app().await;
    app.signed_up("ann").await;
    // Sign-up mails its confirmation link after answering: its token is counted before.
    outbox_mail(&app, CONFIRM).await;
    let tokens_before = app.count_rows("account_tokens").await;
    let client = app.client();

    let known = request_reset(&client, "ann@example.org").await;
    let unknown = request_reset(&client, "nobody@example.org").await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.status(), 200);
    let known = known
        .text()
        .await
        .unwrap()
        .replace("ann@example.org", "ADDRESS");
    let unknown = unknown
        .text()
        .await
        .unwrap()
        .replace("nobody@example.org", "ADDRESS");
    assert_eq!(known, unknown);

    // Only the known address got a link; once a later reset's link is out too, the
    // unknown address's lookup is done.
    outbox_mail(&app, KEY).await;
    after_earlier_mail_work(&app, &client, "ann@example.org").await;
    assert_eq!(
        app.count_rows("account_tokens").await,
        tokens_before + 2,
        "the known address's link and the later one"
    );
    assert!(
        outbox_now(&app)
            .iter()
            .all(|mail| !mail.contains("nobody@example.org"))
    );
}

#[tokio::test]
async fn reset_request_with_a_malformed_address_is_refused_and_mails_nothing() {
    let app = spawn_app().await;
    app.signed_up("ann").await;
    // Sign-up mails its confirmation link after answering: its token is counted before.
    outbox_mail(&app, CONFIRM).await;
    let before = app.count_rows("account_tokens").await;
    let client = app.client();
    let response = request_reset(&client, "not an address").await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"data-error-for="email""#), "{page}");
    after_earlier_mail_work(&app, &client, "ann@example.org").await;
    assert_eq!(
        app.count_rows("account_tokens").await,
        before + 1,
        "only the later reset's link"
    );
    assert_eq!(
        outbox_now(&app).len(),
        2,
        "the sign-up's and the later reset's mail"
    );
}

#[tokio::test]
async fn unknown_and_expired_reset_links_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    app.signed_up("ann").await;

    let unknown = app.client().get(&format!("{KEY}no-such-token/")).await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("invalid or expired"));

    // An expired link, planted straight in the database.
    let storage = SqlStorage::connect(&format!("sqlite://{}", app.database_path().display()))
        .await
        .expect("db");
    let token = "expired-token-for-ann";
    storage
        .account_token_create(
            &hash_key(token),
            UserId(1),
            TokenPurpose::Reset,
            Utc::now() - Duration::seconds(1),
        )
        .await
        .expect("plant");
    let path = format!("{KEY}{token}/");
    let client = app.client();
    assert_eq!(client.get(&path).await.status(), 400);
    let refused = set_password(&client, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("invalid or expired"));
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 303);
    assert_eq!(app.client().login("ann", NEW_PASSWORD).await.status(), 400);
}

#[tokio::test]
async fn weak_or_mismatched_new_password_is_refused_and_the_link_stays_usable() {
    let app = spawn_app().await;
    app.signed_up("ann").await;
    let path = reset_link(&app, "ann").await;
    let client = app.client();

    let mismatched = set_password(&client, &path, NEW_PASSWORD, "something else 12").await;
    assert_eq!(mismatched.status(), 400);
    assert!(
        mismatched
            .text()
            .await
            .unwrap()
            .contains("You must type the same password each time.")
    );
    let weak = set_password(&client, &path, "12345678", "12345678").await;
    assert_eq!(weak.status(), 400);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains(r#"data-error-for="password1""#)
    );

    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 303);
    assert_eq!(
        client.get(&path).await.status(),
        200,
        "the link was not spent"
    );
}

#[tokio::test]
async fn reset_requests_are_rate_limited_per_ip() {
    let app = crate::helpers::spawn_app_with(|s| s.limits.signup_per_minute = 2).await;
    let client = app.client();
    for _ in 0..2 {
        assert_eq!(
            request_reset(&client, "ann@example.org").await.status(),
            200
        );
    }
    let throttled = request_reset(&client, "ann@example.org").await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().contains_key("retry-after"));
}
