//! `/api/token/` and `/api/token/refresh/` as a simplejwt client sees them, and every way
//! a token or a request is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hearth::config::Secret;
use hearth::frontend::auth::jwt::{Claims, TokenType, derive_key};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::api::{get_with_token, obtain, post_json};
use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with};

/// The server secret tests set when they sign tokens themselves.
const SECRET: &str = "a test secret that is long enough to be accepted";

async fn deactivate(app: &TestApp, username: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let url = format!("sqlite://{}?mode=rw", app.database_path().display());
    let db = Database::connect(url).await.expect("open db");
    db.execute_unprepared(&format!(
        "UPDATE users SET is_active = 0 WHERE username = '{username}'"
    ))
    .await
    .expect("deactivate");
}

fn assert_token_not_valid(body: &Value) {
    assert_eq!(
        body,
        &json!({"detail": "Given token not valid for any token type", "code": "token_not_valid"})
    );
}

fn with_secret(settings: &mut hearth::config::Settings) {
    settings.secrets.secret_key = Secret::new(SECRET);
}

fn claims(user_id: i64, kind: TokenType, exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        token_type: kind,
        exp: now + exp_offset,
        iat: now,
        jti: "test-jti".into(),
        user_id,
    }
}

fn sign(claims: &Claims, alg: Algorithm) -> String {
    let key = EncodingKey::from_secret(&derive_key(SECRET.as_bytes()));
    jsonwebtoken::encode(&Header::new(alg), claims, &key).expect("sign")
}

#[tokio::test]
async fn a_pair_is_obtained_by_username_or_email_and_the_access_token_works() {
    let app = spawn_app().await;
    let (access, refresh) = obtain(&app, "alice").await;
    assert_ne!(access, refresh);
    let (status, body) = post_json(
        &app,
        "/api/token/",
        &json!({"username": "ALICE@example.org", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.count_rows("refresh_tokens").await, 2);

    let response = get_with_token(&app, "/api/users/", &access).await;
    assert_eq!(response.status(), 200);
    let payload: Value = {
        let middle = access.split('.').nth(1).expect("payload");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(middle).expect("b64")).expect("json")
    };
    assert_eq!(payload["token_type"], "access");
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        300
    );
    assert!(payload["jti"].is_string() && payload["user_id"].is_i64());
}

#[tokio::test]
async fn bad_credentials_answer_401_and_store_nothing() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    for body in [
        json!({"username": "alice", "password": "wrong password"}),
        json!({"username": "nobody", "password": PASSWORD}),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}/api/token/", app.address))
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"api\""
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({"detail": "No active account found with the given credentials"})
        );
    }
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn missing_null_blank_or_mistyped_fields_answer_drf_field_errors() {
    let app = spawn_app().await;
    let (status, body) = post_json(&app, "/api/token/", &json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"username": ["This field is required."], "password": ["This field is required."]})
    );
    let (status, body) = post_json(
        &app,
        "/api/token/",
        &json!({"username": " ", "password": null}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"username": ["This field may not be blank."], "password": ["This field may not be null."]})
    );
    let (status, body) = post_json(
        &app,
        "/api/token/",
        &json!({"username": ["alice"], "password": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"username": ["Not a valid string."]}));
    let (status, body) = post_json(&app, "/api/token/refresh/", &json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"refresh": ["This field is required."]}));
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn malformed_json_answers_400_json_and_another_media_type_415() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/token/", app.address))
        .header("Content-Type", "application/json")
        .body(r#"{"username": "alice", "password": "#)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.starts_with("JSON parse error - "), "{detail}");

    let response = client
        .post(format!("{}/api/token/", app.address))
        .header("Content-Type", "text/plain")
        .body(format!(
            r#"{{"username": "alice", "password": "{PASSWORD}"}}"#
        ))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("json");
    assert!(body["detail"].is_string());
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn a_body_over_max_body_answers_413_json_and_stores_nothing() {
    let app = spawn_app_with(|s| s.server.max_body = 1024).await;
    app.signed_up("alice").await;
    let (status, body) = post_json(
        &app,
        "/api/token/",
        &json!({"username": "alice", "password": "x".repeat(2000)}),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!({"detail": "Request body is larger than 1024 bytes."})
    );
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn refresh_rotates_and_the_used_refresh_token_is_refused_on_reuse() {
    let app = spawn_app().await;
    let (_, first) = obtain(&app, "alice").await;
    let (status, pair) = post_json(&app, "/api/token/refresh/", &json!({"refresh": first})).await;
    assert_eq!(status, 200, "{pair}");
    let second = pair["refresh"].as_str().expect("refresh").to_owned();
    assert_ne!(second, first);
    let access = pair["access"].as_str().expect("access");
    assert_eq!(
        get_with_token(&app, "/api/users/", access).await.status(),
        200
    );
    assert_eq!(app.count_rows("refresh_tokens").await, 2);

    let (status, body) = post_json(&app, "/api/token/refresh/", &json!({"refresh": first})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"detail": "Token is invalid or expired", "code": "token_not_valid"})
    );
    assert_eq!(
        app.count_rows("refresh_tokens").await,
        2,
        "the refused reuse stored nothing"
    );
    let (status, _) = post_json(&app, "/api/token/refresh/", &json!({"refresh": second})).await;
    assert_eq!(status, 200, "the rotated token still works");
}

