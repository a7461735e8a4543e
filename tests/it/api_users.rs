//! `/api/users/`: page-number pagination and public fields only.

use serde_json::{Value, json};

use crate::helpers::api::{get_with_token, obtain};
use crate::helpers::spawn_app_with;

async fn get_json(app: &crate::helpers::TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = get_with_token(app, path, token).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

fn keys(user: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = user
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

const PUBLIC: [&str; 5] = ["avatar", "date_joined", "display_name", "id", "username"];

#[tokio::test]
async fn the_users_list_pages_by_number_and_shows_only_public_fields() {
    let app = spawn_app_with(|s| s.api.page_size = 2).await;
    let (access, _) = obtain(&app, "ann").await;
    app.signed_up("bob").await;
    app.signed_up("cat").await;
    let base = format!("{}/api/users/", app.address);

    let (status, first) = get_json(&app, "/api/users/", &access).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["count"], 3);
    assert_eq!(first["next"], json!(format!("{base}?page=2")));
    assert_eq!(first["previous"], Value::Null);
    let results = first["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["username"], "ann");
    let mut own = PUBLIC.to_vec();
    own.push("email");
    own.sort_unstable();
    assert_eq!(keys(&results[0]), own, "one's own entry adds the email");
    assert_eq!(results[0]["email"], "ann@example.org");
    assert_eq!(results[1]["username"], "bob");
    assert_eq!(keys(&results[1]), PUBLIC.to_vec(), "no email, no hash");
    let text = first.to_string();
    assert!(!text.contains("bob@example.org") && !text.contains("argon2"));

    let (status, second) = get_json(&app, "/api/users/?page=2", &access).await;
    assert_eq!(status, 200);
    assert_eq!(second["next"], Value::Null);
    assert_eq!(second["previous"], json!(base));
    assert_eq!(second["results"][0]["username"], "cat");
    let (_, last) = get_json(&app, "/api/users/?page=last", &access).await;
    assert_eq!(last, second);

    for page in ["3", "0", "-1", "two"] {
        let (status, body) = get_json(&app, &format!("/api/users/?page={page}"), &access).await;
        assert_eq!(status, 404, "page {page}");
        assert_eq!(body, json!({"detail": "Invalid page."}));
    }
}

#[tokio::test]
async fn a_user_detail_shows_the_email_only_to_its_owner() {
    let app = spawn_app_with(|_| {}).await;
    let (ann_access, _) = obtain(&app, "ann").await;
    let (bob_access, _) = obtain(&app, "bob").await;
    let (_, list) = get_json(&app, "/api/users/", &ann_access).await;
    let ann_id = list["results"][0]["id"].as_i64().expect("id");
    let bob_id = list["results"][1]["id"].as_i64().expect("id");

    let (status, own) = get_json(&app, &format!("/api/users/{ann_id}/"), &ann_access).await;
    assert_eq!(status, 200);
    assert_eq!(own["email"], "ann@example.org");
    assert_eq!(own["username"], "ann");
    assert!(own["date_joined"].as_str().expect("time").ends_with('Z'));

    let (status, other) = get_json(&app, &format!("/api/users/{ann_id}/"), &bob_access).await;
    assert_eq!(status, 200);
    assert_eq!(keys(&other), PUBLIC.to_vec());
    let (_, bob) = get_json(&app, &format!("/api/users/{bob_id}/"), &ann_access).await;
    assert!(bob.get("email").is_none());

    for missing in ["9999", "abc"] {
        let (status, body) = get_json(&app, &format!("/api/users/{missing}/"), &ann_access).await;
        assert_eq!(status, 404);
        assert_eq!(body, json!({"detail": "Not found."}));
    }
}
