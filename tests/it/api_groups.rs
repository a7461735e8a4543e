//! `/api/groups/`: who sees which room, create, admin-only PUT and DELETE, and every
//! refusal leaving storage as it was.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{call, create_group, person};
use crate::helpers::{spawn_app, spawn_app_with};

fn not_found() -> Value {
    json!({"detail": "Not found."})
}

fn forbidden() -> Value {
    json!({"detail": "You do not have permission to perform this action."})
}

#[tokio::test]
async fn the_group_list_shows_the_public_room_and_only_the_callers_rooms_by_page() {
    let app = spawn_app_with(|s| s.api.page_size = 2).await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let first = create_group(&app, &ann, "First", &[]).await;
    let second = create_group(&app, &ann, "Second", &[bob.id]).await;
    create_group(&app, &bob, "Bob's own", &[]).await;
    let base = format!("{}/api/groups/", app.address);

    let (status, page1) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["count"], 3);
    assert_eq!(page1["next"], json!(format!("{base}?page=2")));
    assert_eq!(page1["previous"], Value::Null);
    let public = &page1["results"][0];
    assert_eq!(public["name"], "public-chat");
    assert_eq!(public["kind"], "public");
    assert_eq!(public["admin"], Value::Null);
    assert_eq!(public["members"], json!([]));
    let mut keys: Vec<&String> = public.as_object().expect("object").keys().collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["admin", "created", "id", "kind", "members", "name", "title"]
    );
    let (status, page2) = call(&app, Method::GET, "/api/groups/?page=2", &ann.access, None).await;
    assert_eq!(status, 200);
    assert_eq!(page2["previous"], json!(base));
    let mut ids: Vec<&Value> = vec![&page1["results"][1]["id"], &page2["results"][0]["id"]];
    ids.sort_by_key(|v| v.as_i64());
    assert_eq!(ids, [&first["id"], &second["id"]]);

    let (_, bobs) = call(&app, Method::GET, "/api/groups/", &bob.access, None).await;
    assert_eq!(bobs["count"], 3, "public, Second (a member) and his own");
    assert!(
        !bobs.to_string().contains("\"First\""),
        "another's group stays hidden"
    );
    let (status, body) = call(&app, Method::GET, "/api/groups/?page=3", &ann.access, None).await;
    assert_eq!((status, body), (404, json!({"detail": "Invalid page."})));
}

