//! `/ws/chatroom/{name}?format=json` for programs: authenticated by a JWT access token in
//! `Authorization` or `?token=`, with or without an Origin.

use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::api::obtain;
use crate::helpers::{Socket, TestApp, spawn_app};

/// Opens a program's socket: no cookies, optional bearer header and Origin.
async fn program_socket(
    app: &TestApp,
    room: &str,
    query: &str,
    bearer: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!(
        "{}/ws/chatroom/{room}{query}",
        app.address.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request()?;
    if let Some(token) = bearer {
        let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
        request.headers_mut().insert("Authorization", value);
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
    }
    let (stream, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(Socket { stream })
}

#[tokio::test]
async fn a_program_talks_with_browsers_over_a_token_authenticated_socket() {
    let app = spawn_app().await;
    let browser = app.signed_up("person").await;
    let (access, _) = obtain(&app, "robot").await;
    let mut program = program_socket(&app, "public-chat", "?format=json", Some(&access), None)
        .await
        .expect("a token needs no Origin");
    let mut tab = browser
        .websocket("public-chat", "?format=json")
        .await
        .expect("browser");

    program
        .send_json(json!({"type": "message", "body": "beep"}))
        .await;
    let seen = tab.next_event("message").await;
    assert_eq!(seen["message"]["author"]["username"], "robot");
    assert_eq!(seen["message"]["body"], "beep");

    tab.send_json(json!({"body": "hello robot"})).await;
    loop {
        let event = program.next_event("message").await;
        if event["message"]["body"] == "hello robot" {
            break;
        }
    }
    assert_eq!(app.count_rows("messages").await, 2);
}

#[tokio::test]
async fn the_token_may_come_in_the_query_and_resume_works_for_programs() {
    let app = spawn_app().await;
    let browser = app.signed_up("person").await;
    let (access, _) = obtain(&app, "robot").await;
    let mut tab = browser
        .websocket("public-chat", "?format=json")
        .await
        .expect("browser");
    for n in 1..=3 {
        tab.send_json(json!({"body": format!("m{n}")})).await;
        tab.next_event("message").await;
    }
    let query = format!("?format=json&token={access}");
    let mut program = program_socket(&app, "public-chat", &query, None, None)
        .await
        .expect("query token");
    program
        .send_json(json!({"type": "resume", "after": 0}))
        .await;
    for n in 1..=3 {
        assert_eq!(
            program.next_event("message").await["message"]["body"],
            format!("m{n}")
        );
    }
}

#[tokio::test]
async fn bad_tokens_foreign_origins_and_other_peoples_rooms_are_refused() {
    let app = spawn_app().await;
    let owner = app.signed_up("owner").await;
    let (access, refresh) = obtain(&app, "robot").await;
    let tampered = format!("{}x", &access[..access.len() - 1]);
    for (bearer, expected) in [
        ("not-a-jwt", "401"),
        (tampered.as_str(), "401"),
        (refresh.as_str(), "401"),
    ] {
        let error = program_socket(&app, "public-chat", "?format=json", Some(bearer), None)
            .await
            .err()
            .expect("refused");
        assert!(error.to_string().contains(expected), "{error}");
    }
    let foreign = program_socket(
        &app,
        "public-chat",
        "",
        Some(&access),
        Some("http://evil.example"),
    )
    .await
    .err()
    .expect("refused");
    assert!(foreign.to_string().contains("403"), "{foreign}");

    let created = owner
        .post_form(
            "/chat/new_groupchat/",
            "/chat/new_groupchat/",
            &[("title", "Private club")],
        )
        .await;
    let path = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let room = path.trim_start_matches("/chat/room/").trim_end_matches('/');
    let outsider = program_socket(&app, room, "?format=json", Some(&access), None)
        .await
        .err()
        .expect("refused");
    assert!(outsider.to_string().contains("404"), "{outsider}");
    assert_eq!(app.count_rows("messages").await, 0);
}
