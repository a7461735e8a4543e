use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_message_reaches_every_open_socket_live() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let mut ann_ws = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("ann connects");
    let mut bob_ws = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("bob connects");
    let mut bob_browser = bob
        .websocket("public-chat", "")
        .await
        .expect("bob's htmx tab connects");

    ann_ws
        .send_json(json!({"type": "message", "body": "  hello, hearth  "}))
        .await;

    let event = bob_ws.next_event("message").await;
    assert_eq!(event["message"]["body"], "hello, hearth");
    assert_eq!(event["message"]["author"]["username"], "ann");
    assert_eq!(event["message"]["group"], "public-chat");
    assert!(
        event["message"]["created"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(
        ann_ws.next_event("message").await["message"]["id"],
        event["message"]["id"],
        "the sender sees it too"
    );

    let fragment = bob_browser.next_containing("hello, hearth").await;
    assert!(
        fragment.contains(r#"id="messages" hx-swap-oob="beforeend""#),
        "{fragment}"
    );
    assert!(fragment.contains(r#"data-author="ann""#));
    assert_eq!(app.count_rows("messages").await, 1);
}

#[tokio::test]
async fn the_htmx_form_frame_is_accepted_as_a_message() {
    let app = spawn_app().await;
    let client = app.signed_up("htmx").await;
    let mut socket = client.websocket("public-chat", "").await.expect("connects");
    socket
        .send_json(json!({"body": "from a form", "HEADERS": {"HX-Request": "true", "HX-Trigger": "message-form"}}))
        .await;
    let fragment = socket.next_containing("from a form").await;
    assert!(fragment.contains("<article"));
}

#[tokio::test]
async fn markup_in_a_message_is_shown_as_text() {
    let app = spawn_app().await;
    let client = app.signed_up("mallory").await;
    let mut socket = client.websocket("public-chat", "").await.expect("connects");
    socket
        .send_json(json!({"body": "<img src=x onerror=alert(1)>"}))
        .await;
    let fragment = socket.next_containing("onerror").await;
    assert!(
        fragment.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{fragment}"
    );
    assert!(!fragment.contains("<img src=x"));
}

#[tokio::test]
async fn presence_counts_a_person_with_several_sockets_once() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let mut watcher = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    assert_eq!(watcher.next_event("presence").await["online"], 1);
    let first = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let presence = watcher.next_event("presence").await;
    assert_eq!(presence["online"], 2);
    assert_eq!(presence["users"], json!(["ann", "bob"]));
    let second = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    drop(first);
    drop(second);
    assert_eq!(
        watcher.next_event("presence").await["online"],
        1,
        "bob left once, with his last socket"
    );
}

#[tokio::test]
async fn resume_sends_exactly_the_missed_messages_in_order() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let mut ann_ws = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    ann_ws.send_json(json!({"body": "seen"})).await;
    let seen = ann_ws.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");

    let mut bob_ws = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    for n in 1..=5 {
        bob_ws
            .send_json(json!({"body": format!("missed {n}")}))
            .await;
        ann_ws.next_event("message").await;
    }
    drop(ann_ws);

    let mut back = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("reconnects");
    back.send_json(json!({"type": "resume", "after": seen}))
        .await;
    for n in 1..=5 {
        assert_eq!(
            back.next_event("message").await["message"]["body"],
            format!("missed {n}")
        );
    }
    bob_ws.send_json(json!({"body": "live"})).await;
    assert_eq!(
        back.next_event("message").await["message"]["body"],
        "live",
        "live traffic after, no duplicates"
    );
}

async fn refused(app_client: &crate::helpers::Client, frame: Message, code: &str) {
    let mut socket = app_client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    socket.send_frame(frame).await;
    let error = socket.next_event("error").await;
    assert_eq!(error["code"], code, "{error}");
    assert!(error["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn every_bad_frame_gets_a_clear_error_and_stores_nothing() {
    let app = spawn_app().await;
    let client = app.signed_up("tester").await;
    let oversized = json!({"body": "x".repeat(17 * 1024)}).to_string();
    let too_long = json!({"body": "y".repeat(10_001)}).to_string();
    refused(&client, Message::text(oversized), "too_large").await;
    refused(&client, Message::text("{not json"), "malformed").await;
    refused(&client, Message::text(r#"{"body": "   \n\t "}"#), "invalid").await;
    refused(&client, Message::text(r#"{"body": ""}"#), "invalid").await;
    refused(&client, Message::text(r#"{"body": 42}"#), "invalid").await;
    refused(&client, Message::text(r#"{"type": "message"}"#), "invalid").await;
    refused(
        &client,
        Message::text(r#"{"type": "shout", "body": "hi"}"#),
        "unknown_type",
    )
    .await;
    refused(&client, Message::text(too_long), "invalid").await;
    refused(
        &client,
        Message::binary(vec![1u8, 2, 3]),
        "binary_unsupported",
    )
    .await;
    assert_eq!(app.count_rows("messages").await, 0);
}

#[tokio::test]
async fn a_browser_sees_a_refusal_as_an_out_of_band_fragment() {
    let app = spawn_app().await;
    let client = app.signed_up("viewer").await;
    let mut socket = client.websocket("public-chat", "").await.expect("connects");
    socket.send_json(json!({"body": "  "})).await;
    let fragment = socket.next_containing("chat-error").await;
    assert!(
        fragment.contains(r#"hx-swap-oob="true""#) && fragment.contains("may not be blank"),
        "{fragment}"
    );
}

#[tokio::test]
async fn a_frame_far_beyond_the_limit_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let client = app.signed_up("flooder").await;
    let mut socket = client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    socket.send_text(&"z".repeat(200 * 1024)).await;
    loop {
        match socket.next().await {
            Message::Close(Some(frame)) => {
                assert_eq!(frame.code, CloseCode::Size);
                break;
            }
            Message::Close(None) => panic!("closed without a code"),
            _ => continue,
        }
    }
    assert_eq!(app.count_rows("messages").await, 0);
}

#[tokio::test]
async fn sending_too_fast_is_refused_per_person() {
    let app = spawn_app_with(|s| {
        s.limits.ws_messages_per_second = 1;
        s.limits.ws_message_burst = 3;
    })
    .await;
    let client = app.signed_up("chatty").await;
    let mut socket = client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    for n in 0..4 {
        socket
            .send_json(json!({"body": format!("burst {n}")}))
            .await;
    }
    // Refusals come from the socket's loop, stored messages from its poster: wait for both.
    let (mut refused, mut stored) = (Vec::new(), 0);
    while refused.is_empty() || stored < 3 {
        let event: serde_json::Value =
            serde_json::from_str(&socket.next_text().await).expect("json");
        match event["type"].as_str() {
            Some("error") => refused.push(event["code"].clone()),
            Some("message") => stored += 1,
            _ => {}
        }
    }
    assert_eq!(refused, [json!("rate_limited")]);
    assert_eq!(app.count_rows("messages").await, 3);
}

#[tokio::test]
async fn a_visitor_cannot_open_the_socket() {
    let app = spawn_app().await;
    let visitor = app.client();
    visitor.get("/").await;
    let error = visitor
        .websocket("public-chat", "")
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("401"), "{error}");
}

#[tokio::test]
async fn a_foreign_or_missing_origin_is_refused() {
    let app = spawn_app().await;
    let client = app.signed_up("origin").await;
    for origin in [
        Some("http://evil.example"),
        Some("http://127.0.0.1:1"),
        None,
    ] {
        let error = client
            .websocket_from("public-chat", "", origin)
            .await
            .err()
            .expect("refused");
        assert!(error.to_string().contains("403"), "{origin:?}: {error}");
    }
}

#[tokio::test]
async fn an_unknown_room_is_not_found() {
    let app = spawn_app().await;
    let client = app.signed_up("lost").await;
    for room in ["nowhere", "Bad%20Name"] {
        let error = client.websocket(room, "").await.err().expect("refused");
        assert!(error.to_string().contains("404"), "{room}: {error}");
    }
}

/// Posts from several sockets at once are stored and delivered in batches (the outbox);
/// a watching socket still gets each message once, in id order, and each sender's
/// messages in the order it sent them.
#[tokio::test]
async fn concurrent_senders_are_seen_in_id_order_and_each_in_the_order_it_sent() {
    let app = spawn_app_with(|s| {
        s.limits.ws_messages_per_second = 10_000;
        s.limits.ws_message_burst = 10_000;
    })
    .await;
    let mut watching = app
        .signed_up("watcher")
        .await
        .json_socket("public-chat")
        .await;
    let mut senders = Vec::new();
    for n in 0..4 {
        let client = app.signed_up(&format!("sender{n}")).await;
        senders.push(client.json_socket("public-chat").await);
    }
    // Every frame goes out before any answer is read: they reach the server together.
    for round in 0..50 {
        for (n, socket) in senders.iter_mut().enumerate() {
            socket
                .send_json(json!({"type": "message", "body": format!("s{n}-{round}")}))
                .await;
        }
    }
    let mut ids = Vec::new();
    let mut next_round = [0; 4];
    while ids.len() < 200 {
        let event = watching.next_event("message").await;
        ids.push(event["message"]["id"].as_i64().expect("an id"));
        let body = event["message"]["body"].as_str().expect("a body");
        let (sender, round) = body
            .strip_prefix('s')
            .and_then(|rest| rest.split_once('-'))
            .expect("s{sender}-{round}");
        let sender: usize = sender.parse().expect("sender");
        let round: usize = round.parse().expect("round");
        assert_eq!(round, next_round[sender], "sender {sender}'s order");
        next_round[sender] += 1;
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids ascend: {ids:?}");
    assert_eq!(app.count_rows("messages").await, 200);
}
