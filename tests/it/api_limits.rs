//! The per-user API rate limit and CORS on `/api`.

use reqwest::Method;
use serde_json::json;

use crate::helpers::api::{call, person};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_user_over_the_api_limit_is_throttled_and_others_are_not() {
    let app = spawn_app_with(|s| s.api.requests_per_minute = 3).await;
    // `person` spends one request finding its own id.
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    for _ in 0..2 {
        let (status, _) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
        assert_eq!(status, 200);
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/groups/", app.address))
        .bearer_auth(&ann.access)
        .json(&json!({"title": "Over the limit"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 429);
    let wait: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"detail": format!("Request was throttled. Expected available in {wait} seconds.")})
    );
    assert_eq!(app.count_rows("rooms").await, 1, "nothing stored");

    let (status, _) = call(&app, Method::GET, "/api/groups/", &bob.access, None).await;
    assert_eq!(status, 200, "the limit is per user");
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, format!("{}/api/groups/", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("OPTIONS")
}

fn allow_origin(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn a_preflight_from_a_listed_origin_succeeds_and_others_are_refused() {
    let app = spawn_app_with(|s| s.api.cors_origins = vec!["https://app.example.org".into()]).await;
    let allowed = preflight(&app, "https://app.example.org").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(allow_origin(&allowed), Some("https://app.example.org"));
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .expect("methods");
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .expect("headers")
        .to_ascii_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );

    for origin in ["https://evil.example.org", "http://app.example.org", "null"] {
        let refused = preflight(&app, origin).await;
        assert!(
            refused.status().is_client_error(),
            "{origin}: {}",
            refused.status()
        );
        assert_eq!(allow_origin(&refused), None, "{origin}");
    }

    let ann = person(&app, "ann").await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/groups/", app.address))
        .header("Origin", "https://app.example.org")
        .bearer_auth(&ann.access)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    assert_eq!(allow_origin(&response), Some("https://app.example.org"));
    let response = reqwest::Client::new()
        .get(format!("{}/api/groups/", app.address))
        .header("Origin", "https://evil.example.org")
        .bearer_auth(&ann.access)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        allow_origin(&response),
        None,
        "the browser withholds the answer"
    );
}

#[tokio::test]
async fn by_default_the_api_is_same_origin_only() {
    let app = spawn_app().await;
    let refused = preflight(&app, "https://app.example.org").await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    assert_eq!(allow_origin(&refused), None);
    // Programs send no Origin at all and are unaffected.
    let ann = person(&app, "ann").await;
    let (status, _) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_cors_origin_that_is_not_an_origin_is_refused_at_start() {
    let mut settings = hearth::config::Settings::default();
    settings.api.cors_origins = vec!["https://app.example.org/path".into()];
    assert!(settings.validate().is_err());
    settings.api.cors_origins = vec!["https://app.example.org:8443".into()];
    assert!(settings.validate().is_ok());
}
