//! Reading comfort: people appear by the names they go by (messages, typing, presence,
//! private rooms), and a room opens with a line where the unread messages begin.

use serde_json::json;

use crate::helpers::rooms::group_with;
use crate::helpers::{Client, spawn_app};

async fn call_me(client: &Client, name: &str) {
    let response = client
        .post_form(
            "/profile/edit/",
            "/profile/edit/",
            &[("display_name", name), ("bio", "")],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
}

#[tokio::test]
async fn display_names_show_in_typing_presence_and_private_room_titles() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    call_me(&ada, "Ada Lovelace").await;

    let mut bram_page = bram.websocket("public-chat", "").await.expect("bram");
    let mut ada_socket = ada.json_socket("public-chat").await;
    let presence = bram_page.next_containing("Ada Lovelace").await;
    assert!(
        presence.contains(
            r#"<a href="/profile/ada/" class="side-link min-w-0" title="@ada"><span class="truncate">Ada Lovelace</span></a>"#
        ),
        "{presence}"
    );
    ada_socket.send_json(json!({ "type": "typing" })).await;
    let typing = bram_page.next_containing("is typing").await;
    assert!(
        typing.contains(r#"data-typing-user="ada""#) && typing.contains("Ada Lovelace is typing…"),
        "{typing}"
    );

    let dm = bram.get("/chat/dm/ada/").await;
    let path = dm.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let page = bram.get_text(&path).await;
    assert!(
        page.contains(r#"data-role="room-title">Ada Lovelace</span>"#),
        "the private room is titled by her name"
    );
    assert!(
        page.contains(r#"href="/profile/ada/""#),
        "and links her profile"
    );
    assert!(
        page.contains(r#"data-room-entry="#) && page.contains("Ada Lovelace"),
        "the room list names her too"
    );
}

#[tokio::test]
async fn a_room_opens_with_a_line_where_the_unread_messages_begin() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let name = group_with(&ann, "Garden", &["bob"]).await;
    let room = format!("/chat/room/{name}/");
    let mut ann_socket = ann.json_socket(&name).await;
    for body in ["seen one", "seen two"] {
        ann_socket.send_json(json!({ "body": body })).await;
        ann_socket.next_event("message").await;
    }
    // Bob's first visit: both are new to him. Opening the room reads it.
    let first = bob.get_text(&room).await;
    let line = first.find("id=\"new-since\"").expect("a line");
    assert!(line < first.find("seen one").expect("seen one"));
    for body in ["new one", "new two"] {
        ann_socket.send_json(json!({ "body": body })).await;
        ann_socket.next_event("message").await;
    }

    let page = bob.get_text(&room).await;
    let line = page.find("id=\"new-since\"").expect("the line is there");
    let first_new = page.find("new one").expect("new one");
    assert!(line < first_new, "the line comes before the first unread");
    assert!(
        page.find("seen two").expect("seen two") < line,
        "and after what was read"
    );
    assert!(
        !bob.get_text(&room).await.contains("id=\"new-since\""),
        "opening the room read it"
    );
}
