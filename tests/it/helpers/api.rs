//! Speaking to `/api/` as a program does: JSON bodies, bearer tokens, people with ids.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Client, PASSWORD, TestApp};

/// Posts `body` as JSON to `path`; returns the status and the JSON answer.
pub async fn post_json(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", app.address))
        .json(body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

/// `GET path` with `Authorization: Bearer token`; returns the response.
pub async fn get_with_token(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
}

/// Signs `username` up through the page and obtains a token pair: `(access, refresh)`.
pub async fn obtain(app: &TestApp, username: &str) -> (String, String) {
    app.signed_up(username).await;
    let pair = token_pair(app, username).await;
    (
        pair["access"].as_str().expect("access").to_owned(),
        pair["refresh"].as_str().expect("refresh").to_owned(),
    )
}

/// Someone signed up through the pages, with their browser client, an access token and
/// their user id.
pub struct Person {
    pub browser: Client,
    pub access: String,
    pub id: i64,
}

/// Posts `body` to the message list at `path` through the API; it must be accepted.
pub async fn post_message(app: &TestApp, path: &str, access: &str, body: &str) {
    let (status, answer) = call(
        app,
        Method::POST,
        path,
        access,
        Some(&json!({ "body": body })),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
}

/// The token pair `username` gets from `/api/token/` with the test password.
pub async fn token_pair(app: &TestApp, username: &str) -> Value {
    let (status, body) = post_json(
        app,
        "/api/token/",
        &json!({"username": username, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A fresh access token of `username` (who signed up with the test password).
pub async fn access_token(app: &TestApp, username: &str) -> String {
    token_pair(app, username).await["access"]
        .as_str()
        .expect("access")
        .to_owned()
}

pub async fn person(app: &TestApp, username: &str) -> Person {
    let browser = app.signed_up(username).await;
    let access = access_token(app, username).await;
    let (_, users) = call(app, Method::GET, "/api/users/?page=last", &access, None).await;
    let id = users["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_i64())
        .expect("own id");
    Person {
        browser,
        access,
        id,
    }
}

/// `method path` with the bearer token and an optional JSON body; the status and the JSON
/// answer (`null` for an empty one).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("json answer")
    };
    (status, value)
}

/// The message list path of the public room, which every account is in.
pub async fn public_room_messages_path(app: &TestApp, access: &str) -> String {
    let (_, list) = call(app, Method::GET, "/api/groups/", access, None).await;
    let public = &list["results"][0];
    assert_eq!(public["kind"], "public");
    format!("/api/groups/{}/messages/", public["id"])
}

/// Every body in the room's history, following `next` links to the oldest.
pub async fn whole_history(app: &TestApp, path: &str, access: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(page_path) = next.take() {
        let (status, page) = call(app, Method::GET, &page_path, access, None).await;
        assert_eq!(status, 200, "{page}");
        for m in page["results"].as_array().expect("results") {
            bodies.push(m["body"].as_str().expect("a readable body").to_owned());
        }
        next = page["next"]
            .as_str()
            .and_then(|l| l.strip_prefix(&app.address))
            .map(str::to_owned);
    }
    bodies
}

/// Creates a group as `owner` and returns it.
pub async fn create_group(app: &TestApp, owner: &Person, title: &str, members: &[i64]) -> Value {
    let (status, group) = call(
        app,
        Method::POST,
        "/api/groups/",
        &owner.access,
        Some(&json!({"title": title, "members": members})),
    )
    .await;
    assert_eq!(status, 201, "{group}");
    group
}
