use serde_json::json;

use crate::helpers::{Client, spawn_app};

/// Creates a group through the form and returns its path.
async fn new_group(client: &Client, title: &str) -> String {
    let response = client
        .post_form(
            "/chat/new_groupchat/",
            "/chat/new_groupchat/",
            &[("title", title)],
        )
        .await;
    assert_eq!(response.status(), 303, "group {title} is created");
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

fn room_name(path: &str) -> &str {
    path.trim_start_matches("/chat/room/").trim_end_matches('/')
}

#[tokio::test]
async fn a_new_group_belongs_to_its_creator_and_is_hidden_from_others() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let eve = app.signed_up("eve").await;
    let path = new_group(&ada, "Book Club!").await;
    assert!(path.starts_with("/chat/room/book-club-"), "{path}");
    let page = ada.get_text(&path).await;
    assert!(page.contains(r#"data-role="room-title">Book Club!"#));
    assert!(
        ada.get_text("/chat/")
            .await
            .contains(&format!(r#"data-room="{}""#, room_name(&path)))
    );

    assert_eq!(
        eve.get(&path).await.status(),
        404,
        "a non-member sees nothing"
    );
    let error = eve
        .websocket(room_name(&path), "")
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("404"), "{error}");
    assert!(!eve.get_text("/chat/").await.contains(room_name(&path)));
    assert_eq!(
        eve.get("/chat/room/no-such-room/").await.status(),
        404,
        "same answer as missing"
    );
}

#[tokio::test]
async fn a_private_chat_is_one_room_for_exactly_two_people() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let eve = app.signed_up("eve").await;
    let first = ada.get("/chat/dm/bram/").await;
    assert_eq!(first.status(), 303);
    let path = first.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let again = bram.get("/chat/dm/ada/").await;
    assert_eq!(
        again.headers()["location"],
        path.as_str(),
        "either side opens the same room"
    );
    assert_eq!(
        app.count_rows("rooms").await,
        2,
        "public chat and one private room"
    );
    assert!(
        bram.get_text(&path)
            .await
            .contains(r#"data-role="room-title">@ada"#)
    );

    assert_eq!(eve.get(&path).await.status(), 404);
    assert!(eve.websocket(room_name(&path), "").await.is_err());
    for target in [
        "/chat/dm/ada/",
        "/chat/dm/nobody/",
        "/chat/dm/Not%20A%20Name/",
    ] {
        let status = ada.get(target).await.status();
        assert_eq!(
            status, 404,
            "{target}: no private chat with oneself or with nobody"
        );
    }
    assert_eq!(app.count_rows("rooms").await, 2);
}

#[tokio::test]
async fn messages_in_a_private_room_reach_only_its_members() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let eve = app.signed_up("eve").await;
    let path = ada.get("/chat/dm/bram/").await.headers()["location"]
        .to_str()
        .expect("l")
        .to_owned();
    let room = room_name(&path).to_owned();
    let mut ada_ws = ada.websocket(&room, "?format=json").await.expect("ada");
    let mut bram_ws = bram.websocket(&room, "?format=json").await.expect("bram");
    let mut eve_public = eve
        .websocket("public-chat", "?format=json")
        .await
        .expect("eve");
    ada_ws.send_json(json!({"body": "just between us"})).await;
    let event = bram_ws.next_event("message").await;
    assert_eq!(event["message"]["body"], "just between us");
    assert_eq!(event["message"]["group"], room.as_str());
    ada_ws.next_event("message").await;
    eve_public.send_json(json!({"body": "anyone?"})).await;
    let seen = eve_public.next_event("message").await;
    assert_eq!(
        seen["message"]["body"], "anyone?",
        "eve's next message is her own, not theirs"
    );
    assert!(!eve.get_text("/chat/").await.contains("just between us"));
}

#[tokio::test]
async fn a_bad_group_title_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let long = "t".repeat(81);
    for title in ["", "   ", long.as_str(), "bell\u{7}"] {
        let response = ada
            .post_form(
                "/chat/new_groupchat/",
                "/chat/new_groupchat/",
                &[("title", title)],
            )
            .await;
        assert_eq!(response.status(), 400, "{title:?}");
        assert!(
            response
                .text()
                .await
                .unwrap_or_default()
                .contains(r#"data-error-for="title""#)
        );
    }
    let forged = ada
        .http
        .post(ada.url("/chat/new_groupchat/"))
        .form(&[("title", "Forged")])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), 403);
    let visitor = app.client().get("/chat/new_groupchat/").await;
    assert_eq!(visitor.status(), 303);
    assert_eq!(app.count_rows("rooms").await, 1, "only the public chat");
    assert_eq!(app.count_rows("memberships").await, 0);
}

#[tokio::test]
async fn the_room_list_puts_the_newest_activity_first() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    app.signed_up("bram").await;
    let older = room_name(&new_group(&ada, "Older").await).to_owned();
    let newer = room_name(&new_group(&ada, "Newer").await).to_owned();
    let page = ada.get_text("/chat/").await;
    assert!(
        page.find(&newer) < page.find(&older),
        "no messages yet: newest room first"
    );
    let mut socket = ada
        .websocket(&older, "?format=json")
        .await
        .expect("connects");
    socket.send_json(json!({"body": "bump"})).await;
    socket.next_event("message").await;
    let page = ada.get_text("/chat/").await;
    assert!(
        page.find(&older) < page.find(&newer),
        "a message moves a room up"
    );
}