#[tokio::test]
async fn an_access_token_does_not_refresh_and_a_refresh_token_does_not_authenticate() {
    let app = spawn_app().await;
    let (access, refresh) = obtain(&app, "alice").await;
    let (status, body) = post_json(&app, "/api/token/refresh/", &json!({"refresh": access})).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "token_not_valid");
    let response = get_with_token(&app, "/api/users/", &refresh).await;
    assert_eq!(response.status(), 401);
    assert_token_not_valid(&response.json().await.expect("json"));
    assert_eq!(app.count_rows("refresh_tokens").await, 1);
}

#[tokio::test]
async fn a_token_signed_with_the_derived_key_works_until_it_expires() {
    let app = spawn_app_with(with_secret).await;
    let (access, _) = obtain(&app, "alice").await;
    let user_id = {
        let middle = access.split('.').nth(1).expect("payload");
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(middle).expect("b64")).expect("json");
        payload["user_id"].as_i64().expect("user_id")
    };
    let live = sign(&claims(user_id, TokenType::Access, 60), Algorithm::HS256);
    assert_eq!(
        get_with_token(&app, "/api/users/", &live).await.status(),
        200
    );

    let expired = sign(&claims(user_id, TokenType::Access, -1), Algorithm::HS256);
    let response = get_with_token(&app, "/api/users/", &expired).await;
    assert_eq!(response.status(), 401);
    assert_token_not_valid(&response.json().await.expect("json"));

    let expired_refresh = sign(&claims(user_id, TokenType::Refresh, -1), Algorithm::HS256);
    let (status, body) = post_json(
        &app,
        "/api/token/refresh/",
        &json!({"refresh": expired_refresh}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "token_not_valid");
}

#[tokio::test]
async fn alg_none_and_other_algorithms_are_refused() {
    let app = spawn_app_with(with_secret).await;
    let (access, _) = obtain(&app, "alice").await;
    let payload = access.split('.').nth(1).expect("payload").to_owned();
    for header in [
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None", "typ": "JWT"}),
    ] {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            let response = get_with_token(&app, "/api/users/", &token).await;
            assert_eq!(response.status(), 401, "{token}");
            assert_token_not_valid(&response.json().await.expect("json"));
        }
    }
    let claims: Claims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).expect("b64")).expect("claims");
    let hs512 = sign(&claims, Algorithm::HS512);
    let response = get_with_token(&app, "/api/users/", &hs512).await;
    assert_eq!(response.status(), 401);
    assert_token_not_valid(&response.json().await.expect("json"));
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = spawn_app().await;
    let (access, _) = obtain(&app, "alice").await;
    obtain(&app, "bob").await;
    let parts: Vec<&str> = access.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["user_id"] = json!(claims["user_id"].as_i64().expect("id") + 1);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let response = get_with_token(&app, "/api/users/", &forged).await;
    assert_eq!(response.status(), 401);
    assert_token_not_valid(&response.json().await.expect("json"));

    let mut signature = parts[2].to_owned();
    let last = if signature.ends_with('A') { "B" } else { "A" };
    signature.replace_range(signature.len() - 1.., last);
    let resigned = format!("{}.{}.{signature}", parts[0], parts[1]);
    assert_eq!(
        get_with_token(&app, "/api/users/", &resigned)
            .await
            .status(),
        401
    );
    for garbage in ["", "not-a-jwt", "a.b.c"] {
        assert_eq!(
            get_with_token(&app, "/api/users/", garbage).await.status(),
            401,
            "{garbage:?}"
        );
    }
}

