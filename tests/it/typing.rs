//! Ephemeral room signals: "ann is typing…" (relayed to others, throttled, never
//! stored) and the site-wide online count in presence events.

use serde_json::{Value, json};

use crate::helpers::rooms::group_with;
use crate::helpers::{Socket, spawn_app};

/// Every event up to and including the next `message`, skipping presence.
async fn events_until_message(socket: &mut Socket) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let event: Value = serde_json::from_str(&socket.next_text().await).expect("json");
        if event["type"] == "presence" {
            continue;
        }
        let done = event["type"] == "message";
        seen.push(event);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn typing_reaches_the_others_but_not_the_typists_own_sockets_and_is_not_stored() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let room = group_with(&ann, "Typists", &["bob"]).await;
    let mut ann_a = ann.json_socket(&room).await;
    let mut ann_b = ann.json_socket(&room).await;
    let mut bob_json = bob.json_socket(&room).await;
    let mut bob_page = bob.websocket(&room, "").await.expect("connects");
    for socket in [&mut ann_b, &mut bob_json, &mut bob_page] {
        socket.joined().await;
    }

    ann_a.send_json(json!({"type": "typing"})).await;
    let event = bob_json.next_event("typing").await;
    assert_eq!(
        event,
        json!({"type": "typing", "user": "ann", "name": "ann"})
    );
    let fragment = bob_page.next_containing(r#"id="typing""#).await;
    assert!(fragment.contains("ann is typing…"), "{fragment}");
    assert!(fragment.contains(r#"data-typing-user="ann""#), "{fragment}");

    bob_json.send_json(json!({"body": "hi"})).await;
    let heard = events_until_message(&mut ann_b).await;
    assert_eq!(
        heard.len(),
        1,
        "ann's other socket got no typing: {heard:?}"
    );
    assert_eq!(
        app.count_rows("messages").await,
        1,
        "typing is never stored"
    );
}

#[tokio::test]
async fn typing_spam_is_throttled_and_does_not_use_up_the_message_allowance() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let room = group_with(&ann, "Typists", &["bob"]).await;
    let mut ann_json = ann.json_socket(&room).await;
    let mut bob_json = bob.json_socket(&room).await;
    bob_json.joined().await;

    for _ in 0..60 {
        ann_json.send_json(json!({"type": "typing"})).await;
    }
    ann_json.send_json(json!({"body": "after the spam"})).await;
    let own = ann_json.next_event("message").await;
    assert_eq!(own["message"]["body"], "after the spam", "not rate limited");

    let heard = events_until_message(&mut bob_json).await;
    let typing = heard.iter().filter(|e| e["type"] == "typing").count();
    assert_eq!(typing, 1, "60 frames, one relayed: {heard:?}");
    assert_eq!(app.count_rows("messages").await, 1);
}

#[tokio::test]
async fn presence_events_and_the_chat_page_carry_the_site_wide_online_count() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let room = group_with(&ann, "Typists", &["bob"]).await;
    let _ann_elsewhere = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let mut bob_json = bob.json_socket(&room).await;
    let presence = bob_json.next_event("presence").await;
    assert_eq!(presence["online"], 1, "only bob is in this room");
    assert_eq!(presence["online_total"], 2, "ann is online elsewhere");

    let mut bob_page = bob.websocket(&room, "").await.expect("connects");
    let _ann_here = ann.websocket(&room, "").await.expect("connects");
    let fragment = bob_page.next_containing(r#"id="online-total""#).await;
    assert!(fragment.contains(">2</span>"), "{fragment}");

    let page = bob.get_text(&format!("/chat/room/{room}/")).await;
    assert!(
        page.contains(r#"data-testid="online-total">2</span>"#),
        "the page shows it too"
    );
}
