//! Losing access ends open sockets at once: a removed member stops reading, not only
//! writing; a deleted room's sockets close; a deleted account's sockets close.

use crate::helpers::rooms::{act, group_with, remove_member};
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_removed_member_and_a_leaver_lose_their_open_sockets_and_others_keep_theirs() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let cleo = app.signed_up("cleo").await;
    let room = group_with(&ada, "Team", &["bram", "cleo"]).await;
    let mut bram_here = bram.json_socket(&room).await;
    let mut bram_public = bram
        .websocket("public-chat", "?format=json")
        .await
        .expect("public");
    let mut cleo_here = cleo.json_socket(&room).await;
    let mut ada_here = ada.json_socket(&room).await;

    let removed = remove_member(&ada, &room, "bram").await;
    assert_eq!(removed.status(), 303);
    assert_eq!(
        bram_here.close_code().await,
        Some(4004),
        "removed: the socket closes"
    );

    ada_here
        .send_json(serde_json::json!({"type": "message", "body": "after bram left"}))
        .await;
    let seen = cleo_here.next_event("message").await;
    assert_eq!(
        seen["message"]["body"], "after bram left",
        "the others keep theirs"
    );
    bram_public
        .send_json(serde_json::json!({"type": "message", "body": "still here"}))
        .await;
    assert_eq!(
        bram_public.next_event("message").await["message"]["body"],
        "still here",
        "bram's socket in another room stays"
    );

    let left = act(&cleo, &format!("/chat/room/{room}/leave/"), &room, &[]).await;
    assert_eq!(left.status(), 303);
    assert_eq!(
        cleo_here.close_code().await,
        Some(4004),
        "leaving closes one's own sockets"
    );

    let deleted = act(&ada, &format!("/chat/room/{room}/delete/"), &room, &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(
        ada_here.close_code().await,
        Some(4004),
        "a deleted room's sockets close"
    );
}

#[tokio::test]
async fn a_deleted_accounts_sockets_close() {
    let app = spawn_app().await;
    let _admin = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let mut socket = bram.websocket("public-chat", "").await.expect("joins");
    let deleted = bram
        .post_form(
            "/accounts/settings/delete/",
            "/accounts/settings/",
            &[("delete_password", PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(socket.close_code().await, Some(4003));
}
