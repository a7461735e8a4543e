//! Unread counts in the room list: counted per membership from its read mark, cleared by
//! opening the room or by reading it live, and pushed to the person's other rooms' pages.

use serde_json::json;

use reqwest::Method;

use crate::helpers::api::{Person, call, create_group, person};
use crate::helpers::rooms::group_with;
use crate::helpers::{Client, Socket, TestApp, eventually, spawn_app};

/// The unread count the room list shows for `room`.
async fn unread(client: &Client, room: &str) -> u64 {
    let page = client.get_text("/chat/").await;
    let marker = format!(r#"data-testid="unread-{room}""#);
    let before = page.split(&marker).next().expect("page");
    assert!(page.contains(&marker), "{room} is listed");
    before
        .rsplit(r#"data-unread=""#)
        .next()
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("a count")
}

/// Whether `user`'s read mark (in their only room) is exactly `mark`, in the database.
async fn read_mark_is(app: &TestApp, user: &str, mark: i64) -> bool {
    let whose = format!("user_id = (SELECT id FROM users WHERE username = '{user}')");
    app.count_rows(&format!("memberships WHERE {whose} AND last_read = {mark}"))
        .await
        == 1
}

async fn post(socket: &mut Socket, body: &str) -> i64 {
    socket.send_json(json!({ "body": body })).await;
    socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id")
}

/// ann's group with bob in it; ann's JSON socket in it.
async fn group_of_two(ann: &Client) -> (String, Socket) {
    let room = group_with(ann, "Garden", &["bob"]).await;
    let socket = ann.json_socket(&room).await;
    (room, socket)
}

#[tokio::test]
async fn others_messages_count_until_the_room_is_opened() {
    let app = spawn_app().await;
    // Posting through the REST API keeps sockets (which mark what they relay) out of it.
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let group = create_group(&app, &ann, "Garden", &[bob.id]).await;
    let room = group["name"].as_str().expect("name").to_owned();
    let path = format!("/api/groups/{}/messages/", group["id"]);
    let post_as = |who: &Person, body: &str| {
        let body = json!({ "body": body });
        let token = who.access.clone();
        let (app, path) = (&app, path.clone());
        async move {
            let (status, posted) = call(app, Method::POST, &path, &token, Some(&body)).await;
            assert_eq!(status, 201, "{posted}");
            posted["id"].as_i64().expect("id")
        }
    };
    assert_eq!(unread(&bob.browser, &room).await, 0);

    for n in 0..3 {
        post_as(&ann, &format!("hello {n}")).await;
    }
    assert_eq!(unread(&bob.browser, &room).await, 3);
    assert_eq!(
        unread(&ann.browser, &room).await,
        0,
        "one's own messages never count"
    );
    post_as(&bob, "bob's own").await;
    assert_eq!(
        unread(&bob.browser, &room).await,
        3,
        "bob's own adds nothing"
    );
    assert_eq!(unread(&ann.browser, &room).await, 1);

    let newest = post_as(&ann, "and one more").await;
    assert_eq!(unread(&bob.browser, &room).await, 4);
    assert_eq!(
        bob.browser
            .get(&format!("/chat/room/{room}/"))
            .await
            .status(),
        200
    );
    assert_eq!(
        unread(&bob.browser, &room).await,
        0,
        "opening the room reads it"
    );
    assert!(read_mark_is(&app, "bob", newest).await);
    assert_eq!(
        unread(&ann.browser, &room).await,
        1,
        "ann's mark is her own"
    );
}

#[tokio::test]
async fn an_open_socket_marks_what_it_relays_read_within_seconds() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let (room, mut ann_socket) = group_of_two(&ann).await;
    let mut bob_socket = bob.websocket(&room, "").await.expect("connects");
    bob_socket.joined().await;
    let first = post(&mut ann_socket, "live one").await;
    let second = post(&mut ann_socket, "live two").await;
    bob_socket
        .next_containing(&format!(r#"id="message-{second}""#))
        .await;
    assert!(first < second);

    // Marks are written at most every 2 s per socket.
    eventually("bob read them on his open page", async || {
        unread(&bob, &room).await == 0
    })
    .await;
    assert!(read_mark_is(&app, "bob", second).await);
}

#[tokio::test]
async fn a_message_moves_the_room_up_on_members_pages_in_other_rooms_only() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let eve = app.signed_up("eve").await;
    let (room, mut ann_socket) = group_of_two(&ann).await;

    // bob looks at the public room in a browser and through a program; eve too.
    let mut bob_page = bob.websocket("public-chat", "").await.expect("connects");
    let mut bob_json = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let mut eve_json = eve
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    // Joined once each hears its own arrival.
    for socket in [&mut bob_page, &mut bob_json, &mut eve_json] {
        socket.joined().await;
    }

    let id = post(&mut ann_socket, "news").await;
    let fragment = bob_page.next_containing(r#"id="room-activity""#).await;
    assert!(
        fragment.contains(&format!(r#"data-room="{room}""#)),
        "{fragment}"
    );
    assert!(
        fragment.contains(r#"data-activity-author="ann""#),
        "{fragment}"
    );
    assert!(
        !fragment.contains("news"),
        "no body leaves the room: {fragment}"
    );
    let event = bob_json.next_event("room_activity").await;
    assert_eq!(event["room"], room.as_str());
    assert_eq!(event["id"], id);
    assert_eq!(event["author"], "ann");

    // eve is not a member: the next thing she hears is the public room's own message.
    let mut public = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    post(&mut public, "in public").await;
    loop {
        let event: serde_json::Value =
            serde_json::from_str(&eve_json.next_text().await).expect("json");
        assert_ne!(
            event["type"], "room_activity",
            "eve hears nothing of the group"
        );
        if event["type"] == "message" {
            assert_eq!(event["message"]["body"], "in public");
            break;
        }
    }
    // ann's socket in the group itself gets the message, not a notice about it: every
    // frame up to a resume's answer (which follows anything already sent) is checked.
    let again = post(&mut ann_socket, "again").await;
    ann_socket
        .send_json(json!({"type": "resume", "after": again - 1}))
        .await;
    loop {
        let frame = ann_socket.next_text().await;
        assert!(!frame.contains("room_activity"), "{frame}");
        if frame.contains(r#""body":"again""#) {
            break;
        }
    }
}

#[tokio::test]
async fn the_room_list_fragment_lists_counts_and_needs_a_login() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let (room, mut ann_socket) = group_of_two(&ann).await;
    post(&mut ann_socket, "one").await;
    post(&mut ann_socket, "two").await;
    let fragment = bob
        .get_text(&format!("/chat/sidebar/?current={room}"))
        .await;
    assert!(fragment.starts_with(r#"<ul id="room-list""#), "{fragment}");
    assert!(
        fragment.contains(&format!(r#"data-unread="2" data-testid="unread-{room}""#)),
        "{fragment}"
    );
    let stranger = app.client();
    let body = stranger.get_text("/chat/sidebar/").await;
    assert!(!body.contains(&room), "no list without a login");
}
