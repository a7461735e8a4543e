//! The API driven the way a simplejwt + DRF client drives it: obtain a pair, refresh when
//! told, and follow `next` links exactly as given, never building URLs of its own.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn_app_with};

/// A program that knows only the base URL and its credentials.
struct DrfClient {
    http: reqwest::Client,
    base: String,
    access: String,
    refresh: String,
}

impl DrfClient {
    async fn obtain(base: &str, username: &str) -> Self {
        let http = reqwest::Client::new();
        let pair: Value = http
            .post(format!("{base}/api/token/"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("pair");
        Self {
            http,
            base: base.to_owned(),
            access: pair["access"].as_str().expect("access").to_owned(),
            refresh: pair["refresh"].as_str().expect("refresh").to_owned(),
        }
    }

    /// simplejwt's rotation: the answer carries a new pair and the old refresh is spent.
    async fn refresh(&mut self) -> String {
        let response = self
            .http
            .post(format!("{}/api/token/refresh/", self.base))
            .json(&json!({"refresh": self.refresh}))
            .send()
            .await
            .expect("refresh");
        assert_eq!(response.status(), StatusCode::OK);
        let pair: Value = response.json().await.expect("pair");
        let spent = std::mem::replace(
            &mut self.refresh,
            pair["refresh"].as_str().expect("new refresh").to_owned(),
        );
        self.access = pair["access"].as_str().expect("new access").to_owned();
        spent
    }

    async fn send(&self, method: Method, url: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, url).bearer_auth(&self.access);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every result of a paginated list, following `next` verbatim.
    async fn all(&self, path: &str) -> Vec<Value> {
        let mut url = format!("{}{path}", self.base);
        let mut results = Vec::new();
        loop {
            let (status, page) = self.send(Method::GET, &url, None).await;
            assert_eq!(status, StatusCode::OK, "{url}: {page}");
            results.extend(page["results"].as_array().expect("results").iter().cloned());
            match page["next"].as_str() {
                Some(next) => {
                    assert!(next.starts_with("http"), "DRF links are absolute: {next}");
                    url = next.to_owned();
                }
                None => return results,
            }
        }
    }
}

#[tokio::test]
async fn a_drf_client_obtains_refreshes_lists_posts_and_pages_through() {
    let app = spawn_app_with(|s| s.api.page_size = 2).await;
    for name in ["ann", "bob", "cyd", "dee"] {
        app.signed_up(name).await;
    }
    let mut ann = DrfClient::obtain(&app.address, "ann").await;
    let bob = DrfClient::obtain(&app.address, "bob").await;

    let users = ann.all("/api/users/").await;
    let names: Vec<&str> = users
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["ann", "bob", "cyd", "dee"], "two pages of two");
    let bob_id = users[1]["id"].clone();

    let (status, group) = ann
        .send(
            Method::POST,
            &format!("{}/api/groups/", app.address),
            Some(json!({"title": "Client flow", "members": [bob_id]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let messages = format!("{}/api/groups/{}/messages/", app.address, group["id"]);
    for n in 1..=5 {
        let (status, message) = ann
            .send(
                Method::POST,
                &messages,
                Some(json!({"body": format!("note {n}")})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{message}");
    }

    let spent = ann.refresh().await;
    let (status, _) = ann
        .send(
            Method::POST,
            &messages,
            Some(json!({"body": "after refresh"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the new access token works");
    let reuse = reqwest::Client::new()
        .post(format!("{}/api/token/refresh/", app.address))
        .json(&json!({"refresh": spent}))
        .send()
        .await
        .expect("reuse");
    assert_eq!(
        reuse.status(),
        StatusCode::UNAUTHORIZED,
        "a spent refresh is dead"
    );

    let groups = bob.all("/api/groups/").await;
    let titles: Vec<&str> = groups.iter().filter_map(|g| g["title"].as_str()).collect();
    assert!(titles.contains(&"Client flow"), "{titles:?}");
    let path = messages.trim_start_matches(&app.address).to_owned();
    let read = bob.all(&path).await;
    let bodies: Vec<&str> = read.iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(
        bodies,
        [
            "after refresh",
            "note 5",
            "note 4",
            "note 3",
            "note 2",
            "note 1"
        ],
        "newest first, each once, across cursor pages"
    );
    assert!(read.iter().all(|m| m["author"]["username"] == "ann"));
}
