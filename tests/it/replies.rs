//! Replies: a message answers another of the same room, shows a short quote of it in the
//! page, the socket event and the API, and "message deleted" once the original goes.

use reqwest::Method;
use serde_json::json;

use crate::helpers::api::{call, create_group, person, public_room_messages_path};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_reply_quotes_its_original_everywhere_until_it_is_deleted() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let mut ann_socket = ann.json_socket("public-chat").await;
    let mut bob_page = bob.websocket("public-chat", "").await.expect("connects");
    let long = format!("Are we meeting **today**? {}", "More words. ".repeat(20));
    ann_socket.send_json(json!({ "body": long })).await;
    let original = ann_socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");

    // A browser form sends every field as a string.
    let mut bob_socket = bob.json_socket("public-chat").await;
    bob_socket
        .send_json(json!({ "body": "Yes, at noon", "reply_to": original.to_string() }))
        .await;
    let reply = ann_socket.next_event("message").await["message"].clone();
    assert_eq!(reply["reply_to"], original);
    assert_eq!(reply["quote"]["author"]["username"], "ann");
    let excerpt = reply["quote"]["excerpt"].as_str().expect("excerpt");
    assert!(
        excerpt.starts_with("Are we meeting **today**? More words."),
        "{excerpt}"
    );
    assert_eq!(
        excerpt.chars().count(),
        121,
        "120 characters and an ellipsis"
    );
    let fragment = bob_page.next_containing("Yes, at noon").await;
    assert!(
        fragment.contains(&format!(
            r##"<a class="msg-reply" href="#message-{original}" data-reply-to="{original}"><b>ann</b> Are we meeting **today**?"##
        )),
        "{fragment}"
    );

    ann_socket
        .send_json(json!({ "type": "delete", "id": original }))
        .await;
    ann_socket.next_event("message_deleted").await;
    let page = bob.get_text("/chat/").await;
    assert!(
        page.contains("<i>message deleted</i>"),
        "the page says it went"
    );
    assert!(!page.contains("Are we meeting"), "and shows none of it");
}

#[tokio::test]
async fn a_reply_to_a_message_of_another_room_or_none_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let eve = person(&app, "eve").await;
    let group = create_group(&app, &ann, "Private", &[]).await;
    let in_group = format!("/api/groups/{}/messages/", group["id"]);
    let (_, secret) = call(
        &app,
        Method::POST,
        &in_group,
        &ann.access,
        Some(&json!({ "body": "the secret plan" })),
    )
    .await;
    let public = public_room_messages_path(&app, &eve.access).await;
    let before = app.count_rows("messages").await;
    for reply_to in [secret["id"].clone(), json!(999_999), json!("x"), json!(-3)] {
        let (status, answer) = call(
            &app,
            Method::POST,
            &public,
            &eve.access,
            Some(&json!({ "body": "what plan?", "reply_to": reply_to })),
        )
        .await;
        assert_eq!(status, 400, "{reply_to}: {answer}");
        assert!(answer["reply_to"].is_array(), "{answer}");
        assert!(!answer.to_string().contains("secret"), "nothing leaks");
    }
    let mut socket = eve.browser.json_socket("public-chat").await;
    socket
        .send_json(json!({ "body": "what plan?", "reply_to": secret["id"] }))
        .await;
    let error = socket.next_event("error").await;
    assert_eq!(error["code"], "not_found");
    assert_eq!(app.count_rows("messages").await, before);

    let (status, posted) = call(
        &app,
        Method::POST,
        &in_group,
        &ann.access,
        Some(&json!({ "body": "noted", "reply_to": secret["id"] })),
    )
    .await;
    assert_eq!(status, 201, "{posted}");
    assert_eq!(posted["quote"]["excerpt"], "the secret plan");
}
