//! Group and private rooms: who may see, enter and write them.

use serde_json::json;

use crate::helpers::rooms::{act, add_member, new_group, remove_member, room_name};
use crate::helpers::spawn_app;

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
            .contains(r#"data-role="room-title">ada</span>"#)
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
    let mut ada_ws = ada.json_socket(&room).await;
    let mut bram_ws = bram.json_socket(&room).await;
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
    let mut socket = ada.json_socket(&older).await;
    socket.send_json(json!({"body": "bump"})).await;
    socket.next_event("message").await;
    let page = ada.get_text("/chat/").await;
    assert!(
        page.find(&older) < page.find(&newer),
        "a message moves a room up"
    );
}

#[tokio::test]
async fn the_admin_adds_renames_removes_and_deletes_and_members_only_leave() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let cleo = app.signed_up("cleo").await;
    let path = new_group(&ada, "Team").await;
    let room = room_name(&path).to_owned();

    let added = add_member(&ada, &room, "Bram").await;
    assert_eq!(added.status(), 303);
    assert_eq!(bram.get(&path).await.status(), 200, "bram is in");
    assert!(
        bram.get_text("/chat/").await.contains(&room),
        "and sees it in his list"
    );
    add_member(&ada, &room, "cleo").await;

    let renamed = act(
        &ada,
        &format!("/chat/room/{room}/rename/"),
        &room,
        &[("title", "Team Two")],
    )
    .await;
    assert_eq!(renamed.status(), 303);
    assert!(
        bram.get_text(&path)
            .await
            .contains(r#"data-role="room-title">Team Two"#)
    );

    // A member is not the admin.
    for (action, fields) in [
        (
            format!("/chat/room/{room}/rename/"),
            vec![("title", "Mine now")],
        ),
        (
            format!("/chat/room/{room}/members/add/"),
            vec![("username", "ada")],
        ),
        (format!("/chat/room/{room}/members/cleo/remove/"), vec![]),
        (format!("/chat/room/{room}/delete/"), vec![]),
    ] {
        let response = act(&bram, &action, &room, &fields).await;
        assert_eq!(response.status(), 403, "{action}");
    }
    assert!(
        cleo.get(&path).await.status() == 200,
        "cleo was not removed by bram"
    );

    let removed = remove_member(&ada, &room, "cleo").await;
    assert_eq!(removed.status(), 303);
    assert_eq!(
        cleo.get(&path).await.status(),
        404,
        "a removed member is out"
    );
    let error = cleo.websocket(&room, "").await.err().expect("refused");
    assert!(error.to_string().contains("404"));

    let left = act(&bram, &format!("/chat/room/{room}/leave/"), &room, &[]).await;
    assert_eq!(left.status(), 303);
    assert_eq!(bram.get(&path).await.status(), 404);
    assert_eq!(
        act(&ada, &format!("/chat/room/{room}/leave/"), &room, &[])
            .await
            .status(),
        403,
        "the admin cannot leave"
    );

    assert_eq!(
        act(&ada, &format!("/chat/room/{room}/delete/"), &room, &[])
            .await
            .status(),
        303
    );
    assert_eq!(ada.get(&path).await.status(), 404);
    assert_eq!(app.count_rows("rooms").await, 1);
    assert_eq!(app.count_rows("memberships").await, 0);
}

#[tokio::test]
async fn a_non_member_gets_404_on_every_group_path() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let eve = app.signed_up("eve").await;
    let room = room_name(&new_group(&ada, "Secret").await).to_owned();
    assert_eq!(
        eve.get(&format!("/chat/room/{room}/settings/"))
            .await
            .status(),
        404
    );
    for action in [
        "rename/",
        "members/add/",
        "members/ada/remove/",
        "leave/",
        "delete/",
    ] {
        let path = format!("/chat/room/{room}/{action}");
        let response = eve
            .post_form(&path, "/chat/", &[("title", "x"), ("username", "eve")])
            .await;
        assert_eq!(response.status(), 404, "{action}");
    }
    assert_eq!(app.count_rows("memberships").await, 1, "only ada, still");
    assert_eq!(
        ada.get(&format!("/chat/room/{room}/settings/"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bad_group_administration_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let room = room_name(&new_group(&ada, "Careful").await).to_owned();
    let long = "t".repeat(81);
    let rename = act(
        &ada,
        &format!("/chat/room/{room}/rename/"),
        &room,
        &[("title", &long)],
    )
    .await;
    assert_eq!(rename.status(), 400);
    assert!(
        rename
            .text()
            .await
            .unwrap_or_default()
            .contains(r#"data-error-for="title""#)
    );
    for username in ["nobody", "", "bad name", "%"] {
        let add = add_member(&ada, &room, username).await;
        assert_eq!(add.status(), 400, "{username:?}");
        assert!(
            add.text()
                .await
                .unwrap_or_default()
                .contains("No one has that username.")
        );
    }
    let self_remove = remove_member(&ada, &room, "ada").await;
    assert_eq!(self_remove.status(), 403, "the admin stays");
    for ghost in ["nobody", "Not%20A%20Name"] {
        let path = format!("/chat/room/{room}/members/{ghost}/remove/");
        assert_eq!(act(&ada, &path, &room, &[]).await.status(), 404, "{ghost}");
    }
    let forged = ada
        .http
        .post(ada.url(&format!("/chat/room/{room}/delete/")))
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), 403, "no CSRF token");
    assert!(
        ada.get_text(&format!("/chat/room/{room}/"))
            .await
            .contains(r#"data-role="room-title">Careful"#)
    );
    assert_eq!(app.count_rows("memberships").await, 1);
    assert_eq!(app.count_rows("rooms").await, 2);
}

#[tokio::test]
async fn the_member_field_suggests_usernames_by_prefix() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    for name in ["bramble", "bram", "brook", "cleo"] {
        app.signed_up(name).await;
    }
    let options = ada.get_text("/chat/users/search/?username=BR").await;
    assert!(
        options.find("bram").is_some() && options.contains("brook") && options.contains("bramble")
    );
    assert!(!options.contains("cleo") && !options.contains("\"ada\""));
    assert!(
        options.find(r#"value="bram""#) < options.find(r#"value="bramble""#),
        "alphabetical"
    );
    for wildcard in ["%", "_", "b%"] {
        let none = ada
            .get_text(&format!(
                "/chat/users/search/?q={}",
                wildcard.replace('%', "%25")
            ))
            .await;
        assert!(!none.contains("<option"), "{wildcard:?} is not a wildcard");
    }
    assert_eq!(
        app.client().get("/chat/users/search/?q=br").await.status(),
        303,
        "members only"
    );
}

#[tokio::test]
async fn a_removed_member_cannot_write_through_a_socket_opened_before() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let room = room_name(&new_group(&ada, "Door").await).to_owned();
    add_member(&ada, &room, "bram").await;
    let mut socket = bram.json_socket(&room).await;
    // Removed where this process cannot see it (as another instance on the same database
    // would): the socket stays open, and only the check on every write stands in the way,
    // once the remembered member list has expired (storage trusts it for 5 s, so time
    // itself must pass).
    app.execute_sql(
        "DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE username = 'bram')",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    socket.send_json(json!({"body": "still here?"})).await;
    assert_eq!(socket.next_event("error").await["code"], "not_member");
    assert_eq!(app.count_rows("messages").await, 0);
}
