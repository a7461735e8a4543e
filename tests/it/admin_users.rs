//! `/admin/users/`: search, and each action with its refusals.

use serde_json::json;

use crate::helpers::admin::{admin_and_bob, admin_post, user_id};
use crate::helpers::api::token_pair;
use crate::helpers::{PASSWORD, TestApp};

async fn refresh_token(app: &TestApp, username: &str) -> String {
    token_pair(app, username).await["refresh"]
        .as_str()
        .expect("refresh")
        .to_owned()
}

async fn refresh_status(app: &TestApp, refresh: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/token/refresh/", app.address))
        .json(&json!({ "refresh": refresh }))
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

#[tokio::test]
async fn deactivating_ends_sessions_refresh_tokens_and_open_sockets_at_once() {
    let (app, ann, bob) = admin_and_bob().await;
    let bob_id = user_id(&app, "bob").await;
    let refresh = refresh_token(&app, "bob").await;
    let mut html = bob.websocket("public-chat", "").await.expect("connects");
    let mut json = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let mut ann_socket = ann
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    assert_eq!(bob.get("/accounts/settings/").await.status(), 200);

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/deactivate/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/admin/users/?done=deactivate"
    );

    assert_eq!(html.close_code().await, Some(4003));
    assert_eq!(json.close_code().await, Some(4003));
    let next = bob.get("/accounts/settings/").await;
    assert_eq!(next.status(), 303, "bob's next page asks him to log in");
    assert!(
        next.headers()["location"]
            .to_str()
            .expect("location")
            .starts_with("/accounts/login/")
    );
    assert_eq!(refresh_status(&app, &refresh).await, 401);
    assert_eq!(
        app.count_rows(&format!("sessions WHERE user_id = {bob_id}"))
            .await,
        0
    );
    assert_eq!(
        app.count_rows("users WHERE username = 'bob' AND is_active = 0")
            .await,
        1
    );
    assert_eq!(
        app.count_rows("audit_log WHERE kind = 'admin' AND action = 'user.deactivate' AND actor_name = 'ann' AND target LIKE 'bob%'")
            .await,
        1
    );
    // The admin's own socket is untouched.
    ann_socket.send_json(json!({"body": "still here"})).await;
    ann_socket.next_event("message").await;
    // Nor can bob come back in by himself.
    assert_ne!(bob.login("bob", PASSWORD).await.status(), 303);
    assert!(bob.websocket("public-chat", "").await.is_err());

    let page = ann.get_text("/admin/users/?done=deactivate").await;
    assert!(page.contains("was deactivated"));
    assert!(page.contains(r#"data-status="deactivated""#));

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/reactivate/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count_rows("users WHERE username = 'bob' AND is_active = 1")
            .await,
        1
    );
    assert_eq!(bob.login("bob", PASSWORD).await.status(), 303);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'user.reactivate'")
            .await,
        1
    );
}

#[tokio::test]
async fn promote_demote_reset_and_delete_work_and_are_audited() {
    let (app, ann, bob) = admin_and_bob().await;
    let bob_id = user_id(&app, "bob").await;
    assert_eq!(bob.get("/admin/").await.status(), 404);

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/promote/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.count_rows("users WHERE is_admin = 1").await, 2);
    assert_eq!(bob.get("/admin/").await.status(), 200);

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/demote/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.count_rows("users WHERE is_admin = 1").await, 1);
    assert_eq!(bob.get("/admin/").await.status(), 404);

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/reset-password/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count_rows(&format!(
            "account_tokens WHERE user_id = {bob_id} AND purpose = 'reset'"
        ))
        .await,
        1
    );
    let mail = crate::helpers::mail::outbox_mail(&app, "/accounts/password/reset/key/").await;
    let link = crate::helpers::mail::link_path(&mail, "/accounts/password/reset/key/");
    assert_eq!(
        app.client().get(&link).await.status(),
        200,
        "the link works"
    );

    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/delete/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.count_rows("users WHERE username = 'bob'").await, 0);
    assert_eq!(bob.get("/accounts/settings/").await.status(), 303);
    for action in ["promote", "demote", "password_reset", "delete"] {
        assert_eq!(
            app.count_rows(&format!(
                "audit_log WHERE action = 'user.{action}' AND target = 'bob (#{bob_id})'"
            ))
            .await,
            1,
            "{action} is audited"
        );
    }
}

#[tokio::test]
async fn acting_on_oneself_or_an_unknown_account_is_refused_and_changes_nothing() {
    let (app, ann, bob) = admin_and_bob().await;
    let ann_id = user_id(&app, "ann").await;
    for action in ["deactivate", "demote", "delete"] {
        let response = admin_post(&ann, &format!("/admin/users/{ann_id}/{action}/")).await;
        assert_eq!(response.status(), 400, "{action} on oneself");
        let page = response.text().await.expect("body");
        assert!(page.contains("your own account"), "{action}: {page}");
    }
    for action in [
        "deactivate",
        "reactivate",
        "promote",
        "demote",
        "reset-password",
        "delete",
    ] {
        let response = admin_post(&ann, &format!("/admin/users/9999/{action}/")).await;
        assert_eq!(response.status(), 404, "{action} on nobody");
    }
    let bob_id = user_id(&app, "bob").await;
    let response = admin_post(&ann, &format!("/admin/users/{bob_id}/explode/")).await;
    assert_eq!(response.status(), 404, "an unknown action");
    let response = admin_post(&ann, "/admin/users/not-a-number/deactivate/").await;
    assert_eq!(response.status(), 404);

    assert_eq!(
        app.count_rows("users WHERE is_active = 1 AND is_admin = 1")
            .await,
        1
    );
    assert_eq!(app.count_rows("users WHERE is_active = 1").await, 2);
    assert_eq!(app.count_rows("users").await, 2);
    assert_eq!(
        app.count_rows("account_tokens WHERE purpose = 'reset'")
            .await,
        0
    );
    assert_eq!(app.count_rows("audit_log WHERE kind = 'admin'").await, 0);
    assert_eq!(ann.get("/admin/").await.status(), 200, "ann is still in");
    assert_eq!(bob.get("/accounts/settings/").await.status(), 200);
}

#[tokio::test]
async fn search_matches_username_or_email_in_any_case_and_wildcards_match_themselves() {
    let (app, ann, _bob) = admin_and_bob().await;
    app.signed_up("carol_x").await;
    let rows = |page: &str| {
        ["ann", "bob", "carol_x"]
            .into_iter()
            .filter(|name| page.contains(&format!(r#"data-user="{name}""#)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(&ann.get_text("/admin/users/").await),
        ["ann", "bob", "carol_x"]
    );
    assert_eq!(rows(&ann.get_text("/admin/users/?q=BO").await), ["bob"]);
    assert_eq!(
        rows(&ann.get_text("/admin/users/?q=EXAMPLE.org").await),
        ["ann", "bob", "carol_x"]
    );
    assert_eq!(
        rows(&ann.get_text("/admin/users/?q=l_x%40").await),
        ["carol_x"]
    );
    assert_eq!(
        rows(&ann.get_text("/admin/users/?q=%25").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        rows(&ann.get_text("/admin/users/?q=a_n").await),
        Vec::<&str>::new()
    );
    let past_the_end = ann.get_text("/admin/users/?page=5").await;
    assert!(rows(&past_the_end).is_empty());
    assert!(past_the_end.contains("No accounts match"));
}
