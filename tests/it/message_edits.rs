//! Editing and deleting messages over the WebSocket: who may, live delivery, scrubbed files.

use serde_json::{Value, json};

use crate::helpers::rooms::group_with;
use crate::helpers::{Socket, TestApp, spawn_app};

/// The sealed body of message `id` straight from the SQLite file, `None` once it is gone.
async fn sealed_body(app: &TestApp, id: i64) -> Option<String> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let url = format!("sqlite://{}?mode=ro", app.database_path().display());
    let db = Database::connect(url).await.expect("open db");
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT body_sealed FROM messages WHERE id = {id}"),
    ))
    .await
    .expect("query")
    .map(|row| row.try_get::<String>("", "body_sealed").expect("body"))
}

/// Whether `needle` occurs anywhere in the database's main file or its WAL.
fn files_contain(app: &TestApp, needle: &str) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let path = format!("{}{suffix}", app.database_path().display());
        let bytes = std::fs::read(&path).unwrap_or_default();
        String::from_utf8_lossy(&bytes).contains(needle)
    })
}

/// Posts `body` and returns the id the server gave it.
async fn post(socket: &mut Socket, body: &str) -> i64 {
    socket.send_json(json!({ "body": body })).await;
    let event = socket.next_event("message").await;
    assert_eq!(event["message"]["body"], body);
    event["message"]["id"].as_i64().expect("id")
}

async fn refusal(socket: &mut Socket, command: Value) -> String {
    socket.send_json(command).await;
    socket.next_event("error").await["code"]
        .as_str()
        .expect("code")
        .to_owned()
}

#[tokio::test]
async fn an_edit_reaches_every_socket_in_both_formats_and_only_the_new_sealed_body_is_stored() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let mut ada_ws = ada.json_socket("public-chat").await;
    let mut bob_json = bob.json_socket("public-chat").await;
    let mut bob_html = bob.websocket("public-chat", "").await.expect("connects");

    let id = post(&mut ada_ws, "first draft old-canary-Zq1").await;
    bob_json.next_event("message").await;
    let old_sealed = sealed_body(&app, id).await.expect("stored");

    // A program's command, with `type`.
    ada_ws
        .send_json(json!({"type": "edit", "id": id, "body": "second draft new-canary-Zq2"}))
        .await;
    let edited = bob_json.next_event("message_edited").await;
    assert_eq!(edited["message"]["id"], id);
    assert_eq!(edited["message"]["body"], "second draft new-canary-Zq2");
    assert_eq!(edited["message"]["author"]["username"], "ada");
    assert!(edited["message"]["edited"].is_string(), "{edited}");
    assert_eq!(
        ada_ws.next_event("message_edited").await["message"]["id"],
        id
    );
    let fragment = bob_html.next_containing("new-canary-Zq2").await;
    assert!(
        fragment.contains(&format!(r#"id="message-{id}" hx-swap-oob="outerHTML""#)),
        "{fragment}"
    );
    assert!(fragment.contains("(edited)"), "{fragment}");

    // A browser's form, as the htmx ws extension sends it: every field a string.
    ada_ws
        .send_json(json!({
            "type": "edit", "id": id.to_string(), "body": "third draft",
            "HEADERS": {"HX-Request": "true"}
        }))
        .await;
    let edited = bob_json.next_event("message_edited").await;
    assert_eq!(edited["message"]["body"], "third draft");

    let new_sealed = sealed_body(&app, id).await.expect("still stored");
    assert_ne!(new_sealed, old_sealed);
    assert!(new_sealed.starts_with("gAAAAA"), "sealed: {new_sealed}");
    assert_eq!(app.count_rows("messages").await, 1);
    assert!(!files_contain(&app, "canary-Zq"), "plaintext on disk");
    assert!(
        !files_contain(&app, &old_sealed),
        "the replaced sealed body is still in the database files"
    );
    // A later page load shows the mark too.
    let page = bob.get_text("/chat/").await;
    assert!(page.contains("third draft") && page.contains("(edited)"));
}

#[tokio::test]
async fn editing_someone_elses_or_a_missing_message_is_not_found_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let eve = app.signed_up("eve").await;
    let mut ada_ws = ada.json_socket("public-chat").await;
    let mut eve_ws = eve.json_socket("public-chat").await;
    let id = post(&mut ada_ws, "ada's words").await;
    let sealed = sealed_body(&app, id).await.expect("stored");

    for command in [
        json!({"type": "edit", "id": id, "body": "eve's words"}),
        json!({"type": "edit", "id": id + 1000, "body": "nothing"}),
        json!({"type": "delete", "id": id}),
        json!({"type": "delete", "id": id + 1000}),
    ] {
        assert_eq!(
            refusal(&mut eve_ws, command.clone()).await,
            "not_found",
            "{command}"
        );
    }
    assert_eq!(
        refusal(
            &mut ada_ws,
            json!({"type": "edit", "id": 99_999, "body": "x"})
        )
        .await,
        "not_found"
    );
    assert_eq!(
        refusal(&mut ada_ws, json!({"type": "delete", "id": 99_999})).await,
        "not_found"
    );
    assert_eq!(
        sealed_body(&app, id).await.as_deref(),
        Some(sealed.as_str())
    );
    assert_eq!(app.count_rows("messages").await, 1);
}

