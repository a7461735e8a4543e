//! Account settings beyond the password: changing the email address (re-verified by a link
//! mailed to the new address), the username, deleting the account, and "Remember me".

use chrono::{Duration, Utc};
use hearth::config::EmailVerification;
use hearth::domain::{Email, UserId};
use hearth::frontend::auth::session_store::hash_key;
use hearth::storage::AccountTokenStore;
use hearth::storage::sql::SqlStorage;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{call, create_group, person};
use crate::helpers::mail::{link_path, outbox_mail};
use crate::helpers::{Client, PASSWORD, TestApp, eventually, spawn_app, spawn_app_with};

const SETTINGS: &str = "/accounts/settings/";
const CHANGE_LINK: &str = "/accounts/confirm-email-change/";

async fn change_email(client: &Client, password: &str, email: &str) -> reqwest::Response {
    client
        .post_form(
            "/accounts/settings/email/",
            SETTINGS,
            &[("email_password", password), ("new_email", email)],
        )
        .await
}

async fn change_username(client: &Client, password: &str, username: &str) -> reqwest::Response {
    client
        .post_form(
            "/accounts/settings/username/",
            SETTINGS,
            &[("username_password", password), ("new_username", username)],
        )
        .await
}

async fn delete_account(client: &Client, password: &str) -> reqwest::Response {
    client
        .post_form(
            "/accounts/settings/delete/",
            SETTINGS,
            &[("delete_password", password)],
        )
        .await
}

async fn users_with(app: &TestApp, condition: &str) -> i64 {
    app.count_rows(&format!("users WHERE {condition}")).await
}

/// Asserts the response is a 400 page naming `message`.
async fn assert_refused(response: reqwest::Response, message: &str) {
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains(message), "expected {message:?} in:\n{page}");
}

// ---- email ---------------------------------------------------------------------------

#[tokio::test]
async fn a_new_email_waits_for_the_link_mailed_to_it_then_is_verified() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;

    let response = change_email(&ann, PASSWORD, "Ann.New@Example.ORG").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("We mailed a confirmation link to Ann.New@example.org"));
    assert!(page.contains("data-pending-email"), "the wait is shown");

    // Until the link is followed, the old address stays, and only it logs in.
    assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 1);
    assert_eq!(
        app.client()
            .login("Ann.New@example.org", PASSWORD)
            .await
            .status(),
        400
    );

    let notice = outbox_mail(&app, "Your Hearth email address is changing").await;
    assert!(
        notice.contains("To: ann@example.org"),
        "the old address is told:\n{notice}"
    );
    assert!(!notice.contains(CHANGE_LINK), "but never gets the link");
    let mail = outbox_mail(&app, CHANGE_LINK).await;
    assert!(
        mail.contains("To: Ann.New@example.org"),
        "to the NEW address:\n{mail}"
    );
    let link = link_path(&mail, CHANGE_LINK);
    let confirmed = app.client().get(&link).await;
    assert_eq!(confirmed.status(), 200);
    assert!(
        confirmed
            .text()
            .await
            .unwrap()
            .contains("data-email-changed")
    );
    assert_eq!(
        users_with(&app, "email = 'Ann.New@example.org' AND email_verified = 1").await,
        1
    );
    assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 0);
    assert_eq!(
        app.client()
            .login("ann.new@example.org", PASSWORD)
            .await
            .status(),
        303
    );

    // A spent link does nothing more.
    let reused = app.client().get(&link).await;
    assert_eq!(reused.status(), 400);
    assert!(reused.text().await.unwrap().contains("invalid or expired"));
}

