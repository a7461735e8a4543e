//! Mentions: `@name` marks and notifies only people who can read the room; the person
//! mentioned finds it on the Mentions page, in `/api/mentions/`, as a sidebar badge and
//! in the room's activity notice; `@everyone` is a group admin's; floods are bounded.

use reqwest::Method;
use serde_json::json;

use crate::helpers::api::{access_token, call};
use crate::helpers::rooms::group_with;
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_mention_marks_and_notifies_only_those_who_can_read_the_room() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let eve = app.signed_up("eve").await;
    let garden = group_with(&ann, "Garden", &["bob"]).await;

    // Bob waits in the public room: the notice of a message in Garden reaches him there.
    let mut bob_elsewhere = bob.websocket("public-chat", "").await.expect("bob");
    bob_elsewhere.joined().await;
    let mut socket = ann.json_socket(&garden).await;
    socket
        .send_json(json!({ "body": "@bob and @eve, look at the `@bob` roses" }))
        .await;
    let message = socket.next_event("message").await["message"].clone();
    let html = message["html"].as_str().expect("html");
    assert!(
        html.contains(r#"<span class="mention" data-user="bob">@bob</span>"#),
        "{html}"
    );
    assert!(
        !html.contains(r#"data-user="eve""#),
        "eve cannot read Garden: {html}"
    );
    let mentioned: Vec<&str> = message["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .filter_map(|m| m["username"].as_str())
        .collect();
    assert_eq!(mentioned, ["bob"]);
    let notice = bob_elsewhere.next_containing("room-activity").await;
    assert!(notice.contains(r#"data-mentions=" bob ""#), "{notice}");

    // Bob's sidebar counts it apart from the unread; his Mentions page and the API list it.
    let page = bob.get_text("/chat/").await;
    assert!(
        page.contains(&format!(
            r#"data-mentions="1" data-testid="mentions-{garden}""#
        )),
        "the badge"
    );
    let mentions = bob.get_text("/chat/mentions/").await;
    // minijinja escapes '/' in attributes as &#x2f;, which browsers read back as '/'.
    let link = format!("/chat/room/{garden}/#message-{}", message["id"]).replace('/', "&#x2f;");
    assert!(
        mentions.contains(&format!(r#"href="{link}""#)),
        "the Mentions page links the message: {mentions}"
    );
    let token = access_token(&app, "bob").await;
    let (status, listed) = call(&app, Method::GET, "/api/mentions/", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["results"][0]["id"], message["id"]);
    assert_eq!(listed["results"][0]["group"], garden);

    // Eve learns nothing: no notice, no badge, no mention listed.
    assert!(!eve.get_text("/chat/mentions/").await.contains("roses"));
    let token = access_token(&app, "eve").await;
    let (_, listed) = call(&app, Method::GET, "/api/mentions/", &token, None).await;
    assert_eq!(listed["results"], json!([]));
    assert_eq!(app.count_rows("mentions").await, 1);

    // Opening Garden reads the mention too.
    bob.get_text(&format!("/chat/room/{garden}/")).await;
    assert!(bob.get_text("/chat/").await.contains(&format!(
        r#"data-mentions="0" data-testid="mentions-{garden}""#
    )));
}

#[tokio::test]
async fn everyone_is_a_group_admins_and_a_flood_of_names_is_bounded() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let _cat = app.signed_up("cat").await;
    let garden = group_with(&ann, "Garden", &["bob", "cat"]).await;

    let mut bob_socket = bob.json_socket(&garden).await;
    bob_socket
        .send_json(json!({ "body": "@everyone tea is ready" }))
        .await;
    let from_bob = bob_socket.next_event("message").await["message"].clone();
    assert_eq!(from_bob["mentions"], json!([]), "bob is not the admin");
    assert!(!from_bob["html"].as_str().expect("html").contains("mention"));

    let mut ann_socket = ann.json_socket(&garden).await;
    ann_socket
        .send_json(json!({ "body": "@everyone tea is ready" }))
        .await;
    let from_ann = ann_socket.next_event("message").await["message"].clone();
    let mut named: Vec<&str> = from_ann["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .filter_map(|m| m["username"].as_str())
        .collect();
    named.sort_unstable();
    assert_eq!(named, ["bob", "cat"], "everyone but the writer");

    let flood: Vec<String> = (0..500).map(|n| format!("@bob{n}")).collect();
    let body = format!("@bob {}", flood.join(" "));
    ann_socket.send_json(json!({ "body": body })).await;
    let flooded = ann_socket.next_event("message").await["message"].clone();
    assert_eq!(flooded["mentions"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.count_rows("mentions").await, 3);
}

#[tokio::test]
async fn the_at_list_offers_the_rooms_people_and_everyone_to_its_admin() {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let _bea = app.signed_up("bea").await;
    let garden = group_with(&ann, "Garden", &["bob"]).await;
    let list: serde_json::Value = ann
        .get(&format!("/chat/room/{garden}/people/?q=b"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list,
        json!([{ "username": "bob", "name": "bob" }]),
        "members only"
    );
    let list: serde_json::Value = ann
        .get(&format!("/chat/room/{garden}/people/?q=ev"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["username"], "everyone");
    let list: serde_json::Value = bob
        .get(&format!("/chat/room/{garden}/people/?q=ev"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list, json!([]), "everyone is the admin's");
    let public: serde_json::Value = bob
        .get("/chat/room/public-chat/people/?q=b")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(public, json!([{ "username": "bea", "name": "bea" }]));
    let outsider = app.signed_up("eve").await;
    let refused = outsider
        .get(&format!("/chat/room/{garden}/people/?q=b"))
        .await;
    assert_eq!(refused.status(), 404, "a non-member learns no names");
}
