use crate::helpers::spawn_app;

#[tokio::test]
async fn visitors_get_the_landing_page_and_members_the_chat() {
    let app = spawn_app().await;
    let visitor = app.client().get_text("/").await;
    assert!(visitor.contains("Create an account"));
    let member = app.signed_up("homebody").await.get_text("/").await;
    assert!(member.contains(r#"ws-connect="/ws/chatroom/public-chat""#));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let client = app.client();
    for path in [
        "/",
        "/accounts/login/",
        "/static/js/app.js",
        "/no/such/page",
        "/chat/",
    ] {
        let response = client.get(path).await;
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            !csp.contains("unsafe-eval") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn pages_load_nothing_from_another_host() {
    let app = spawn_app().await;
    let member = app.signed_up("local").await;
    let re = regex::Regex::new(r#"(?:src|href)="([^"]+)""#).expect("regex");
    for page in [
        app.client().get_text("/").await,
        member.get_text("/chat/").await,
    ] {
        for capture in re.captures_iter(&page) {
            let target = &capture[1];
            assert!(
                target.starts_with('/') && !target.starts_with("//"),
                "external reference {target}"
            );
            if target.starts_with("/static/") {
                assert_eq!(
                    member.get(target).await.status(),
                    200,
                    "{target} is embedded"
                );
            }
        }
        assert!(
            !page.contains("<script>") && !page.contains(" onclick="),
            "no inline script"
        );
    }
}

#[tokio::test]
async fn embedded_assets_have_their_types_and_revalidate() {
    let app = spawn_app().await;
    let client = app.client();
    for (path, mime) in [
        ("/static/vendor/htmx.min.js", "javascript"),
        ("/static/vendor/htmx-ext-ws.min.js", "javascript"),
        ("/static/vendor/alpine-csp.min.js", "javascript"),
        ("/static/css/app.css", "text/css"),
        ("/static/images/favicon.svg", "image/svg+xml"),
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let etag = response.headers()["etag"].clone();
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .contains(mime),
            "{path}"
        );
        let again = client
            .http
            .get(client.url(path))
            .header("If-None-Match", etag)
            .send()
            .await
            .expect("GET");
        assert_eq!(again.status(), 304, "{path}");
    }
    for hidden in [
        "/static/css/build.sh",
        "/static/css/package.json",
        "/static/vendor/README.md",
        "/static/../Cargo.toml",
    ] {
        assert_eq!(client.get(hidden).await.status(), 404, "{hidden}");
    }
}

#[tokio::test]
async fn the_public_chat_shows_the_last_thirty_messages_oldest_first() {
    let app = spawn_app().await;
    let client = app.signed_up("historian").await;
    let mut socket = client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    for n in 1..=35 {
        socket
            .send_json(serde_json::json!({"body": format!("note #{n:02}")}))
            .await;
        socket.next_event("message").await;
    }
    let page = client.get_text("/chat/").await;
    assert!(!page.contains("note #05"), "only the last 30");
    let first = page.find("note #06").expect("oldest shown");
    let last = page.find("note #35").expect("newest shown");
    assert!(first < last, "oldest first");
}

#[tokio::test]
async fn an_htmx_request_gets_the_fragment_not_the_whole_page() {
    let app = spawn_app().await;
    let client = app.client();
    let fragment = client
        .http
        .get(client.url("/accounts/login/"))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("GET");
    let body = fragment.text().await.unwrap_or_default();
    assert!(body.contains("id_login") && !body.contains("<html"));
}