#[tokio::test]
async fn without_verification_the_email_changes_at_once() {
    let app = spawn_app_with(|s| s.accounts.email_verification = EmailVerification::None).await;
    let ann = app.signed_up("ann").await;
    let response = change_email(&ann, PASSWORD, "fresh@example.org").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Your email address is now fresh@example.org."));
    assert!(page.contains(r#"data-email-now>fresh@example.org<"#));
    assert_eq!(users_with(&app, "email = 'fresh@example.org'").await, 1);
    assert_eq!(
        app.count_rows("account_tokens WHERE purpose = 'change_email'")
            .await,
        0
    );
}

#[tokio::test]
async fn refused_email_changes_store_nothing_and_say_why() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    app.signed_up("bob").await;
    // Sign-up mails its confirmation link after answering: wait for both tokens, or a
    // late one would look like a change made by a refused request.
    eventually("both sign-ups' confirmation links exist", async || {
        app.count_rows("account_tokens WHERE purpose = 'verify_email'")
            .await
            == 2
    })
    .await;
    let before = app.count_rows("account_tokens").await;
    let unchanged = async || {
        assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 1);
        assert_eq!(users_with(&app, "email = 'bob@example.org'").await, 1);
        assert_eq!(app.count_rows("account_tokens").await, before);
    };

    let wrong = change_email(&ann, "not my password", "fresh@example.org").await;
    assert_refused(wrong, "Your current password was entered incorrectly.").await;
    unchanged().await;
    let taken = change_email(&ann, PASSWORD, "BOB@Example.org").await;
    assert_refused(
        taken,
        "A user is already registered with this email address.",
    )
    .await;
    unchanged().await;
    let invalid = change_email(&ann, PASSWORD, "not an address").await;
    assert_refused(invalid, "Enter a valid email address.").await;
    unchanged().await;
    let same = change_email(&ann, PASSWORD, "ANN@example.org").await;
    assert_refused(same, "This is already your email address.").await;
    unchanged().await;

    let no_csrf = ann
        .post_form_without_csrf(
            "/accounts/settings/email/",
            &[
                ("email_password", PASSWORD),
                ("new_email", "fresh@example.org"),
            ],
        )
        .await;
    assert_eq!(no_csrf.status(), 403);
    unchanged().await;
}

#[tokio::test]
async fn an_expired_or_superseded_link_changes_nothing() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;

    // An expired link, planted straight in the database.
    let storage = SqlStorage::connect(&format!("sqlite://{}", app.database_path().display()))
        .await
        .expect("db");
    let email = Email::parse("late@example.org").unwrap();
    storage
        .email_change_request(
            &hash_key("expired-change"),
            UserId(1),
            &email,
            Utc::now() - Duration::seconds(1),
        )
        .await
        .unwrap();
    let expired = app
        .client()
        .get(&format!("{CHANGE_LINK}expired-change/"))
        .await;
    assert_eq!(expired.status(), 400);
    assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 1);

    // Asking twice: only the newest link works.
    assert_eq!(
        change_email(&ann, PASSWORD, "first@example.org")
            .await
            .status(),
        200
    );
    let first = link_path(&outbox_mail(&app, "first@example.org").await, CHANGE_LINK);
    assert_eq!(
        change_email(&ann, PASSWORD, "second@example.org")
            .await
            .status(),
        200
    );
    assert_eq!(app.client().get(&first).await.status(), 400);
    assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 1);
    let second = link_path(&outbox_mail(&app, "second@example.org").await, CHANGE_LINK);
    assert_eq!(app.client().get(&second).await.status(), 200);
    assert_eq!(users_with(&app, "email = 'second@example.org'").await, 1);
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_refused_when_the_link_is_followed() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    assert_eq!(
        change_email(&ann, PASSWORD, "wanted@example.org")
            .await
            .status(),
        200
    );
    let link = link_path(
        &outbox_mail(&app, "To: wanted@example.org").await,
        CHANGE_LINK,
    );
    let bob = app.client();
    assert_eq!(
        bob.signup("bob", "WANTED@example.org", PASSWORD)
            .await
            .status(),
        303
    );

    let refused = app.client().get(&link).await;
    assert_eq!(refused.status(), 409);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Your address was not changed")
    );
    assert_eq!(users_with(&app, "email = 'ann@example.org'").await, 1);
    assert_eq!(
        users_with(&app, "email_key = 'wanted@example.org'").await,
        1
    );
}

// ---- username ------------------------------------------------------------------------

#[tokio::test]
async fn a_new_username_moves_the_profile_and_keeps_the_session_and_rooms() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let group = create_group(&app, &ann, "Den", &[bob.id]).await;
    let room = format!("/chat/room/{}/", group["name"].as_str().unwrap());

    let response = change_username(&ann.browser, PASSWORD, "  Anna_2 ").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Your username is now anna_2.")
    );
    assert_eq!(users_with(&app, "username = 'anna_2'").await, 1);
    assert_eq!(users_with(&app, "username = 'ann'").await, 0);
    assert_eq!(
        ann.browser.get(SETTINGS).await.status(),
        200,
        "still signed in"
    );
    assert_eq!(ann.browser.get(&room).await.status(), 200, "rooms survive");
    assert_eq!(bob.browser.get("/profile/anna_2/").await.status(), 200);
    assert_eq!(bob.browser.get("/profile/ann/").await.status(), 404);
    assert_eq!(app.client().login("anna_2", PASSWORD).await.status(), 303);
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 400);
}