#[tokio::test]
async fn no_credentials_answer_401_not_provided() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for request in [
        client.get(format!("{}/api/users/", app.address)),
        client
            .get(format!("{}/api/users/", app.address))
            .basic_auth("alice", Some(PASSWORD)),
    ] {
        let response = request.send().await.expect("GET");
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"api\""
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({"detail": "Authentication credentials were not provided."})
        );
    }
}

#[tokio::test]
async fn a_deactivated_users_tokens_are_refused_and_nothing_is_issued() {
    let app = spawn_app().await;
    let (access, refresh) = obtain(&app, "alice").await;
    deactivate(&app, "alice").await;

    let response = get_with_token(&app, "/api/users/", &access).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"detail": "User is inactive"}));

    let (status, body) = post_json(&app, "/api/token/refresh/", &json!({"refresh": refresh})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"detail": "No active account found with the given credentials"})
    );
    let (status, _) = post_json(
        &app,
        "/api/token/",
        &json!({"username": "alice", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(app.count_rows("refresh_tokens").await, 1);
}

#[tokio::test]
async fn the_token_endpoints_are_rate_limited_per_ip_with_retry_after() {
    let app = spawn_app_with(|s| s.api.token_per_minute = 2).await;
    let wrong = json!({"username": "nobody", "password": "wrong"});
    for _ in 0..2 {
        let (status, _) = post_json(&app, "/api/token/", &wrong).await;
        assert_eq!(status, 401);
    }
    for path in ["/api/token/", "/api/token/refresh/"] {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", app.address))
            .json(&wrong)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 429, "{path}");
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry), "{retry}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({"detail": format!("Request was throttled. Expected available in {retry} seconds.")})
        );
    }
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn mandatory_verification_withholds_tokens_from_an_unverified_account() {
    let app = spawn_app_with(|s| {
        s.accounts.email_verification = hearth::config::EmailVerification::Mandatory;
    })
    .await;
    let client = app.client();
    assert_eq!(
        client
            .signup("unsure", "unsure@example.org", PASSWORD)
            .await
            .status(),
        200
    );
    let (status, body) = post_json(
        &app,
        "/api/token/",
        &json!({"username": "unsure", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body, json!({"detail": "E-mail address is not verified."}));
    let (status, _) = post_json(
        &app,
        "/api/token/",
        &json!({"username": "unsure", "password": "wrong one 1"}),
    )
    .await;
    assert_eq!(
        status, 401,
        "a wrong password still learns nothing about verification"
    );
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}

#[tokio::test]
async fn an_unknown_api_path_answers_404_in_json() {
    let app = spawn_app().await;
    for path in ["/api/nothing/", "/api/groups/1/nothing/", "/api/"] {
        let response = reqwest::get(format!("{}{path}", app.address))
            .await
            .expect("GET");
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.expect("json body");
        assert_eq!(body, json!({"detail": "Not found."}), "{path}");
    }
}

#[tokio::test]
async fn the_token_endpoint_shares_the_per_account_back_off_with_the_log_in_page() {
    let app = spawn_app_with(|s| s.limits.login_per_minute = 1000).await;
    app.signed_up("guarded").await;
    let page = app.client();
    for _ in 0..3 {
        assert_eq!(page.login("guarded", "wrong guess 1").await.status(), 400);
    }
    for _ in 0..2 {
        let (status, _) = post_json(
            &app,
            "/api/token/",
            &json!({"username": "guarded@example.org", "password": "nope nope 1"}),
        )
        .await;
        assert_eq!(status, 401);
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/token/", app.address))
        .json(&json!({"username": "guarded", "password": PASSWORD}))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 429, "five failures across both doors");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(app.count_rows("refresh_tokens").await, 0);
}
