//! `/api/groups/{id}/messages/`: newest first by cursor, posting live to the room's
//! sockets, and every refusal storing nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{call, create_group, person};
use crate::helpers::{spawn_app, spawn_app_with};

fn bodies(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect()
}

/// The path and query of an absolute `next`/`previous` link.
fn local(link: &Value, app: &crate::helpers::TestApp) -> String {
    link.as_str()
        .expect("a link")
        .strip_prefix(&app.address)
        .expect("absolute link to this server")
        .to_owned()
}

#[tokio::test]
async fn a_posted_message_is_sealed_stored_and_delivered_live_to_the_rooms_sockets() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let group = create_group(&app, &ann, "Live", &[bob.id]).await;
    let name = group["name"].as_str().expect("name");
    let mut bob_ws = bob
        .browser
        .websocket(name, "?format=json")
        .await
        .expect("bob connects");
    let mut bob_tab = bob.browser.websocket(name, "").await.expect("htmx tab");

    let path = format!("/api/groups/{}/messages/", group["id"]);
    let (status, posted) = call(
        &app,
        Method::POST,
        &path,
        &ann.access,
        Some(&json!({"body": "  from a program  "})),
    )
    .await;
    assert_eq!(status, 201, "{posted}");
    assert_eq!(posted["body"], "from a program");
    assert_eq!(posted["group"], name);
    assert_eq!(
        posted["author"],
        json!({"id": ann.id, "username": "ann", "display_name": posted["author"]["display_name"]})
    );
    assert_eq!(posted["file"], Value::Null);
    assert_eq!(posted["edited"], Value::Null);

    let event = bob_ws.next_event("message").await;
    assert_eq!(
        event["message"], posted,
        "the socket and the API speak one shape"
    );
    bob_tab.next_containing("from a program").await;
    assert_eq!(app.count_rows("messages").await, 1);

    let detail = format!("{path}{}/", posted["id"]);
    let (status, fetched) = call(&app, Method::GET, &detail, &bob.access, None).await;
    assert_eq!((status, &fetched), (200, &posted));
    let (status, listed) = call(&app, Method::GET, &path, &bob.access, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["results"], json!([posted]));
}

#[tokio::test]
async fn messages_page_newest_first_by_an_opaque_cursor() {
    let app = spawn_app_with(|s| s.api.page_size = 2).await;
    let ann = person(&app, "ann").await;
    let group = create_group(&app, &ann, "Pages", &[]).await;
    let path = format!("/api/groups/{}/messages/", group["id"]);
    for n in 1..=5 {
        let body = json!({"body": format!("m{n}")});
        let (status, _) = call(&app, Method::POST, &path, &ann.access, Some(&body)).await;
        assert_eq!(status, 201);
    }

    let (status, first) = call(&app, Method::GET, &path, &ann.access, None).await;
    assert_eq!(status, 200, "{first}");
    let mut keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    keys.sort_unstable();
    assert_eq!(keys, ["next", "previous", "results"]);
    assert_eq!(bodies(&first), ["m5", "m4"]);
    assert_eq!(first["previous"], Value::Null);
    let next = local(&first["next"], &app);
    assert!(next.starts_with(&format!("{path}?cursor=")), "{next}");
    assert!(
        !next.contains("m3") && !next.ends_with("=3"),
        "the cursor is opaque"
    );

    let (_, second) = call(&app, Method::GET, &next, &ann.access, None).await;
    assert_eq!(bodies(&second), ["m3", "m2"]);
    let (_, third) = call(
        &app,
        Method::GET,
        &local(&second["next"], &app),
        &ann.access,
        None,
    )
    .await;
    assert_eq!(bodies(&third), ["m1"]);
    assert_eq!(third["next"], Value::Null);

    let (_, back) = call(
        &app,
        Method::GET,
        &local(&third["previous"], &app),
        &ann.access,
        None,
    )
    .await;
    assert_eq!(bodies(&back), ["m3", "m2"]);
    let (_, top) = call(
        &app,
        Method::GET,
        &local(&back["previous"], &app),
        &ann.access,
        None,
    )
    .await;
    assert_eq!(bodies(&top), ["m5", "m4"]);
    assert_eq!(top["previous"], Value::Null);

    for cursor in ["garbage", "YT0", "eD0z"] {
        let (status, body) = call(
            &app,
            Method::GET,
            &format!("{path}?cursor={cursor}"),
            &ann.access,
            None,
        )
        .await;
        assert_eq!(
            (status, body),
            (404, json!({"detail": "Invalid cursor"})),
            "{cursor}"
        );
    }
}

#[tokio::test]
async fn a_refused_message_is_not_stored() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let cat = person(&app, "cat").await;
    let group = create_group(&app, &ann, "Quiet", &[]).await;
    let path = format!("/api/groups/{}/messages/", group["id"]);
    let cases = [
        (
            json!({"body": " \n "}),
            json!({"body": ["This field may not be blank."]}),
        ),
        (json!({}), json!({"body": ["This field is required."]})),
        (
            json!({"body": null}),
            json!({"body": ["This field may not be null."]}),
        ),
        (
            json!({"body": "x".repeat(10_001)}),
            json!({"body": ["Ensure this field has no more than 10000 characters."]}),
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = call(&app, Method::POST, &path, &ann.access, Some(&body)).await;
        assert_eq!((status, answer), (400, expected));
    }
    let outsider = json!({"body": "let me in"});
    let (status, answer) = call(&app, Method::POST, &path, &cat.access, Some(&outsider)).await;
    assert_eq!((status, answer), (404, json!({"detail": "Not found."})));
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/groups/999/messages/",
        &ann.access,
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(app.count_rows("messages").await, 0);

    let (status, posted) = call(
        &app,
        Method::POST,
        &path,
        &ann.access,
        Some(&json!({"body": "é".repeat(10_000)})),
    )
    .await;
    assert_eq!(status, 201, "10,000 characters is the limit, not over it");
    assert_eq!(app.count_rows("messages").await, 1);

    let detail = format!("{path}{}/", posted["id"]);
    for (who, path) in [
        (&cat.access, path.clone()),
        (&cat.access, detail.clone()),
        (&ann.access, format!("{path}99999/")),
        (&ann.access, format!("{path}abc/")),
        (
            &ann.access,
            format!("/api/groups/1/messages/{}/", posted["id"]),
        ),
    ] {
        let (status, body) = call(&app, Method::GET, &path, who, None).await;
        assert_eq!(
            (status, body),
            (404, json!({"detail": "Not found."})),
            "{path}"
        );
    }
}

#[tokio::test]
async fn everyone_may_read_and_post_in_the_public_room() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let (_, list) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    let public = &list["results"][0];
    assert_eq!(public["kind"], "public");
    let path = format!("/api/groups/{}/messages/", public["id"]);
    let (status, posted) = call(
        &app,
        Method::POST,
        &path,
        &ann.access,
        Some(&json!({"body": "hi all"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(posted["group"], "public-chat");
    let (_, page) = call(&app, Method::GET, &path, &ann.access, None).await;
    assert_eq!(bodies(&page), ["hi all"]);
    assert_eq!(page["next"], Value::Null);
}