#[tokio::test]
async fn refused_username_changes_store_nothing_and_say_why() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    app.signed_up("bob").await;
    let unchanged = async || {
        assert_eq!(users_with(&app, "username IN ('ann', 'bob')").await, 2);
        assert_eq!(app.count_rows("users").await, 2);
    };

    let wrong = change_username(&ann, "not my password", "anna").await;
    assert_refused(wrong, "Your current password was entered incorrectly.").await;
    unchanged().await;
    let taken = change_username(&ann, PASSWORD, "BOB").await;
    assert_refused(taken, "A user with that username already exists.").await;
    unchanged().await;
    let invalid = change_username(&ann, PASSWORD, "a!").await;
    assert_eq!(invalid.status(), 400);
    assert!(
        invalid
            .text()
            .await
            .unwrap()
            .contains(r#"data-error-for="new_username""#)
    );
    unchanged().await;
    let same = change_username(&ann, PASSWORD, "Ann").await;
    assert_refused(same, "This is already your username.").await;
    unchanged().await;

    let no_csrf = ann
        .post_form_without_csrf(
            "/accounts/settings/username/",
            &[("username_password", PASSWORD), ("new_username", "anna")],
        )
        .await;
    assert_eq!(no_csrf.status(), 403);
    unchanged().await;
}

// ---- delete --------------------------------------------------------------------------

#[tokio::test]
async fn a_deleted_accounts_messages_stay_as_deleted_user_and_its_access_ends() {
    let app = spawn_app().await;
    let _root = app.signed_up("root").await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let shared = create_group(&app, &ann, "Shared", &[bob.id]).await;
    let alone = create_group(&app, &ann, "Alone", &[]).await;
    let messages = format!("/api/groups/{}/messages/", shared["id"]);
    let (status, _) = call(
        &app,
        Method::POST,
        &messages,
        &ann.access,
        Some(&json!({"body": "remember me fondly"})),
    )
    .await;
    assert_eq!(status, 201);
    let ann_id = ann.id;
    assert!(
        app.count_rows(&format!("refresh_tokens WHERE user_id = {ann_id}"))
            .await
            > 0
    );
    assert!(
        app.count_rows(&format!("sessions WHERE user_id = {ann_id}"))
            .await
            > 0
    );

    let page = ann.browser.get_text(SETTINGS).await;
    assert!(page.contains("data-delete-warning"), "the page warns first");
    assert!(
        page.contains(r#"name="delete_password" type="password" autocomplete="current-password" required class="mt-1 block"#),
        "the partials get the page's input style"
    );
    let response = delete_account(&ann.browser, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");

    assert_eq!(users_with(&app, &format!("id = {ann_id}")).await, 0);
    assert_eq!(
        app.count_rows(&format!("sessions WHERE user_id = {ann_id}"))
            .await,
        0
    );
    assert_eq!(
        app.count_rows(&format!("refresh_tokens WHERE user_id = {ann_id}"))
            .await,
        0
    );
    assert_eq!(
        app.count_rows(&format!("account_tokens WHERE user_id = {ann_id}"))
            .await,
        0
    );
    assert_eq!(app.count_rows("messages WHERE author_id IS NULL").await, 1);
    // The shared room passes to bob; the room nobody else was in is gone.
    assert_eq!(
        app.count_rows(&format!(
            "rooms WHERE id = {} AND admin_id = {}",
            shared["id"], bob.id
        ))
        .await,
        1
    );
    assert_eq!(
        app.count_rows(&format!("rooms WHERE id = {}", alone["id"]))
            .await,
        0
    );

    // Signed out here, refused everywhere else.
    assert_eq!(ann.browser.get(SETTINGS).await.status(), 303);
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 400);
    let (status, _) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    assert_eq!(status, 401);

    // Bob still reads the message, from "deleted user", on the page and in the API.
    let room = bob
        .browser
        .get_text(&format!("/chat/room/{}/", shared["name"].as_str().unwrap()))
        .await;
    assert!(room.contains("remember me fondly"));
    assert!(room.contains("deleted user"), "{room}");
    let (status, listed) = call(&app, Method::GET, &messages, &bob.access, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["results"][0]["body"], "remember me fondly");
    assert_eq!(listed["results"][0]["author"], Value::Null);
}

#[tokio::test]
async fn a_wrong_password_or_missing_csrf_deletes_nothing() {
    let app = spawn_app().await;
    let _root = app.signed_up("root").await;
    let ann = app.signed_up("ann").await;
    let sessions = app.count_rows("sessions").await;

    let wrong = delete_account(&ann, "not my password").await;
    assert_refused(wrong, "Your current password was entered incorrectly.").await;
    let no_csrf = ann
        .post_form_without_csrf(
            "/accounts/settings/delete/",
            &[("delete_password", PASSWORD)],
        )
        .await;
    assert_eq!(no_csrf.status(), 403);
    assert_eq!(app.count_rows("users").await, 2);
    assert_eq!(app.count_rows("sessions").await, sessions);
    assert_eq!(ann.get(SETTINGS).await.status(), 200, "still signed in");
}

#[tokio::test]
async fn the_last_active_admin_cannot_delete_their_account() {
    let app = spawn_app().await;
    let root = app.signed_up("root").await;
    let ann = app.signed_up("ann").await;

    let refused = delete_account(&root, PASSWORD).await;
    assert_refused(refused, "You are the last active administrator").await;
    assert_eq!(app.count_rows("users").await, 2);
    assert_eq!(root.get(SETTINGS).await.status(), 200, "still signed in");

    // With a second active admin, the first may go.
    app.execute_sql("UPDATE users SET is_admin = 1 WHERE username = 'ann'")
        .await;
    assert_eq!(delete_account(&root, PASSWORD).await.status(), 303);
    assert_eq!(users_with(&app, "username = 'root'").await, 0);
    let last = delete_account(&ann, PASSWORD).await;
    assert_refused(last, "You are the last active administrator").await;
    assert_eq!(users_with(&app, "username = 'ann'").await, 1);
}

// ---- remember me ---------------------------------------------------------------------

async fn login_response(app: &TestApp, username: &str, remember: bool) -> reqwest::Response {
    let mut fields = vec![("login", username), ("password", PASSWORD)];
    if remember {
        fields.push(("remember", "on"));
    }
    app.client()
        .post_form("/accounts/login/", "/accounts/login/", &fields)
        .await
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("hearth_session="))
        .expect("a session cookie")
}

