//! Reactions over the JSON WebSocket, the browser socket and the API: live for the whole
//! room, one per person per emoji, and refusals that store nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{call, create_group, person, public_room_messages_path};
use crate::helpers::spawn_app;

/// `text` percent-encoded for a path segment.
fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn summary(reactions: &Value) -> Vec<(String, u64)> {
    reactions
        .as_array()
        .expect("reactions")
        .iter()
        .map(|r| {
            (
                r["emoji"].as_str().expect("emoji").to_owned(),
                r["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_reaction_reaches_everyone_in_the_room_live_and_is_taken_back() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let mut ann_socket = ann.json_socket("public-chat").await;
    let mut bob_socket = bob.json_socket("public-chat").await;
    let mut bob_page = bob.websocket("public-chat", "").await.expect("connects");
    ann_socket.send_json(json!({ "body": "lunch?" })).await;
    let id = ann_socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");

    bob_socket
        .send_json(json!({ "type": "react", "id": id, "emoji": "👍" }))
        .await;
    let added = ann_socket.next_event("reaction_added").await;
    assert_eq!(added["message"], id);
    assert_eq!(added["emoji"], "👍");
    assert_eq!(added["user"]["username"], "bob");
    assert_eq!(summary(&added["reactions"]), [("👍".to_owned(), 1)]);
    assert_eq!(added["reactions"][0]["users"][0]["username"], "bob");
    assert_eq!(
        bob_socket.next_event("reaction_added").await,
        added,
        "the reactor's sockets hear it too"
    );
    let fragment = bob_page.next_containing("reaction-update").await;
    assert!(
        fragment.contains(&format!(r#"data-message="{id}""#))
            && fragment.contains(r#"data-users=" bob ""#),
        "{fragment}"
    );

    // Twice is once; the second changes nothing and tells no one.
    bob_socket
        .send_json(json!({ "type": "react", "id": id, "emoji": "👍" }))
        .await;
    ann_socket
        .send_json(json!({ "type": "react", "id": id, "emoji": "👍" }))
        .await;
    let second = bob_socket.next_event("reaction_added").await;
    assert_eq!(
        second["user"]["username"], "ann",
        "bob's repeat sent nothing"
    );
    assert_eq!(summary(&second["reactions"]), [("👍".to_owned(), 2)]);

    ann_socket
        .send_json(json!({ "type": "unreact", "id": id, "emoji": "👍" }))
        .await;
    let removed = bob_socket.next_event("reaction_removed").await;
    assert_eq!(summary(&removed["reactions"]), [("👍".to_owned(), 1)]);

    let page = ann.get_text("/chat/").await;
    assert!(
        page.contains(r#"data-emoji="👍" data-users=" bob ""#),
        "the page shows it too"
    );
}

#[tokio::test]
async fn bad_reactions_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let mut socket = ann.json_socket("public-chat").await;
    socket.send_json(json!({ "body": "hello" })).await;
    let id = socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");
    for (command, code) in [
        (
            json!({ "type": "react", "id": id, "emoji": "yes" }),
            "invalid",
        ),
        (
            json!({ "type": "react", "id": id, "emoji": "👍👍" }),
            "invalid",
        ),
        (
            json!({ "type": "react", "id": id, "emoji": "<script>" }),
            "invalid",
        ),
        (json!({ "type": "react", "id": id }), "invalid"),
        (
            json!({ "type": "react", "id": id + 1000, "emoji": "👍" }),
            "not_found",
        ),
    ] {
        socket.send_json(command.clone()).await;
        let error = socket.next_event("error").await;
        assert_eq!(error["code"], code, "{command}");
    }
    assert_eq!(app.count_rows("reactions").await, 0);
}

#[tokio::test]
async fn the_api_adds_and_removes_reactions_and_refuses_what_is_not_the_callers() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let eve = person(&app, "eve").await;
    let public = public_room_messages_path(&app, &ann.access).await;
    let (_, posted) = call(
        &app,
        Method::POST,
        &public,
        &ann.access,
        Some(&json!({ "body": "vote" })),
    )
    .await;
    let id = posted["id"].as_i64().expect("id");
    assert_eq!(posted["reactions"], json!([]));
    let reactions = format!("{}{id}/reactions/", public);

    let (status, answer) = call(
        &app,
        Method::POST,
        &reactions,
        &ann.access,
        Some(&json!({ "emoji": "🔥" })),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["message"], id);
    assert_eq!(summary(&answer["reactions"]), [("🔥".to_owned(), 1)]);
    let (status, _) = call(
        &app,
        Method::POST,
        &reactions,
        &ann.access,
        Some(&json!({ "emoji": "🔥" })),
    )
    .await;
    assert_eq!(status, 200, "already there: nothing changed");
    let (_, message) = call(
        &app,
        Method::GET,
        &format!("{public}{id}/"),
        &eve.access,
        None,
    )
    .await;
    assert_eq!(summary(&message["reactions"]), [("🔥".to_owned(), 1)]);

    for (body, field) in [
        (json!({ "emoji": "fire" }), "emoji"),
        (json!({ "emoji": "" }), "emoji"),
        (json!({}), "emoji"),
        (json!({ "emoji": 5 }), "emoji"),
    ] {
        let (status, answer) = call(&app, Method::POST, &reactions, &eve.access, Some(&body)).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer[field].is_array(), "{answer}");
    }

    // A group Eve is not in: its messages are not hers to react to, nor to find.
    let group = create_group(&app, &ann, "Private", &[]).await;
    let in_group = format!("/api/groups/{}/messages/", group["id"]);
    let (_, secret) = call(
        &app,
        Method::POST,
        &in_group,
        &ann.access,
        Some(&json!({ "body": "secret" })),
    )
    .await;
    let secret_reactions = format!("{in_group}{}/reactions/", secret["id"]);
    let (status, _) = call(
        &app,
        Method::POST,
        &secret_reactions,
        &eve.access,
        Some(&json!({ "emoji": "👀" })),
    )
    .await;
    assert_eq!(status, 404);
    // The group's message through the public room's path: another room's message.
    let crossed = format!("{public}{}/reactions/", secret["id"]);
    let (status, _) = call(
        &app,
        Method::POST,
        &crossed,
        &ann.access,
        Some(&json!({ "emoji": "👀" })),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(app.count_rows("reactions").await, 1, "nothing more stored");

    // A message carries at most 20 kinds: the 21st is refused on `emoji`, storing nothing.
    for kind in emojis::iter()
        .map(|e| e.as_str())
        .filter(|e| *e != "🔥")
        .take(19)
    {
        let (status, answer) = call(
            &app,
            Method::POST,
            &reactions,
            &eve.access,
            Some(&json!({ "emoji": kind })),
        )
        .await;
        assert_eq!(status, 201, "{kind}: {answer}");
    }
    let (status, answer) = call(
        &app,
        Method::POST,
        &reactions,
        &eve.access,
        Some(&json!({ "emoji": "🦔" })),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["emoji"].is_array(), "{answer}");
    assert_eq!(app.count_rows("reactions").await, 20);
    for kind in emojis::iter()
        .map(|e| e.as_str())
        .filter(|e| *e != "🔥")
        .take(19)
    {
        let path = format!("{reactions}{}/", percent(kind));
        let (status, _) = call(&app, Method::DELETE, &path, &eve.access, None).await;
        assert_eq!(status, 204, "{kind}");
    }

    let fire = format!("{reactions}%F0%9F%94%A5/");
    let (status, _) = call(&app, Method::DELETE, &fire, &eve.access, None).await;
    assert_eq!(status, 404, "not eve's reaction");
    let (status, _) = call(&app, Method::DELETE, &fire, &ann.access, None).await;
    assert_eq!(status, 204);
    assert_eq!(app.count_rows("reactions").await, 0);
    let (status, answer) = call(
        &app,
        Method::DELETE,
        &format!("{reactions}nope/"),
        &ann.access,
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
}
