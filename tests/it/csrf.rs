use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.client();
    client.get("/accounts/signup/").await;
    let fields = [
        ("username", "sneaky"),
        ("email", "s@example.org"),
        ("password1", PASSWORD),
        ("password2", PASSWORD),
    ];
    let response = client
        .http
        .post(client.url("/accounts/signup/"))
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("CSRF token missing or incorrect.")
    );
    assert_eq!(app.count_rows("users").await, 0);
}

#[tokio::test]
async fn a_wrong_csrf_token_is_refused_in_a_form_and_in_the_htmx_header() {
    let app = spawn_app().await;
    let client = app.signed_up("victim").await;
    let form = client
        .http
        .post(client.url("/accounts/logout/"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(form.status(), 403);
    let header = client
        .http
        .post(client.url("/accounts/logout/"))
        .header("X-CSRF-Token", "forged")
        .send()
        .await
        .expect("POST");
    assert_eq!(header.status(), 403);
    assert_eq!(
        client.get("/chat/").await.status(),
        200,
        "still signed in: logout never ran"
    );
}

#[tokio::test]
async fn the_htmx_header_token_is_accepted() {
    let app = spawn_app().await;
    let client = app.signed_up("htmxer").await;
    let token = client.csrf_token("/chat/").await;
    let response = client
        .http
        .post(client.url("/accounts/logout/"))
        .header("X-CSRF-Token", token)
        .header("HX-Request", "true")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 303);
    assert_eq!(client.get("/chat/").await.status(), 303);
}

#[tokio::test]
async fn a_token_from_another_session_does_not_work() {
    let app = spawn_app().await;
    let attacker = app.client();
    let their_token = attacker.csrf_token("/accounts/signup/").await;
    let victim = app.client();
    victim.get("/accounts/signup/").await;
    let fields = [
        ("username", "planted"),
        ("email", "p@example.org"),
        ("password1", PASSWORD),
        ("password2", PASSWORD),
        ("csrf_token", their_token.as_str()),
    ];
    let response = victim
        .http
        .post(victim.url("/accounts/signup/"))
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert_eq!(app.count_rows("users").await, 0);
}

#[tokio::test]
async fn a_cross_site_origin_is_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    let client = app.client();
    let token = client.csrf_token("/accounts/signup/").await;
    let fields = [
        ("username", "crosser"),
        ("email", "c@example.org"),
        ("password1", PASSWORD),
        ("password2", PASSWORD),
        ("csrf_token", token.as_str()),
    ];
    let response = client
        .http
        .post(client.url("/accounts/signup/"))
        .header("Origin", "http://evil.example")
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert_eq!(app.count_rows("users").await, 0);
}
