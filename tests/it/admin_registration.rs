//! `/admin/registration/`: the sign-up policy (open, closed, invite) honoured by the sign-up
//! page, invite links (expiry, max uses, revoke), and the admin pages' refusals.

use crate::helpers::{Client, PASSWORD, TestApp, spawn_app};

async fn set_policy(admin: &Client, policy: &str) {
    let response = admin
        .post_form(
            "/admin/registration/",
            "/admin/registration/",
            &[("policy", policy)],
        )
        .await;
    assert_eq!(response.status(), 303);
}

/// Creates an invite and returns its token, read from the link the page shows once.
async fn create_invite(admin: &Client, expires_days: &str, max_uses: &str) -> String {
    let response = admin
        .post_form(
            "/admin/registration/invites/",
            "/admin/registration/",
            &[("expires_days", expires_days), ("max_uses", max_uses)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("page");
    assert!(
        page.contains(r#"data-testid="invite-link""#),
        "the new link is shown"
    );
    regex::Regex::new(r"invite=([A-Za-z0-9_-]{20,})")
        .expect("regex")
        .captures(&page)
        .map(|c| c[1].to_owned())
        .expect("a token in the link")
}

async fn signup_with_invite(app: &TestApp, username: &str, invite: &str) -> reqwest::Response {
    signup_as(&app.client(), username, invite).await
}

/// Posts the sign-up form; the CSRF token comes from the log-in page, since a refused
/// sign-up page has no form to take it from.
async fn signup_as(client: &Client, username: &str, invite: &str) -> reqwest::Response {
    let email = format!("{username}@example.org");
    client
        .post_form(
            "/accounts/signup/",
            "/accounts/login/",
            &[
                ("username", username),
                ("email", &email),
                ("password1", PASSWORD),
                ("password2", PASSWORD),
                ("invite", invite),
            ],
        )
        .await
}

#[tokio::test]
async fn the_default_policy_is_open_and_open_lets_anyone_sign_up() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    let page = admin.get_text("/admin/registration/").await;
    assert!(page.contains("Current policy: open"));
    app.signed_up("anyone").await;
    set_policy(&admin, "closed").await;
    set_policy(&admin, "open").await;
    app.signed_up("another").await;
    assert_eq!(app.count_rows("users").await, 3);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'registration.policy'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_closed_policy_says_so_and_refuses_sign_up_storing_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    set_policy(&admin, "closed").await;
    let visitor = app.client();
    let page = visitor.get_text("/accounts/signup/").await;
    assert!(page.contains("Registration is closed on this Hearth."));
    assert!(!page.contains("name=\"password1\""), "no form to fill in");
    let response = signup_as(&visitor, "intruder", "").await;
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Registration is closed")
    );
    assert_eq!(app.count_rows("users").await, 1);
    // An invite does not open a closed site either.
    set_policy(&admin, "invite").await;
    let token = create_invite(&admin, "", "").await;
    set_policy(&admin, "closed").await;
    assert_eq!(
        signup_with_invite(&app, "sneaky", &token).await.status(),
        403
    );
    assert_eq!(app.count_rows("users").await, 1);
    assert_eq!(app.count_rows("invites WHERE uses > 0").await, 0);
}

#[tokio::test]
async fn a_fresh_install_lets_its_first_account_sign_up_whatever_the_policy() {
    let app = spawn_app().await;
    app.execute_sql(
        "INSERT INTO site_settings (name, value) VALUES ('registration_policy', 'closed')",
    )
    .await;
    let first = app.client();
    let page = first.get_text("/accounts/signup/").await;
    assert!(page.contains("data-testid=\"first-admin\""));
    assert_eq!(
        first
            .signup("founder", "founder@example.org", PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(app.count_rows("users WHERE is_admin").await, 1);
    let second = app.client();
    assert_eq!(signup_as(&second, "latecomer", "").await.status(), 403);
    assert_eq!(app.count_rows("users").await, 1);
}

#[tokio::test]
async fn invite_only_needs_a_live_invite_and_counts_each_use() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    set_policy(&admin, "invite").await;

    let visitor = app.client();
    let page = visitor.get_text("/accounts/signup/").await;
    assert!(page.contains("needs an invite link"));
    let response = signup_as(&visitor, "nobody", "").await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        signup_with_invite(&app, "guesser", "not-a-real-token-at-all")
            .await
            .status(),
        403
    );
    assert_eq!(app.count_rows("users").await, 1);

    let token = create_invite(&admin, "7", "2").await;
    // The token is stored only as its SHA-256.
    assert_eq!(
        app.count_rows(&format!("invites WHERE token_hash LIKE '%{token}%'"))
            .await,
        0
    );
    assert_eq!(
        app.count_rows("invites WHERE length(token_hash) = 64")
            .await,
        1
    );
    let form = visitor
        .get_text(&format!("/accounts/signup/?invite={token}"))
        .await;
    assert!(
        form.contains(&format!("name=\"invite\" value=\"{token}\"")),
        "the token rides along in a hidden field"
    );
    assert_eq!(
        signup_with_invite(&app, "guest1", &token).await.status(),
        303
    );
    assert_eq!(
        signup_with_invite(&app, "guest2", &token).await.status(),
        303
    );
    let third = signup_with_invite(&app, "guest3", &token).await;
    assert_eq!(third.status(), 403);
    assert!(
        third
            .text()
            .await
            .expect("body")
            .contains("already been used as many times as it allows")
    );
    assert_eq!(app.count_rows("users").await, 3);
    assert_eq!(app.count_rows("invites WHERE uses = 2").await, 1);
    let list = admin.get_text("/admin/registration/").await;
    assert!(
        list.contains("2 &#x2f; 2") || list.contains("2 / 2"),
        "uses listed"
    );
    assert!(list.contains("used up"));
}

#[tokio::test]
async fn a_use_that_fails_for_a_taken_username_is_not_counted() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    set_policy(&admin, "invite").await;
    let token = create_invite(&admin, "", "1").await;
    assert_eq!(signup_with_invite(&app, "root", &token).await.status(), 400);
    assert_eq!(app.count_rows("invites WHERE uses = 0").await, 1);
    assert_eq!(
        signup_with_invite(&app, "fresh", &token).await.status(),
        303
    );
}

