//! URLs and headers built from input stay on this site: `next=` after log-in in every
//! spelling browsers read as another host, and the API's page links under a forged `Host`.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::api::{call, person};
use crate::helpers::{Client, PASSWORD, spawn_app, spawn_app_with};

/// Each of these is read by some browser as a different host, or is not a path at all.
const LEAVING: [&str; 16] = [
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r/evil.example/x",
    "/\r\n/evil.example/x",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/.//evil.example",
    "/./\t/evil.example",
    "https://evil.example/",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "evil.example/x",
    " //evil.example",
    "\t//evil.example",
];

/// `GET /accounts/login/?next=…` as `client`.
async fn login_page(client: &Client, next: &str) -> reqwest::Response {
    client
        .http
        .get(client.url("/accounts/login/"))
        .query(&[("next", next)])
        .send()
        .await
        .expect("GET")
}

#[tokio::test]
async fn a_next_that_leaves_the_site_in_any_spelling_falls_back_to_the_chat() {
    let app = spawn_app().await;
    let signed_in = app.signed_up("path").await;
    for next in LEAVING {
        let response = login_page(&signed_in, next).await;
        assert_eq!(response.status(), 303, "next={next:?}");
        assert_eq!(response.headers()["location"], "/chat/", "next={next:?}");
    }
}

#[tokio::test]
async fn a_same_site_next_is_kept_and_re_encoded_as_a_valid_header() {
    let app = spawn_app().await;
    let signed_in = app.signed_up("path").await;
    for (next, expected) in [
        ("/chat/room/abc/?x=1#m", "/chat/room/abc/?x=1#m"),
        ("/profile/path/", "/profile/path/"),
        ("/chat/a b/é", "/chat/a%20b/%C3%A9"),
        ("/chat/\u{1}x", "/chat/%01x"),
    ] {
        let response = login_page(&signed_in, next).await;
        assert_eq!(response.status(), 303, "next={next:?}");
        assert_eq!(response.headers()["location"], expected, "next={next:?}");
    }
}

#[tokio::test]
async fn logging_in_with_a_hostile_next_redirects_home_and_never_errs() {
    let app = spawn_app().await;
    app.signed_up("path").await;
    // The log-in form is limited per address; two posts cover the form's own path.
    for next in ["/\t/evil.example/x", "/chat/\r\nSet-Cookie: x=1"] {
        let client = app.client();
        let response = client.login_then("path", PASSWORD, next).await;
        assert_eq!(response.status(), 303, "next={next:?}");
        let location = response.headers()["location"].to_str().expect("ascii");
        assert!(
            location == "/chat/" || location == "/chat/Set-Cookie:%20x=1",
            "next={next:?} gave {location}"
        );
        let injected = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.as_bytes().starts_with(b"x="));
        assert!(!injected, "no header was injected");
        assert_eq!(response.headers()["hx-redirect"], location, "next={next:?}");
    }
}

#[tokio::test]
async fn the_login_page_keeps_only_a_same_site_next_in_its_form() {
    let app = spawn_app().await;
    let visitor = app.client();
    let page = login_page(&visitor, "/\t/evil.example/x")
        .await
        .text()
        .await
        .expect("page");
    assert!(!page.contains("evil.example"), "the form must not carry it");
    assert!(page.contains(r#"name="next""#));
}

#[tokio::test]
async fn api_page_links_ignore_a_forged_host() {
    let app = spawn_app_with(|s| s.api.page_size = 1).await;
    let ann = person(&app, "ann").await;
    person(&app, "bob").await;
    for (name, value) in [
        ("Host", "evil.example"),
        ("X-Forwarded-Host", "evil.example"),
        ("Forwarded", "host=evil.example;proto=https"),
    ] {
        let answer: Value = reqwest::Client::new()
            .get(format!("{}/api/users/", app.address))
            .header(name, value)
            .bearer_auth(&ann.access)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json");
        let next = answer["next"].as_str().expect("a next link");
        assert_eq!(next, format!("{}/api/users/?page=2", app.address), "{name}");
    }
    // The site's own names are kept, as DRF keeps an allowed host.
    let port = app.address.rsplit(':').next().expect("port");
    let (status, answer) = {
        let response = reqwest::Client::new()
            .get(format!("{}/api/users/", app.address))
            .header("Host", format!("localhost:{port}"))
            .bearer_auth(&ann.access)
            .send()
            .await
            .expect("GET");
        (
            response.status(),
            response.json::<Value>().await.expect("json"),
        )
    };
    assert_eq!(status, 200);
    assert_eq!(
        answer["next"],
        format!("http://localhost:{port}/api/users/?page=2")
    );
    let (status, _) = call(&app, Method::GET, "/api/users/", &ann.access, None).await;
    assert_eq!(status, 200);
}
