//! Every admin route answers 404 to visitors and to signed-in people who are not admins,
//! for GET and POST alike, and changes nothing; an admin gets the pages.

use serde_json::json;

use crate::helpers::admin::{admin_and_bob, scalar, user_id};

#[tokio::test]
async fn every_admin_route_is_not_found_for_visitors_and_non_admins_and_changes_nothing() {
    let (app, ann, bob) = admin_and_bob().await;
    let carol = app.signed_up("carol").await;
    let mut socket = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    socket.send_json(json!({"body": "keep me"})).await;
    let message = socket.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");
    let room = scalar(&app, "SELECT id FROM rooms WHERE name = 'public-chat'").await;
    let ann_id = user_id(&app, "ann").await;
    let carol_id = user_id(&app, "carol").await;

    let gets = [
        "/admin/".to_owned(),
        "/admin/users/".to_owned(),
        "/admin/users/?q=ann&page=1".to_owned(),
        "/admin/rooms/".to_owned(),
        format!("/admin/rooms/{room}/"),
        "/admin/audit/".to_owned(),
        "/admin/audit/?kind=admin&action=user.&q=x&before=5".to_owned(),
    ];
    let mut posts = Vec::new();
    for action in [
        "deactivate",
        "reactivate",
        "promote",
        "demote",
        "reset-password",
        "delete",
    ] {
        posts.push(format!("/admin/users/{ann_id}/{action}/"));
        posts.push(format!("/admin/users/{carol_id}/{action}/"));
    }
    posts.push(format!("/admin/rooms/{room}/delete/"));
    posts.push(format!("/admin/rooms/{room}/messages/{message}/delete/"));

    let visitor = app.client();
    for (who, client, csrf_page) in [
        ("visitor", &visitor, "/accounts/login/"),
        ("bob", &bob, "/accounts/settings/"),
    ] {
        for path in &gets {
            let response = client.get(path).await;
            assert_eq!(response.status(), 404, "{who} GET {path}");
        }
        for path in &posts {
            let response = client.post_form(path, csrf_page, &[]).await;
            assert_eq!(response.status(), 404, "{who} POST {path}");
        }
    }
    assert_eq!(app.count_rows("users WHERE is_active = 1").await, 3);
    assert_eq!(app.count_rows("users WHERE is_admin = 1").await, 1);
    assert_eq!(app.count_rows("messages").await, 1);
    assert_eq!(app.count_rows("rooms").await, 1);
    assert_eq!(
        app.count_rows("account_tokens WHERE purpose = 'reset'")
            .await,
        0
    );
    assert_eq!(app.count_rows("audit_log WHERE kind = 'admin'").await, 0);
    // Bob and carol are still signed in: nothing above touched their sessions.
    assert_eq!(carol.get("/accounts/settings/").await.status(), 200);

    for path in &gets {
        let response = ann.get(path).await;
        assert_eq!(response.status(), 200, "admin GET {path}");
        let page = response.text().await.expect("body");
        assert!(page.contains(r#"data-testid="admin-nav""#), "{path}");
    }
}

#[tokio::test]
async fn an_admin_post_without_the_csrf_token_is_forbidden_and_changes_nothing() {
    let (app, ann, _bob) = admin_and_bob().await;
    let bob_id = user_id(&app, "bob").await;
    let response = ann
        .http
        .post(ann.url(&format!("/admin/users/{bob_id}/deactivate/")))
        .form(&[("csrf_token", "not-the-token")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    let response = ann
        .http
        .post(ann.url(&format!("/admin/users/{bob_id}/promote/")))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert_eq!(app.count_rows("users WHERE is_active = 1").await, 2);
    assert_eq!(app.count_rows("users WHERE is_admin = 1").await, 1);
    assert_eq!(app.count_rows("audit_log WHERE kind = 'admin'").await, 0);
}
