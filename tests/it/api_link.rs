//! `Content-Type: application/fernet`: sealed requests opened, answers sealed, and every
//! token that does not open refused with nothing stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use hearth::config::Secret;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{Person, call, person};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

fn key(byte: u8) -> String {
    URL_SAFE.encode([byte; 32])
}

fn fernet(byte: u8) -> fernet::Fernet {
    fernet::Fernet::new(&key(byte)).expect("a Fernet key")
}

async fn linked_app() -> TestApp {
    spawn_app_with(|s| s.api.link_key = Secret::new(key(7))).await
}

/// Sends `sealed` as an `application/fernet` body; the status, content type and text.
async fn send_sealed(
    app: &TestApp,
    path: &str,
    who: &Person,
    sealed: String,
) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", app.address))
        .bearer_auth(&who.access)
        .header("Content-Type", "application/fernet")
        .body(sealed)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.expect("text"))
}

#[tokio::test]
async fn a_sealed_request_is_opened_and_answered_sealed() {
    let app = linked_app().await;
    let ann = person(&app, "ann").await;
    let link = fernet(7);
    let sealed = link.encrypt(json!({"title": "Sealed club"}).to_string().as_bytes());
    let (status, kind, text) = send_sealed(&app, "/api/groups/", &ann, sealed).await;
    assert_eq!(status, 201, "{text}");
    assert_eq!(kind, "application/fernet");
    assert!(!text.contains("Sealed club"), "the answer is sealed");
    let group: Value = serde_json::from_slice(&link.decrypt(&text).expect("opens")).expect("json");
    assert_eq!(group["title"], "Sealed club");
    assert_eq!(group["admin"], ann.id);

    // A refusal inside the handler is sealed too.
    let sealed = link.encrypt(json!({"title": ""}).to_string().as_bytes());
    let (status, kind, text) = send_sealed(&app, "/api/groups/", &ann, sealed).await;
    assert_eq!((status, kind.as_str()), (400, "application/fernet"));
    let refusal: Value =
        serde_json::from_slice(&link.decrypt(&text).expect("opens")).expect("json");
    assert_eq!(refusal, json!({"title": ["This field may not be blank."]}));

    // A GET asks for a sealed answer with Accept.
    let response = reqwest::Client::new()
        .get(format!("{}/api/groups/{}/", app.address, group["id"]))
        .bearer_auth(&ann.access)
        .header("Accept", "application/fernet")
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let opened = link
        .decrypt(&response.text().await.expect("text"))
        .expect("opens");
    assert_eq!(
        serde_json::from_slice::<Value>(&opened).expect("json"),
        group
    );
    // Plain JSON still works alongside.
    let (status, _) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_tampered_malformed_or_foreign_token_is_refused_and_nothing_is_stored() {
    let app = linked_app().await;
    let ann = person(&app, "ann").await;
    let rooms = app.count_rows("rooms").await;
    let body = json!({"title": "Never"}).to_string();
    let good = fernet(7).encrypt(body.as_bytes());
    let mut tampered = good.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let invalid = json!({"detail": "Fernet token is invalid: malformed, tampered with, or sealed under another key."});
    let cases = [
        (String::from_utf8(tampered).expect("ascii"), invalid.clone()),
        (fernet(8).encrypt(body.as_bytes()), invalid.clone()),
        ("not a token".to_owned(), invalid.clone()),
    ];
    for (sealed, expected) in cases {
        let (status, kind, text) = send_sealed(&app, "/api/groups/", &ann, sealed).await;
        assert_eq!((status, kind.as_str()), (400, "application/json"), "{text}");
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("json"),
            expected
        );
    }
    let (status, _, text) = send_sealed(&app, "/api/groups/", &ann, "A".repeat(1_100_000)).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("Request body is larger than"), "{text}");
    assert_eq!(app.count_rows("rooms").await, rooms);
}

#[test]
fn a_link_key_that_is_not_a_fernet_key_is_refused_at_start() {
    let mut settings = hearth::config::Settings::default();
    settings.api.link_key = Secret::new("too short");
    assert!(settings.validate().is_err());
    settings.api.link_key = Secret::new(key(7));
    assert!(settings.validate().is_ok());
}

#[tokio::test]
async fn a_token_older_than_the_ttl_is_refused_as_expired() {
    let app = spawn_app_with(|s| {
        s.api.link_key = Secret::new(key(7));
        s.api.link_ttl_seconds = 1;
    })
    .await;
    let ann = person(&app, "ann").await;
    let sealed = fernet(7).encrypt(br#"{"title":"Late"}"#);
    // Time itself must pass: Fernet stamps tokens in whole seconds, so past a TTL of one
    // second for sure takes more than two.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let (status, _, text) = send_sealed(&app, "/api/groups/", &ann, sealed).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json"),
        json!({"detail": "Fernet token has expired."})
    );
    assert_eq!(app.count_rows("rooms").await, 1);
}

#[tokio::test]
async fn with_no_link_key_a_sealed_body_answers_415() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let sealed = fernet(7).encrypt(br#"{"title":"Off"}"#);
    let (status, _, text) = send_sealed(&app, "/api/groups/", &ann, sealed).await;
    assert_eq!(status, 415);
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json"),
        json!({"detail": "Unsupported media type in request."})
    );
    assert_eq!(app.count_rows("rooms").await, 1);
}
