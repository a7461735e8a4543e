//! Methods a URL does not take: 405 with `Allow` (JSON `detail` on the API, the error page
//! on pages, 404 under `/admin`), `OPTIONS` naming the methods, `HEAD` wherever `GET` is;
//! nothing stored changes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::api::{call, create_group, person, post_message};
use crate::helpers::spawn_app;

fn allow(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("allow")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default()
}

async fn send(
    app: &crate::helpers::TestApp,
    method: Method,
    path: &str,
    token: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn api_methods_a_path_does_not_take_answer_405_with_detail_and_allow() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let group = create_group(&app, &ann, "Kiln", &[]).await;
    let id = group["id"].as_i64().expect("id");
    let messages = format!("/api/groups/{id}/messages/");
    post_message(&app, &messages, &ann.access, "stays").await;

    for (method, path, allowed) in [
        (
            Method::PATCH,
            format!("/api/groups/{id}/"),
            "GET, HEAD, PUT, DELETE, OPTIONS",
        ),
        (Method::DELETE, messages.clone(), "GET, HEAD, POST, OPTIONS"),
        (Method::PUT, "/api/token/".to_owned(), "POST, OPTIONS"),
        (
            Method::GET,
            "/api/token/refresh/".to_owned(),
            "POST, OPTIONS",
        ),
        (
            Method::TRACE,
            "/api/users/".to_owned(),
            "GET, HEAD, OPTIONS",
        ),
        (
            Method::POST,
            "/api/schema/".to_owned(),
            "GET, HEAD, OPTIONS",
        ),
    ] {
        let response = send(&app, method.clone(), &path, &ann.access).await;
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(allow(&response), allowed, "{method} {path}");
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(
            body,
            json!({ "detail": format!("Method \"{method}\" not allowed.") }),
            "{method} {path}"
        );
    }
    let (_, after) = call(
        &app,
        Method::GET,
        &format!("/api/groups/{id}/"),
        &ann.access,
        None,
    )
    .await;
    assert_eq!(after["title"], "Kiln");
    assert_eq!(app.count_rows("messages").await, 1);
}

#[tokio::test]
async fn options_names_the_methods_and_head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let options = send(&app, Method::OPTIONS, "/api/groups/", &ann.access).await;
    assert_eq!(options.status(), 200);
    assert_eq!(allow(&options), "GET, HEAD, POST, OPTIONS");
    let body: Value = options.json().await.expect("json");
    assert!(
        body["parses"]
            .as_array()
            .is_some_and(|p| p.contains(&json!("application/json")))
    );

    let get = send(&app, Method::GET, "/api/users/", &ann.access).await;
    let length = get.text().await.expect("body").len();
    assert!(length > 0);
    let head = send(&app, Method::HEAD, "/api/users/", &ann.access).await;
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.bytes().await.expect("body").len(),
        0,
        "HEAD sends no body"
    );

    let page = ann
        .browser
        .http
        .head(ann.browser.url("/chat/"))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(page.status(), 200);
    let options = ann
        .browser
        .http
        .request(Method::OPTIONS, ann.browser.url("/accounts/login/"))
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(options.status(), 200);
    assert_eq!(allow(&options), "GET, HEAD, POST, OPTIONS");
}

#[tokio::test]
async fn page_methods_a_path_does_not_take_answer_405_with_the_error_page() {
    let app = spawn_app().await;
    let ann = person(&app, "ann").await;
    let token = ann.browser.csrf_token("/chat/").await;
    for (method, path, allowed) in [
        (Method::TRACE, "/chat/", "GET, HEAD, OPTIONS"),
        (
            Method::DELETE,
            "/accounts/login/",
            "GET, HEAD, POST, OPTIONS",
        ),
        (Method::PUT, "/accounts/logout/", "POST, OPTIONS"),
    ] {
        let response = ann
            .browser
            .http
            .request(method.clone(), ann.browser.url(path))
            .header("X-CSRF-Token", &token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(allow(&response), allowed, "{method} {path}");
        let page = response.text().await.expect("page");
        assert!(
            page.contains("405") && page.contains("not allowed"),
            "{page}"
        );
    }
    // Still signed in: the refused log-out did nothing.
    assert_eq!(ann.browser.get("/accounts/settings/").await.status(), 200);
}

#[tokio::test]
async fn admin_paths_do_not_announce_themselves_whatever_the_method() {
    let app = spawn_app().await;
    // The first account of a fresh install is its admin.
    let ann = person(&app, "ann").await;
    let bob = person(&app, "bob").await;
    for (who, client, head_status) in [("bob", &bob.browser, 404), ("ann", &ann.browser, 200)] {
        let token = client.csrf_token("/chat/").await;
        for (method, expected) in [
            (Method::PUT, 404),
            (Method::TRACE, 404),
            (Method::OPTIONS, 404),
            (Method::HEAD, head_status),
        ] {
            let response = client
                .http
                .request(method.clone(), client.url("/admin/users/"))
                .header("X-CSRF-Token", &token)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), expected, "{who} {method}");
            assert_eq!(allow(&response), "", "{who} {method}");
        }
    }
}