#[tokio::test]
async fn creating_a_group_makes_the_caller_admin_and_members_may_read_it() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let cat = person(&app, "cat").await;
    let group = create_group(&app, &ann, "  Book club ", &[bob.id, bob.id]).await;
    assert_eq!(group["title"], "Book club");
    assert_eq!(group["kind"], "group");
    assert_eq!(group["admin"], ann.id);
    let mut members: Vec<i64> = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_i64().expect("id"))
        .collect();
    members.sort_unstable();
    assert_eq!(members, [ann.id, bob.id]);
    assert!(
        group["name"]
            .as_str()
            .expect("name")
            .starts_with("book-club-")
    );
    assert!(group["created"].as_str().expect("time").ends_with('Z'));

    let path = format!("/api/groups/{}/", group["id"]);
    let (status, seen) = call(&app, Method::GET, &path, &bob.access, None).await;
    assert_eq!(status, 200);
    assert_eq!(seen, group);
    let (status, _) = call(&app, Method::GET, "/api/groups/1/", &cat.access, None).await;
    assert_eq!(status, 200, "the public room is everyone's");
    for path in [path.as_str(), "/api/groups/99999/", "/api/groups/abc/"] {
        let (status, body) = call(&app, Method::GET, path, &cat.access, None).await;
        assert_eq!((status, body), (404, not_found()), "{path}");
    }
    let (status, _) = call(&app, Method::GET, "/api/groups/", "not-a-token", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_refused_group_is_not_stored() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let rooms = app.count_rows("rooms").await;
    let memberships = app.count_rows("memberships").await;
    let cases = [
        (
            json!({"title": "  "}),
            json!({"title": ["This field may not be blank."]}),
        ),
        (json!({}), json!({"title": ["This field is required."]})),
        (
            json!({"title": null}),
            json!({"title": ["This field may not be null."]}),
        ),
        (
            json!({"title": "x".repeat(81)}),
            json!({"title": ["Ensure this field has no more than 80 characters."]}),
        ),
        (
            json!({"title": "Ok", "members": [ann.id, 99]}),
            json!({"members": ["Invalid pk \"99\" - object does not exist."]}),
        ),
        (
            json!({"title": "Ok", "members": "bob"}),
            json!({"members": ["Expected a list of items but got type \"str\"."]}),
        ),
        (
            json!({"title": "Ok", "members": [{"id": 1}]}),
            json!({"members": ["Incorrect type. Expected pk value, received dict."]}),
        ),
        (
            json!({"title": "", "members": [99]}),
            json!({
                "title": ["This field may not be blank."],
                "members": ["Invalid pk \"99\" - object does not exist."]
            }),
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) =
            call(&app, Method::POST, "/api/groups/", &ann.access, Some(&body)).await;
        assert_eq!((status, answer), (400, expected), "{body}");
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/groups/", app.address))
        .bearer_auth(&ann.access)
        .body("title=plain")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 415);
    let response = reqwest::Client::new()
        .post(format!("{}/api/groups/", app.address))
        .json(&json!({"title": "No token"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 401);
    assert_eq!(app.count_rows("rooms").await, rooms);
    assert_eq!(app.count_rows("memberships").await, memberships);
}

#[tokio::test]
async fn only_the_admin_may_change_a_group() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let cat = person(&app, "cat").await;
    let group = create_group(&app, &ann, "Plans", &[bob.id]).await;
    let path = format!("/api/groups/{}/", group["id"]);
    let change = json!({"title": "Bob's now"});

    let (status, body) = call(&app, Method::PUT, &path, &bob.access, Some(&change)).await;
    assert_eq!((status, body), (403, forbidden()));
    let (status, body) = call(&app, Method::PUT, &path, &cat.access, Some(&change)).await;
    assert_eq!((status, body), (404, not_found()));
    let (status, body) = call(
        &app,
        Method::PUT,
        "/api/groups/1/",
        &ann.access,
        Some(&change),
    )
    .await;
    assert_eq!((status, body), (403, forbidden()), "the public room");
    // A private room exists once one person opens it.
    bob.browser.get("/chat/dm/ann/").await;
    let (_, list) = call(&app, Method::GET, "/api/groups/", &ann.access, None).await;
    let private = list["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|g| g["kind"] == "private")
        .expect("the private room is listed")
        .clone();
    let private_path = format!("/api/groups/{}/", private["id"]);
    let (status, body) = call(&app, Method::PUT, &private_path, &ann.access, Some(&change)).await;
    assert_eq!((status, body), (403, forbidden()), "a private room");

    let (status, body) = call(
        &app,
        Method::PUT,
        &path,
        &ann.access,
        Some(&json!({"title": "Fine", "members": [cat.id, 4242]})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"members": ["Invalid pk \"4242\" - object does not exist."]})
        )
    );
    let (_, unchanged) = call(&app, Method::GET, &path, &ann.access, None).await;
    assert_eq!(unchanged, group, "nothing changed on refusal");

    let (status, changed) = call(
        &app,
        Method::PUT,
        &path,
        &ann.access,
        Some(&json!({"title": "Plans, v2", "members": [cat.id]})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["title"], "Plans, v2");
    assert_eq!(changed["name"], group["name"], "the name never changes");
    let mut members: Vec<i64> = changed["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_i64().expect("id"))
        .collect();
    members.sort_unstable();
    assert_eq!(members, [ann.id, cat.id], "the admin is always kept");
    let (status, _) = call(&app, Method::GET, &path, &bob.access, None).await;
    assert_eq!(status, 404, "bob was removed");
    let (status, only_title) = call(
        &app,
        Method::PUT,
        &path,
        &ann.access,
        Some(&json!({"title": "Third"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(only_title["members"], changed["members"]);
}

#[tokio::test]
async fn only_the_admin_may_delete_a_group() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    let cat = person(&app, "cat").await;
    let group = create_group(&app, &ann, "Short-lived", &[bob.id]).await;
    let path = format!("/api/groups/{}/", group["id"]);
    let rooms = app.count_rows("rooms").await;

    let (status, body) = call(&app, Method::DELETE, &path, &bob.access, None).await;
    assert_eq!((status, body), (403, forbidden()));
    let (status, body) = call(&app, Method::DELETE, &path, &cat.access, None).await;
    assert_eq!((status, body), (404, not_found()));
    let (status, body) = call(&app, Method::DELETE, "/api/groups/1/", &ann.access, None).await;
    assert_eq!((status, body), (403, forbidden()));
    assert_eq!(app.count_rows("rooms").await, rooms);

    let (status, body) = call(&app, Method::DELETE, &path, &ann.access, None).await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(app.count_rows("rooms").await, rooms - 1);
    let (status, _) = call(&app, Method::GET, &path, &ann.access, None).await;
    assert_eq!(status, 404);
}
