//! `/api/schema/` (the OpenAPI document) and `/api/docs/` (the page rendered from it).

use serde_json::Value;

use crate::helpers::spawn_app;

/// Every API path with the methods it answers, as DESIGN.md lists them.
const ENDPOINTS: [(&str, &[&str]); 11] = [
    ("/api/token/", &["post"]),
    ("/api/token/refresh/", &["post"]),
    ("/api/users/", &["get"]),
    ("/api/users/{id}/", &["get"]),
    ("/api/groups/", &["get", "post"]),
    ("/api/groups/{id}/", &["get", "put", "delete"]),
    ("/api/groups/{id}/messages/", &["get", "post"]),
    ("/api/groups/{id}/messages/{msg_id}/", &["get"]),
    ("/api/groups/{id}/messages/{msg_id}/reactions/", &["post"]),
    (
        "/api/groups/{id}/messages/{msg_id}/reactions/{emoji}/",
        &["delete"],
    ),
    ("/api/mentions/", &["get"]),
];

async fn schema() -> Value {
    let app = spawn_app().await;
    let response = app.client().get("/api/schema/").await;
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.contains("json"), "content type {kind}");
    response.json().await.expect("the schema is JSON")
}

fn statuses(operation: &Value) -> Vec<&str> {
    operation["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn schema_is_openapi_3_with_every_path_and_method() {
    let doc = schema().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), ENDPOINTS.len(), "{:?}", paths.keys());
    for (path, methods) in ENDPOINTS {
        let item = paths.get(path).unwrap_or_else(|| panic!("{path} missing"));
        let listed: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| ["get", "post", "put", "patch", "delete"].contains(k))
            .collect();
        let mut expected = methods.to_vec();
        expected.sort_unstable();
        let mut listed = listed;
        listed.sort_unstable();
        assert_eq!(listed, expected, "{path}");
    }
}

#[tokio::test]
async fn schema_declares_bearer_jwt_and_uses_it_beyond_the_token_endpoints() {
    let doc = schema().await;
    let scheme = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    for (path, methods) in ENDPOINTS {
        for method in methods {
            let operation = &doc["paths"][path][method];
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearerAuth").is_some()));
            assert_eq!(secured, !path.starts_with("/api/token/"), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn schema_gives_status_codes_bodies_and_response_schemas() {
    let doc = schema().await;
    let op = |path: &str, method: &str| doc["paths"][path][method].clone();

    let token = op("/api/token/", "post");
    for status in ["200", "400", "401", "413", "429"] {
        assert!(statuses(&token).contains(&status), "token {status}");
    }
    let content = &token["requestBody"]["content"];
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/TokenRequest"
    );
    assert!(content.get("application/fernet").is_some(), "{content}");
    assert!(
        token["requestBody"]["description"]
            .as_str()
            .unwrap()
            .contains("application/fernet")
    );
    assert_eq!(
        token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/TokenPair"
    );
    assert!(
        token["responses"]["429"]["headers"]
            .get("Retry-After")
            .is_some()
    );

    let create = op("/api/groups/", "post");
    for status in ["201", "400", "401", "413", "429"] {
        assert!(statuses(&create).contains(&status), "create {status}");
    }
    let put = op("/api/groups/{id}/", "put");
    for status in ["200", "400", "401", "403", "404", "413", "429"] {
        assert!(statuses(&put).contains(&status), "put {status}");
    }
    let delete = op("/api/groups/{id}/", "delete");
    for status in ["204", "401", "403", "404", "429"] {
        assert!(statuses(&delete).contains(&status), "delete {status}");
    }
    let post = op("/api/groups/{id}/messages/", "post");
    assert!(statuses(&post).contains(&"201"));
    let detail = op("/api/groups/{id}/messages/{msg_id}/", "get");
    let params: Vec<&str> = detail["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["id", "msg_id"]);

    let schemas = &doc["components"]["schemas"];
    for name in [
        "UserOut",
        "UserPage",
        "GroupOut",
        "GroupPage",
        "MessageOut",
        "MessagePage",
        "ErrorDetail",
        "FieldErrors",
    ] {
        assert!(schemas.get(name).is_some(), "schema {name}");
    }
    let user = schemas["UserOut"]["properties"].as_object().unwrap();
    for field in [
        "id",
        "username",
        "display_name",
        "avatar",
        "date_joined",
        "email",
    ] {
        assert!(user.contains_key(field), "user.{field}");
    }
    assert!(
        !user
            .keys()
            .any(|k| k.contains("password") || k.contains("hash"))
    );
    let page = schemas["MessagePage"]["properties"].as_object().unwrap();
    assert!(page.contains_key("next") && !page.contains_key("count"));
}

#[tokio::test]
async fn docs_page_is_self_contained_html_listing_every_path() {
    let app = spawn_app().await;
    let response = app.client().get("/api/docs/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");

    let page = response.text().await.unwrap();
    let references = regex::Regex::new(r#"(?:src|href|action)\s*=\s*"([^"]*)""#).unwrap();
    for capture in references.captures_iter(&page) {
        let target = &capture[1];
        assert!(
            target.starts_with('/') && !target.starts_with("//"),
            "external reference {target}"
        );
    }
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("<script") && !page.contains("<style") && !page.contains("style="));
    assert!(page.contains("href=\"/api/schema/\""));
    for (path, methods) in ENDPOINTS {
        assert!(page.contains(&format!("<code>{path}</code>")), "{path}");
        for method in methods {
            let heading = format!("{}</span> <code>{path}</code>", method.to_uppercase());
            assert!(page.contains(&heading), "{method} {path}");
        }
    }
    for status in ["201", "204", "403", "413", "429"] {
        assert!(page.contains(&format!("<code>{status}</code>")), "{status}");
    }
    assert!(page.contains("bearerAuth") && page.contains("application/fernet"));
}
