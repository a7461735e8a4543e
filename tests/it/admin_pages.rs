//! The dashboard, room moderation and the audit log viewer, as an admin sees them.

use serde_json::json;

use crate::helpers::admin::{admin_and_bob, admin_post, scalar, user_id};
use crate::helpers::rooms::group_with;

fn stat(page: &str, key: &str) -> String {
    let re = regex::Regex::new(&format!(r#"data-stat="{key}">([^<]*)<"#)).expect("regex");
    re.captures(page)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no {key} on the dashboard"))
}

#[tokio::test]
async fn the_dashboard_shows_totals_people_online_and_a_chart_of_messages() {
    let (app, ann, bob) = admin_and_bob().await;
    let carol = app.signed_up("carol").await;
    let group = group_with(&bob, "Book club", &["carol"]).await;
    let mut bob_public = bob
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let _bob_group = bob.json_socket(&group).await;
    let _carol_socket = carol
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    for body in ["one", "two", "three"] {
        bob_public.send_json(json!({ "body": body })).await;
        bob_public.next_event("message").await;
    }
    let carol_id = user_id(&app, "carol").await;
    assert_eq!(
        admin_post(&ann, &format!("/admin/users/{carol_id}/deactivate/"))
            .await
            .status(),
        303
    );

    let page = ann.get_text("/admin/").await;
    assert_eq!(stat(&page, "users"), "3");
    assert_eq!(stat(&page, "active-users"), "2");
    assert_eq!(
        stat(&page, "online"),
        "1",
        "bob's two sockets count once; carol's closed"
    );
    assert_eq!(stat(&page, "messages"), "3");
    assert_eq!(stat(&page, "public-rooms"), "1");
    assert_eq!(stat(&page, "group-rooms"), "1");
    assert_eq!(stat(&page, "private-rooms"), "0");
    assert!(stat(&page, "db-size").ends_with(" MB"));
    assert_eq!(stat(&page, "version"), env!("CARGO_PKG_VERSION"));
    assert!(stat(&page, "uptime").ends_with('m'));
    assert!(page.contains("<svg"));
    assert_eq!(page.matches("<rect ").count(), 30);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        page.contains(&format!(r#"data-day="{today}" data-count="3""#)),
        "today's bar holds the three messages"
    );
    assert!(!page.contains("style="), "CSP forbids inline styles");
}

#[tokio::test]
async fn rooms_list_counts_and_moderation_removes_messages_and_rooms() {
    let (app, ann, bob) = admin_and_bob().await;
    app.signed_up("carol").await;
    let group = group_with(&bob, "Book club", &["carol"]).await;
    let room_id = scalar(
        &app,
        &format!("SELECT id FROM rooms WHERE name = '{group}'"),
    )
    .await;
    let mut bob_json = bob.json_socket(&group).await;
    let mut bob_html = bob.websocket(&group, "").await.expect("connects");
    bob_json.send_json(json!({"body": "rude words"})).await;
    let rude = bob_json.next_event("message").await["message"]["id"]
        .as_i64()
        .expect("id");
    bob_json.send_json(json!({"body": "kind words"})).await;
    bob_json.next_event("message").await;

    let list = ann.get_text("/admin/rooms/").await;
    let row = list
        .split(&format!(r#"data-room="{group}""#))
        .nth(1)
        .expect("the group is listed");
    assert!(row.contains("<span data-members>2</span> members"), "{row}");
    assert!(
        row.contains("<span data-messages>2</span> messages"),
        "{row}"
    );
    assert!(list.contains(r#"data-room="public-chat""#));

    let detail = ann.get_text(&format!("/admin/rooms/{room_id}/")).await;
    assert!(detail.contains("rude words"), "bodies are shown opened");
    assert!(detail.contains(r#"data-member="carol""#));
    assert!(detail.contains(r#"data-member="bob""#));

    let response = admin_post(
        &ann,
        &format!("/admin/rooms/{room_id}/messages/{rude}/delete/"),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/admin/rooms/{room_id}/")
    );
    assert_eq!(
        bob_json.next_event("message_deleted").await,
        json!({"type": "message_deleted", "id": rude})
    );
    bob_html.next_containing(&format!("message-{rude}")).await;
    assert_eq!(
        app.count_rows(&format!("messages WHERE id = {rude}")).await,
        0
    );
    assert_eq!(app.count_rows("messages").await, 1);
    assert!(
        !ann.get_text(&format!("/admin/rooms/{room_id}/"))
            .await
            .contains("rude words")
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'message.delete' AND detail = 'written by bob'")
            .await,
        1
    );

    // Gone, or in another room: 404, and nothing else goes.
    let public = scalar(&app, "SELECT id FROM rooms WHERE name = 'public-chat'").await;
    for path in [
        format!("/admin/rooms/{room_id}/messages/{rude}/delete/"),
        format!("/admin/rooms/{public}/messages/{}/delete/", rude + 1),
        format!("/admin/rooms/9999/messages/{}/delete/", rude + 1),
        "/admin/rooms/9999/delete/".to_owned(),
    ] {
        assert_eq!(admin_post(&ann, &path).await.status(), 404, "{path}");
    }
    assert_eq!(ann.get("/admin/rooms/9999/").await.status(), 404);
    assert_eq!(app.count_rows("messages").await, 1);
    // The public room stays.
    let refused = admin_post(&ann, &format!("/admin/rooms/{public}/delete/")).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(app.count_rows("rooms WHERE name = 'public-chat'").await, 1);

    let response = admin_post(&ann, &format!("/admin/rooms/{room_id}/delete/")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count_rows(&format!("rooms WHERE id = {room_id}")).await,
        0
    );
    assert_eq!(
        app.count_rows(&format!("memberships WHERE room_id = {room_id}"))
            .await,
        0
    );
    assert_eq!(app.count_rows("messages").await, 0);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'room.delete'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_audit_log_lists_entries_newest_first_and_filters_them() {
    let (app, ann, _bob) = admin_and_bob().await;
    let bob_id = user_id(&app, "bob").await;
    app.client().login("bob", "wrong guess").await;
    for action in ["promote", "demote", "deactivate", "reactivate"] {
        assert_eq!(
            admin_post(&ann, &format!("/admin/users/{bob_id}/{action}/"))
                .await
                .status(),
            303
        );
    }
    let actions = |page: &str| {
        let re = regex::Regex::new(r#"data-action="([^"]+)""#).expect("regex");
        re.captures_iter(page)
            .map(|c| c[1].to_owned())
            .collect::<Vec<_>>()
    };
    let all = ann.get_text("/admin/audit/").await;
    assert_eq!(
        actions(&all),
        [
            "user.reactivate",
            "user.deactivate",
            "user.demote",
            "user.promote",
            "login.failed"
        ]
    );
    assert_eq!(
        actions(&ann.get_text("/admin/audit/?kind=security").await),
        ["login.failed"]
    );
    assert_eq!(
        actions(
            &ann.get_text("/admin/audit/?kind=admin&action=user.de")
                .await
        ),
        ["user.deactivate", "user.demote"]
    );
    assert_eq!(
        actions(&ann.get_text("/admin/audit/?q=BOB").await).len(),
        5,
        "text matches target and actor names in any case"
    );
    assert!(actions(&ann.get_text("/admin/audit/?q=nobody-here").await).is_empty());
    let oldest_admin = scalar(&app, "SELECT MIN(id) FROM audit_log WHERE kind = 'admin'").await;
    assert_eq!(
        actions(
            &ann.get_text(&format!("/admin/audit/?before={oldest_admin}"))
                .await
        ),
        ["login.failed"]
    );
    assert_eq!(ann.get("/admin/audit/?kind=bogus").await.status(), 400);
    assert_eq!(ann.get("/admin/audit/?before=abc").await.status(), 400);
}

#[tokio::test]
async fn a_full_audit_page_links_to_older_entries_keeping_the_filters() {
    let (app, ann, _bob) = admin_and_bob().await;
    let bob_id = user_id(&app, "bob").await;
    for _ in 0..26 {
        for action in ["promote", "demote"] {
            admin_post(&ann, &format!("/admin/users/{bob_id}/{action}/")).await;
        }
    }
    assert_eq!(app.count_rows("audit_log WHERE kind = 'admin'").await, 52);
    let first = ann.get_text("/admin/audit/?kind=admin&q=bob").await;
    assert_eq!(first.matches("data-entry=").count(), 50);
    let re = regex::Regex::new(r#"href="([^"]+)" rel="next" data-testid="older""#).expect("regex");
    let older = re.captures(&first).expect("an older link")[1].replace("&amp;", "&");
    assert!(
        older.contains("kind=admin") && older.contains("q=bob"),
        "{older}"
    );
    let second = ann.get_text(&older).await;
    assert_eq!(second.matches("data-entry=").count(), 2);
    assert!(!second.contains(r#"data-testid="older""#));
}