#[tokio::test]
async fn invalid_edits_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let mut ada_ws = ada.json_socket("public-chat").await;
    let id = post(&mut ada_ws, "keep me").await;
    let sealed = sealed_body(&app, id).await.expect("stored");

    let too_long = "x".repeat(10_001);
    for command in [
        json!({"type": "edit", "id": id, "body": ""}),
        json!({"type": "edit", "id": id, "body": "   "}),
        json!({"type": "edit", "id": id, "body": too_long}),
        json!({"type": "edit", "id": id, "body": 5}),
        json!({"type": "edit", "id": id}),
        json!({"type": "edit", "body": "no id"}),
        json!({"type": "delete", "id": "first"}),
        json!({"type": "delete", "id": -1}),
    ] {
        assert_eq!(
            refusal(&mut ada_ws, command.clone()).await,
            "invalid",
            "{command}"
        );
    }
    assert_eq!(
        sealed_body(&app, id).await.as_deref(),
        Some(sealed.as_str())
    );
}

#[tokio::test]
async fn deleting_ones_own_message_removes_it_everywhere_and_from_the_files() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let mut ada_ws = ada.json_socket("public-chat").await;
    let mut bob_json = bob.json_socket("public-chat").await;
    let mut bob_html = bob.websocket("public-chat", "").await.expect("connects");
    let keep = post(&mut ada_ws, "this one stays").await;
    let gone = post(&mut ada_ws, "this one goes").await;
    let sealed = sealed_body(&app, gone).await.expect("stored");
    assert!(files_contain(&app, &sealed), "sanity: the token is on disk");
    assert_eq!(app.count_rows("messages").await, 2);

    ada_ws
        .send_json(json!({"type": "delete", "id": gone}))
        .await;
    assert_eq!(
        bob_json.next_event("message_deleted").await,
        json!({"type": "message_deleted", "id": gone})
    );
    let fragment = bob_html.next_containing("delete").await;
    assert_eq!(
        fragment,
        format!(r#"<article id="message-{gone}" hx-swap-oob="delete"></article>"#)
    );
    assert_eq!(app.count_rows("messages").await, 1);
    assert!(sealed_body(&app, gone).await.is_none());
    assert!(sealed_body(&app, keep).await.is_some());
    assert!(
        !files_contain(&app, &sealed),
        "the deleted sealed body is still in the database files"
    );
    assert!(!bob.get_text("/chat/").await.contains("this one goes"));
    // Gone means gone: a second delete finds nothing.
    assert_eq!(
        refusal(&mut ada_ws, json!({"type": "delete", "id": gone})).await,
        "not_found"
    );
}

#[tokio::test]
async fn a_group_admin_deletes_a_members_message_but_a_member_cannot_delete_the_admins() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let room = group_with(&ada, "Team", &["bram"]).await;
    let mut ada_ws = ada.json_socket(&room).await;
    let mut bram_ws = bram.json_socket(&room).await;

    let admins = post(&mut ada_ws, "from the admin").await;
    bram_ws.next_event("message").await;
    let members = post(&mut bram_ws, "from a member").await;
    ada_ws.next_event("message").await;

    assert_eq!(
        refusal(&mut bram_ws, json!({"type": "delete", "id": admins})).await,
        "not_found"
    );
    // The admin may delete, not rewrite, another's words.
    assert_eq!(
        refusal(
            &mut ada_ws,
            json!({"type": "edit", "id": members, "body": "rewritten"})
        )
        .await,
        "not_found"
    );
    assert_eq!(app.count_rows("messages").await, 2);

    ada_ws
        .send_json(json!({"type": "delete", "id": members}))
        .await;
    assert_eq!(bram_ws.next_event("message_deleted").await["id"], members);
    assert_eq!(app.count_rows("messages").await, 1);
    assert!(sealed_body(&app, admins).await.is_some());
}
