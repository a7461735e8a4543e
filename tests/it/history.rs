//! Older messages on scroll: `/chat/room/{name}/history/?before=ID` pages join the room
//! page with no gap and no duplicate; non-members get 404, bad cursors 400.

use serde_json::json;

use crate::helpers::rooms::{new_group, room_name};
use crate::helpers::{Client, Socket, spawn_app_with};

/// Message ids in the order an HTML page or fragment lists them.
fn ids_in(html: &str) -> Vec<i64> {
    html.split(r#"data-message-id=""#)
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .and_then(|id| id.parse().ok())
                .expect("id")
        })
        .collect()
}

/// The `before` cursor of the "load older" sentinel in `html`, if it has one.
fn sentinel(html: &str) -> Option<i64> {
    let (_, rest) = html.split_once(r#"<div id="history-more""#)?;
    let (_, after) = rest.split_once("before=")?;
    after.split('"').next().and_then(|id| id.parse().ok())
}

async fn post_many(socket: &mut Socket, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..count {
        socket
            .send_json(json!({ "body": format!("note {n}") }))
            .await;
        let event = socket.next_event("message").await;
        ids.push(event["message"]["id"].as_i64().expect("id"));
    }
    ids
}

async fn group_with_messages(ann: &Client, count: usize) -> (String, Vec<i64>) {
    let path = new_group(ann, "History").await;
    let room = room_name(&path).to_owned();
    let mut socket = ann.json_socket(&room).await;
    let ids = post_many(&mut socket, count).await;
    (room, ids)
}

#[tokio::test]
async fn scrolling_up_loads_every_older_page_once_in_order() {
    let app = spawn_app_with(|s| s.chat.history = 5).await;
    let ann = app.signed_up("ann").await;
    let (room, posted) = group_with_messages(&ann, 12).await;

    let page = ann.get_text(&format!("/chat/room/{room}/")).await;
    let mut seen = ids_in(&page);
    assert_eq!(seen, posted[7..], "the page shows the newest five");
    let mut cursor = sentinel(&page);
    assert_eq!(cursor, Some(posted[7]), "with a sentinel for what is older");

    let mut pages = 0;
    while let Some(before) = cursor {
        let response = ann
            .get(&format!("/chat/room/{room}/history/?before={before}"))
            .await;
        assert_eq!(response.status(), 200);
        let fragment = response.text().await.expect("body");
        let older = ids_in(&fragment);
        assert!(older.iter().all(|id| *id < before), "only older: {older:?}");
        seen = older.into_iter().chain(seen).collect();
        cursor = sentinel(&fragment);
        pages += 1;
        assert!(pages < 5, "paging ends");
    }
    assert_eq!(pages, 2, "5 + 5 + 2");
    assert_eq!(seen, posted, "every message once, oldest first, no gap");
}

#[tokio::test]
async fn a_short_room_has_no_sentinel_and_history_of_the_oldest_is_empty() {
    let app = spawn_app_with(|s| s.chat.history = 5).await;
    let ann = app.signed_up("ann").await;
    let (room, posted) = group_with_messages(&ann, 3).await;
    let page = ann.get_text(&format!("/chat/room/{room}/")).await;
    assert_eq!(sentinel(&page), None);
    let fragment = ann
        .get_text(&format!("/chat/room/{room}/history/?before={}", posted[0]))
        .await;
    assert!(ids_in(&fragment).is_empty());
    assert_eq!(sentinel(&fragment), None);
}

#[tokio::test]
async fn history_is_refused_to_non_members_and_bad_cursors() {
    let app = spawn_app_with(|s| s.chat.history = 5).await;
    let ann = app.signed_up("ann").await;
    let eve = app.signed_up("eve").await;
    let (room, posted) = group_with_messages(&ann, 7).await;
    let last = posted[6];

    let response = eve
        .get(&format!("/chat/room/{room}/history/?before={last}"))
        .await;
    assert_eq!(response.status(), 404, "a non-member learns nothing");
    let body = response.text().await.expect("body");
    assert!(!body.contains("note "), "{body}");
    assert_eq!(
        eve.get(&format!("/chat/room/no-such-room/history/?before={last}"))
            .await
            .status(),
        404
    );

    for bad in ["?before=x", "?before=0", "?before=-3", "", "?before=1e3"] {
        let response = ann.get(&format!("/chat/room/{room}/history/{bad}")).await;
        assert_eq!(response.status(), 400, "{bad:?}");
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("before must be a message id"),
            "{bad:?} says why"
        );
    }
    assert_eq!(app.count_rows("messages").await, 7, "nothing changed");

    // Logged out: the log-in page, not the history.
    let stranger = app.client();
    let response = stranger
        .get(&format!("/chat/room/{room}/history/?before={last}"))
        .await;
    assert!(!response.text().await.expect("body").contains("note "));
}