#[tokio::test]
async fn two_people_racing_for_the_last_use_cannot_both_get_in() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    set_policy(&admin, "invite").await;
    let token = create_invite(&admin, "", "1").await;
    let (a, b) = tokio::join!(
        signup_with_invite(&app, "racer_a", &token),
        signup_with_invite(&app, "racer_b", &token)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 403]);
    assert_eq!(app.count_rows("users").await, 2);
    assert_eq!(app.count_rows("invites WHERE uses = 1").await, 1);
}

#[tokio::test]
async fn revoked_and_expired_invites_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    set_policy(&admin, "invite").await;
    let revoked = create_invite(&admin, "", "").await;
    let response = admin
        .post_form(
            "/admin/registration/invites/1/revoke/",
            "/admin/registration/",
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    let refused = signup_with_invite(&app, "late", &revoked).await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("has been revoked")
    );
    let page = app
        .client()
        .get_text(&format!("/accounts/signup/?invite={revoked}"))
        .await;
    assert!(page.contains("has been revoked"));
    // Revoking twice is refused (404) and changes nothing.
    let again = admin
        .post_form(
            "/admin/registration/invites/1/revoke/",
            "/admin/registration/",
            &[],
        )
        .await;
    assert_eq!(again.status(), 404);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'invite.revoke'")
            .await,
        1
    );

    let expiring = create_invite(&admin, "1", "").await;
    app.execute_sql("UPDATE invites SET expires = '2020-01-01T00:00:00+00:00' WHERE id = 2")
        .await;
    let refused = signup_with_invite(&app, "tardy", &expiring).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.expect("body").contains("has expired"));
    assert_eq!(app.count_rows("users").await, 1);
    assert_eq!(app.count_rows("invites WHERE uses > 0").await, 0);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'invite.create'")
            .await,
        2
    );
}

