//! Messages rendered once, on the server: the same sanitised HTML in the fan-out fragment,
//! the page, history, the API and the JSON WebSocket; the words as typed stay what is
//! sealed, edited and served to programs as `body`.

use reqwest::Method;
use serde_json::json;

use crate::helpers::api::{call, person, public_room_messages_path};
use crate::helpers::rooms::group_with;
use crate::helpers::spawn_app;

const FORMATTED: &str = "**bold** and https://example.org/x";
const RENDERED: &str = "<p><strong>bold</strong> and <a href=\"https://example.org/x\" \
     target=\"_blank\" rel=\"noopener noreferrer nofollow ugc\">https://example.org/x</a></p>";

#[tokio::test]
async fn one_rendering_reaches_fragment_json_event_page_and_api() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let mut json_socket = ann.browser.json_socket("public-chat").await;
    let mut browser_socket = ann
        .browser
        .websocket("public-chat", "")
        .await
        .expect("connects");

    json_socket.send_json(json!({ "body": FORMATTED })).await;
    let event = json_socket.next_event("message").await;
    assert_eq!(
        event["message"]["body"], FORMATTED,
        "programs get the words"
    );
    assert_eq!(event["message"]["html"], RENDERED);
    let fragment = browser_socket
        .next_containing("<strong>bold</strong>")
        .await;
    assert!(fragment.contains(RENDERED), "{fragment}");

    let page = ann.browser.get_text("/chat/").await;
    assert!(page.contains(RENDERED), "the page shows the same HTML");

    let path = public_room_messages_path(&app, &ann.access).await;
    let (status, list) = call(&app, Method::GET, &path, &ann.access, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["results"][0]["body"], FORMATTED);
    assert_eq!(list["results"][0]["html"], RENDERED);
    let (status, created) = call(
        &app,
        Method::POST,
        &path,
        &ann.access,
        Some(&json!({ "body": "_it_" })),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["html"], "<p><em>it</em></p>");
}

#[tokio::test]
async fn a_plain_message_reaches_a_browser_as_a_small_fragment() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let mut socket = ann.websocket("public-chat", "").await.expect("connects");
    // 64 bytes, as in the measure.
    let body = "The kettle is on; come up to the third floor when you are ready.";
    assert_eq!(body.len(), 64);
    socket.send_json(json!({ "body": body })).await;
    let fragment = socket.next_containing(body).await;
    assert!(
        fragment.len() <= 600,
        "{} bytes: {fragment}",
        fragment.len()
    );
}

#[tokio::test]
async fn an_edit_renders_anew_and_the_editor_gets_the_words_as_typed() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let mut socket = ann.json_socket("public-chat").await;
    socket.send_json(json!({ "body": "*first*" })).await;
    let id = socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");

    let words_path = format!("/chat/room/public-chat/messages/{id}/words/");
    let words = ann.get(&words_path).await;
    assert_eq!(words.status(), 200);
    assert!(
        words.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/plain"))
    );
    assert_eq!(words.text().await.expect("text"), "*first*");

    socket
        .send_json(json!({ "type": "edit", "id": id, "body": "~~first~~ second" }))
        .await;
    let edited = socket.next_event("message_edited").await;
    assert_eq!(edited["message"]["body"], "~~first~~ second");
    assert_eq!(edited["message"]["html"], "<p><del>first</del> second</p>");
    assert_eq!(
        ann.get_text(&words_path).await,
        "~~first~~ second",
        "the edit box gets the new words"
    );
}

#[tokio::test]
async fn words_of_a_message_are_only_for_those_who_can_read_its_room() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let _bob = app.signed_up("bob").await;
    let eve = app.signed_up("eve").await;
    let group = group_with(&ann, "Secret", &["bob"]).await;
    let room = group
        .trim_start_matches("/chat/room/")
        .trim_end_matches('/');
    let mut socket = ann.json_socket(room).await;
    socket.send_json(json!({ "body": "between us" })).await;
    let id = socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");

    let theirs = format!("/chat/room/{room}/messages/{id}/words/");
    assert_eq!(eve.get(&theirs).await.status(), 404, "not a member");
    let elsewhere = format!("/chat/room/public-chat/messages/{id}/words/");
    assert_eq!(ann.get(&elsewhere).await.status(), 404, "not in that room");
    let anonymous = app.client();
    let answer = anonymous.get(&theirs).await;
    assert_ne!(answer.status(), 200, "logged out");
    assert!(
        !answer.text().await.expect("text").contains("between us"),
        "nothing leaks to a visitor"
    );
}
