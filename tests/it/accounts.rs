use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn signing_up_logs_the_person_in_and_opens_the_chat() {
    let app = spawn_app().await;
    let client = app.client();
    let response = client.signup("ember", "ember@example.org", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/chat/");
    let chat = client.get("/chat/").await;
    assert_eq!(chat.status(), 200);
    let page = chat.text().await.unwrap_or_default();
    assert!(
        page.contains(r#"data-me="ember""#),
        "the chat knows who is signed in"
    );
    assert_eq!(app.count_rows("users").await, 1);
}

#[tokio::test]
async fn the_chat_sends_visitors_to_log_in() {
    let app = spawn_app().await;
    let response = app.client().get("/chat/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/accounts/login/?next=/chat/"
    );
}

#[tokio::test]
async fn logging_in_by_username_or_email_and_out_again() {
    let app = spawn_app().await;
    app.signed_up("cinder").await;
    for login in [
        "cinder",
        "CINDER",
        "cinder@example.org",
        "Cinder@Example.org",
    ] {
        let client = app.client();
        let response = client.login(login, PASSWORD).await;
        assert_eq!(response.status(), 303, "log-in as {login}");
        assert_eq!(client.get("/chat/").await.status(), 200);
        assert_eq!(client.logout().await.status(), 303);
        assert_eq!(
            client.get("/chat/").await.status(),
            303,
            "logged out after logout"
        );
    }
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server_not_just_the_cookie() {
    let app = spawn_app().await;
    let client = app.signed_up("flint").await;
    let stolen_cookie = client.cookie_header().expect("a session cookie");
    client.logout().await;
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(client.url("/chat/"))
        .header("Cookie", stolen_cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        replay.status(),
        303,
        "a logged-out session key must not work again"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_one_message_for_every_reason() {
    let app = spawn_app().await;
    app.signed_up("ash").await;
    for (login, password) in [("ash", "wrong password 1"), ("nobody", PASSWORD), ("", "")] {
        let client = app.client();
        let response = client.login(login, password).await;
        assert_eq!(response.status(), 400);
        let page = response.text().await.unwrap_or_default();
        // minijinja escapes "/" as "&#x2f;"
        assert!(
            page.contains("The username and&#x2f;or password you specified are not correct."),
            "{login}"
        );
        assert_eq!(client.get("/chat/").await.status(), 303, "still a visitor");
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_lax_and_opaque() {
    let app = spawn_app().await;
    let client = app.client();
    let response = client.signup("spark", "spark@example.org", PASSWORD).await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("hearth_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(
        !cookie.contains("spark") && !cookie.contains("user_id"),
        "the cookie carries only a key: {cookie}"
    );
}

#[tokio::test]
async fn secure_cookies_are_marked_secure_when_configured() {
    let app = spawn_app_with(|s| s.server.secure_cookies = true).await;
    let response = app.client().get("/accounts/login/").await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

/// Each case: the fields sent, the field whose error must show, a fragment of the message.
#[tokio::test]
async fn every_invalid_sign_up_shows_its_error_and_stores_nothing() {
    let app = spawn_app_with(|s| s.limits.signup_per_minute = 100).await;
    app.signed_up("taken").await;
    let long = "x".repeat(31);
    let cases: Vec<([&str; 4], &str, &str)> = vec![
        (
            ["ab", "ab@example.org", PASSWORD, PASSWORD],
            "username",
            "3 to 30",
        ),
        (
            [&long, "l@example.org", PASSWORD, PASSWORD],
            "username",
            "3 to 30",
        ),
        (
            ["bad name", "b@example.org", PASSWORD, PASSWORD],
            "username",
            "only letters",
        ),
        (
            ["<script>", "s@example.org", PASSWORD, PASSWORD],
            "username",
            "only letters",
        ),
        (
            ["TAKEN", "new@example.org", PASSWORD, PASSWORD],
            "username",
            "already exists",
        ),
        (
            ["fresh", "TAKEN@example.org", PASSWORD, PASSWORD],
            "email",
            "already registered",
        ),
        (
            ["fresh", "not-an-email", PASSWORD, PASSWORD],
            "email",
            "valid email",
        ),
        (
            ["fresh", "f@example.org", PASSWORD, "another one 42"],
            "password2",
            "same password",
        ),
        (
            ["fresh", "f@example.org", "short1", "short1"],
            "password1",
            "too short",
        ),
        (
            ["fresh", "f@example.org", "1234567890123", "1234567890123"],
            "password1",
            "entirely numeric",
        ),
        (
            ["fresh", "f@example.org", "password", "password"],
            "password1",
            "too common",
        ),
        (
            [
                "freshperson",
                "f@example.org",
                "freshperson1",
                "freshperson1",
            ],
            "password1",
            "too similar",
        ),
    ];
    for ([username, email, p1, p2], field, fragment) in cases {
        let client = app.client();
        let response = client
            .post_form(
                "/accounts/signup/",
                "/accounts/signup/",
                &[
                    ("username", username),
                    ("email", email),
                    ("password1", p1),
                    ("password2", p2),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            400,
            "{username}/{email} should be refused"
        );
        let page = response.text().await.unwrap_or_default();
        let marker = format!(r#"data-error-for="{field}">"#);
        let shown = page
            .split(&marker)
            .skip(1)
            .any(|rest| rest.split('<').next().unwrap_or("").contains(fragment));
        assert!(
            shown,
            "expected {field} error containing {fragment:?} for {username}/{email}"
        );
        assert!(
            !page.contains(&format!(r#"value="{p1}""#)),
            "a password is never echoed back"
        );
    }
    assert_eq!(
        app.count_rows("users").await,
        1,
        "no refused sign-up stored anything"
    );
}

#[tokio::test]
async fn sign_up_is_rate_limited_per_address() {
    let app = spawn_app_with(|s| s.limits.signup_per_minute = 2).await;
    let client = app.client();
    for n in 0..2 {
        let response = client
            .signup(&format!("rate{n}"), "not-an-email", PASSWORD)
            .await;
        assert_eq!(response.status(), 400);
    }
    let throttled = client.signup("rate9", "rate9@example.org", PASSWORD).await;
    assert_eq!(throttled.status(), 429);
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    assert!(retry_after >= 1, "Retry-After says when to come back");
    assert_eq!(app.count_rows("users").await, 0);
}

#[tokio::test]
async fn log_in_is_rate_limited_per_address() {
    let app = spawn_app_with(|s| s.limits.login_per_minute = 3).await;
    app.signed_up("guarded").await;
    let client = app.client();
    for _ in 0..3 {
        assert_eq!(
            client.login("guarded", "wrong password").await.status(),
            400
        );
    }
    let throttled = client.login("guarded", PASSWORD).await;
    assert_eq!(
        throttled.status(),
        429,
        "even the right password waits once throttled"
    );
    assert!(throttled.headers().contains_key("retry-after"));
    assert_eq!(client.get("/chat/").await.status(), 303);
}

#[tokio::test]
async fn after_log_in_only_same_site_paths_are_followed() {
    let app = spawn_app().await;
    app.signed_up("path").await;
    for (next, expected) in [
        ("/chat/", "/chat/"),
        ("https://evil.example/", "/chat/"),
        ("//evil.example", "/chat/"),
    ] {
        let client = app.client();
        let response = client.login_then("path", PASSWORD, next).await;
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
}

#[tokio::test]
async fn mandatory_email_verification_does_not_log_a_new_account_in() {
    let app = spawn_app_with(|s| {
        s.accounts.email_verification = hearth::config::EmailVerification::Mandatory
    })
    .await;
    let client = app.client();
    let response = client
        .signup("careful", "careful@example.org", PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("Verify your email")
    );
    assert_eq!(client.get("/chat/").await.status(), 303);
}

#[tokio::test]
async fn the_first_account_of_a_fresh_install_becomes_its_admin_and_is_told_so() {
    let app = spawn_app().await;
    let page = app.client().get_text("/accounts/signup/").await;
    assert!(
        page.contains(r#"data-testid="first-admin""#),
        "the sign-up page says so"
    );
    app.signed_up("founder").await;
    app.signed_up("second").await;
    let page = app.client().get_text("/accounts/signup/").await;
    assert!(
        !page.contains(r#"data-testid="first-admin""#),
        "not once an admin exists"
    );
    use sea_orm::{ConnectionTrait, Database, Statement};
    let url = format!("sqlite://{}?mode=ro", app.database_path().display());
    let db = Database::connect(url).await.expect("open db");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT username, is_admin FROM users ORDER BY id".to_owned(),
        ))
        .await
        .expect("query");
    let admins: Vec<(String, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "username").expect("u"),
                r.try_get("", "is_admin").expect("a"),
            )
        })
        .collect();
    assert_eq!(
        admins,
        [("founder".to_owned(), true), ("second".to_owned(), false)]
    );
}

#[tokio::test]
async fn repeated_failures_for_one_account_bring_a_growing_delay_whatever_its_name() {
    let app = spawn_app_with(|s| s.limits.login_per_minute = 1000).await;
    app.signed_up("target").await;
    let client = app.client();
    for n in 0..5 {
        let login = if n % 2 == 0 {
            "target"
        } else {
            "target@example.org"
        };
        assert_eq!(
            client.login(login, "wrong guess 1").await.status(),
            400,
            "attempt {n}"
        );
    }
    for login in ["target", "TARGET@example.org"] {
        let held = client.login(login, PASSWORD).await;
        assert_eq!(
            held.status(),
            429,
            "even the right password waits, under any name"
        );
        assert!(held.headers().contains_key("retry-after"));
    }
    assert_eq!(client.get("/chat/").await.status(), 303);
    assert_eq!(
        app.client().login("other", "whatever 12").await.status(),
        400,
        "others unaffected"
    );
    // Time itself must pass: the first delay after five failures is one second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        client.login("target", PASSWORD).await.status(),
        303,
        "after the delay"
    );
}