#[tokio::test]
async fn bad_invite_and_policy_input_is_refused_storing_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    for (days, uses) in [
        ("abc", ""),
        ("0", ""),
        ("", "-1"),
        ("", "100000"),
        ("366", ""),
    ] {
        let response = admin
            .post_form(
                "/admin/registration/invites/",
                "/admin/registration/",
                &[("expires_days", days), ("max_uses", uses)],
            )
            .await;
        assert_eq!(response.status(), 400, "{days:?} {uses:?}");
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("Enter a whole number")
        );
    }
    assert_eq!(app.count_rows("invites").await, 0);
    let response = admin
        .post_form(
            "/admin/registration/",
            "/admin/registration/",
            &[("policy", "everyone-but-bob")],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(app.count_rows("site_settings").await, 0);
    // Revoking an invite that does not exist.
    let response = admin
        .post_form(
            "/admin/registration/invites/99/revoke/",
            "/admin/registration/",
            &[],
        )
        .await;
    assert_eq!(response.status(), 404);
}

/// Every route of the registration, keys and backup areas, as (method, path).
const ROUTES: [(&str, &str); 8] = [
    ("GET", "/admin/registration/"),
    ("POST", "/admin/registration/"),
    ("POST", "/admin/registration/invites/"),
    ("POST", "/admin/registration/invites/1/revoke/"),
    ("GET", "/admin/keys/"),
    ("POST", "/admin/keys/rotate/"),
    ("GET", "/admin/keys/progress/"),
    ("GET", "/admin/backup/"),
];

#[tokio::test]
async fn visitors_and_non_admins_get_404_on_every_route_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    let member = app.signed_up("member").await;
    set_policy(&admin, "invite").await;
    create_invite(&admin, "", "").await;
    let keys_before =
        std::fs::read_to_string(app.data_dir.path().join("fernet.keys")).expect("keys");
    let visitor = app.client();
    let routes = ROUTES
        .iter()
        .copied()
        .chain([("POST", "/admin/backup/download/")]);
    for (method, path) in routes {
        for (who, client) in [("visitor", &visitor), ("member", &member)] {
            let form_page = if who == "visitor" {
                "/accounts/login/"
            } else {
                "/accounts/settings/"
            };
            let response = if method == "GET" {
                client.get(path).await
            } else {
                client
                    .post_form(
                        path,
                        form_page,
                        &[("policy", "open"), ("max_uses", "5"), ("expires_days", "")],
                    )
                    .await
            };
            assert_eq!(response.status(), 404, "{who} {method} {path}");
        }
    }
    assert_eq!(
        app.count_rows("site_settings WHERE value = 'invite'").await,
        1
    );
    assert_eq!(app.count_rows("invites").await, 1);
    assert_eq!(app.count_rows("invites WHERE revoked IS NOT NULL").await, 0);
    assert_eq!(app.count_rows("key_rotations").await, 0);
    assert_eq!(
        std::fs::read_to_string(app.data_dir.path().join("fernet.keys")).expect("keys"),
        keys_before
    );
}

#[tokio::test]
async fn admin_posts_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    let keys_before =
        std::fs::read_to_string(app.data_dir.path().join("fernet.keys")).expect("keys");
    for (path, fields) in [
        ("/admin/registration/", vec![("policy", "closed")]),
        ("/admin/registration/invites/", vec![("max_uses", "3")]),
        ("/admin/keys/rotate/", vec![]),
        ("/admin/backup/download/", vec![]),
    ] {
        let response = admin
            .http
            .post(admin.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 403, "{path}");
        let wrong = admin
            .http
            .post(admin.url(path))
            .form(&[fields.clone(), vec![("csrf_token", "forged")]].concat())
            .send()
            .await
            .expect("POST");
        assert_eq!(wrong.status(), 403, "{path} with a forged token");
    }
    assert_eq!(app.count_rows("site_settings").await, 0);
    assert_eq!(app.count_rows("invites").await, 0);
    assert_eq!(app.count_rows("key_rotations").await, 0);
    assert_eq!(
        std::fs::read_to_string(app.data_dir.path().join("fernet.keys")).expect("keys"),
        keys_before
    );
}