/// Sessions of `username` expiring within `days` days from now.
async fn sessions_expiring_within(app: &TestApp, username: &str, days: i64) -> i64 {
    let limit = (Utc::now() + Duration::days(days)).to_rfc3339();
    app.count_rows(&format!(
        "sessions WHERE user_id = (SELECT id FROM users WHERE username = '{username}') \
         AND julianday(expires) < julianday('{limit}')"
    ))
    .await
}

#[tokio::test]
async fn without_remember_me_the_cookie_ends_with_the_browser_and_the_session_sooner() {
    let app = spawn_app().await;
    app.signed_up("ann").await;
    app.signed_up("bob").await;
    let forgotten = app.count_rows("sessions").await;

    let response = login_response(&app, "ann", false).await;
    assert_eq!(response.status(), 303);
    let cookie = session_cookie(&response).to_ascii_lowercase();
    assert!(
        !cookie.contains("max-age") && !cookie.contains("expires"),
        "{cookie}"
    );
    let ann_long = sessions_expiring_within(&app, "ann", 13).await;
    assert_eq!(ann_long, 1, "24 hours, not 14 days");
    assert_eq!(
        sessions_expiring_within(&app, "ann", 0).await,
        0,
        "but still live"
    );

    let response = login_response(&app, "bob", true).await;
    assert_eq!(response.status(), 303);
    let cookie = session_cookie(&response).to_ascii_lowercase();
    assert!(cookie.contains("max-age=1209600"), "{cookie}");
    assert_eq!(
        sessions_expiring_within(&app, "bob", 13).await,
        0,
        "14 days"
    );
    assert_eq!(app.count_rows("sessions").await, forgotten + 2);
}

#[tokio::test]
async fn the_shorter_lifetime_is_the_configured_one() {
    let app = spawn_app_with(|s| s.server.session_hours_without_remember_me = 2).await;
    app.signed_up("ann").await;
    assert_eq!(login_response(&app, "ann", false).await.status(), 303);
    let soon = (Utc::now() + Duration::minutes(90)).to_rfc3339();
    let later = (Utc::now() + Duration::minutes(150)).to_rfc3339();
    assert_eq!(
        app.count_rows(&format!(
            "sessions WHERE user_id = 1 AND julianday(expires) > julianday('{soon}') \
             AND julianday(expires) < julianday('{later}')"
        ))
        .await,
        1,
        "the configured 2 hours"
    );
}
