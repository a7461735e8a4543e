//! Rooms made through the pages, as people make them: new groups, their settings forms.

use super::Client;

/// Creates a group through the form and returns its path.
pub async fn new_group(client: &Client, title: &str) -> String {
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

pub fn room_name(path: &str) -> &str {
    path.trim_start_matches("/chat/room/").trim_end_matches('/')
}

/// Opens (creating when needed) the private room of `from` and `to`; returns its name.
pub async fn dm_room(from: &Client, to: &str) -> String {
    let response = from.get(&format!("/chat/dm/{to}/")).await;
    let path = response.headers()["location"].to_str().expect("location");
    room_name(path).to_owned()
}

/// `client` says `body` in `room` over a socket of its own and waits for the echo: once
/// it returns, the message is stored and delivered.
pub async fn say(client: &Client, room: &str, body: &str) {
    let mut socket = client.json_socket(room).await;
    socket.send_json(serde_json::json!({ "body": body })).await;
    socket.next_containing(body).await;
}

/// Posts an action form of a room's settings page.
pub async fn act(
    client: &Client,
    path: &str,
    room: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post_form(path, &format!("/chat/room/{room}/"), fields)
        .await
}

/// `client` (the room's admin) adds `username` through the room's settings form.
pub async fn add_member(client: &Client, room: &str, username: &str) -> reqwest::Response {
    act(
        client,
        &format!("/chat/room/{room}/members/add/"),
        room,
        &[("username", username)],
    )
    .await
}

/// `client` (the room's admin) removes `username` through the room's settings form.
pub async fn remove_member(client: &Client, room: &str, username: &str) -> reqwest::Response {
    act(
        client,
        &format!("/chat/room/{room}/members/{username}/remove/"),
        room,
        &[],
    )
    .await
}

/// A new group of `owner`'s titled `title` with `members` added; its room name.
pub async fn group_with(owner: &Client, title: &str, members: &[&str]) -> String {
    let room = room_name(&new_group(owner, title).await).to_owned();
    for member in members {
        let added = add_member(owner, &room, member).await;
        assert_eq!(added.status(), 303, "{member} is added");
    }
    room
}
