//! Per-room notification levels, chosen from the room: everything, mentions and DMs (the
//! default, stored as no row), or nothing; what may not be chosen changes nothing.

use crate::helpers::rooms::group_with;
use crate::helpers::spawn_app;

/// The level the room page's bell shows.
fn bell_level(page: &str) -> &str {
    page.split(r#"id="notify-menu" class="notify-menu" data-level=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("no bell")
}

#[tokio::test]
async fn a_level_is_chosen_from_the_room_and_shown_in_the_room_and_the_list() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    app.signed_up("bram").await;
    let name = group_with(&ada, "Walkers", &["bram"]).await;
    let group = format!("/chat/room/{name}/");
    let post = format!("/chat/room/{name}/notifications/");

    assert_eq!(
        bell_level(&ada.get_text(&group).await),
        "mentions",
        "the default"
    );

    // htmx gets the bell back, with the choice checked.
    let token = ada.csrf_token(&group).await;
    let response = ada
        .http
        .post(ada.url(&post))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[("level", "everything")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);
    let bell = response.text().await.unwrap_or_default();
    assert!(bell.starts_with(r#"<details id="notify-menu""#), "{bell}");
    assert!(bell.contains(r#"value="everything" checked"#));
    assert_eq!(app.count_rows("notification_levels").await, 1);

    let page = ada.get_text(&group).await;
    assert_eq!(bell_level(&page), "everything");
    assert!(page.contains(&format!(
        r#"data-room-entry="{name}" data-kind="group" data-level="everything""#
    )));

    // A plain form goes back to the room; choosing the default again removes the row.
    let response = ada.post_form(&post, &group, &[("level", "mentions")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], group.as_str());
    assert_eq!(app.count_rows("notification_levels").await, 0);

    // The public room has a bell too.
    let response = ada
        .post_form(
            "/chat/room/public-chat/notifications/",
            "/chat/",
            &[("level", "nothing")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/chat/");
    assert_eq!(bell_level(&ada.get_text("/chat/").await), "nothing");
}

#[tokio::test]
async fn a_bad_level_a_stranger_and_a_forged_form_change_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let cyra = app.signed_up("cyra").await;
    let name = group_with(&ada, "Walkers", &[]).await;
    let group = format!("/chat/room/{name}/");
    let post = format!("/chat/room/{name}/notifications/");

    for bad in ["", "all", "EVERYTHING", "nothing'--", &"x".repeat(10_000)] {
        let response = ada.post_form(&post, &group, &[("level", bad)]).await;
        assert_eq!(response.status(), 400, "{:.20}", bad);
    }
    // Someone outside the group cannot tell it exists.
    let response = cyra
        .post_form(&post, "/chat/", &[("level", "everything")])
        .await;
    assert_eq!(response.status(), 404);
    let response = ada
        .post_form(
            "/chat/room/no-such-room/notifications/",
            "/chat/",
            &[("level", "nothing")],
        )
        .await;
    assert_eq!(response.status(), 404);
    // No CSRF token: refused.
    let response = ada
        .post_form_without_csrf(&post, &[("level", "everything")])
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.count_rows("notification_levels").await, 0);
}
