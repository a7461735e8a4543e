//! `/accounts/settings/`: changing one's password and managing one's sessions.

use crate::helpers::{Client, PASSWORD, spawn_app};

const SETTINGS: &str = "/accounts/settings/";
const NEW_PASSWORD: &str = "a brand new ember 77";

async fn change_password(
    client: &Client,
    current: &str,
    one: &str,
    two: &str,
) -> reqwest::Response {
    client
        .post_form(
            "/accounts/settings/password/",
            SETTINGS,
            &[
                ("current_password", current),
                ("password1", one),
                ("password2", two),
            ],
        )
        .await
}

/// The ids of the sessions listed on the settings page that are not this browser's.
async fn other_session_ids(client: &Client) -> Vec<String> {
    let page = client.get_text(SETTINGS).await;
    let re =
        regex::Regex::new(r#"action="/accounts/settings/sessions/([0-9a-f]+)/revoke/""#).unwrap();
    re.captures_iter(&page).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn settings_require_log_in() {
    let app = spawn_app().await;
    let response = app.client().get(SETTINGS).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/accounts/login/"), "{location}");
}

#[tokio::test]
async fn changing_password_keeps_this_session_and_signs_out_the_others() {
    let app = spawn_app().await;
    let here = app.signed_up("ann").await;
    let elsewhere = app.client();
    assert_eq!(elsewhere.login("ann", PASSWORD).await.status(), 303);

    let response = change_password(&here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Your password was changed")
    );

    assert_eq!(here.get(SETTINGS).await.status(), 200, "this session stays");
    assert_eq!(
        elsewhere.get(SETTINGS).await.status(),
        303,
        "the other is signed out"
    );
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 400);
    assert_eq!(app.client().login("ann", NEW_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn wrong_current_weak_or_mismatched_password_changes_nothing() {
    let app = spawn_app().await;
    let here = app.signed_up("ann").await;
    let elsewhere = app.client();
    assert_eq!(elsewhere.login("ann", PASSWORD).await.status(), 303);
    let sessions = app.count_rows("sessions").await;

    let wrong = change_password(&here, "not my password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(wrong.status(), 400);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Your current password was entered incorrectly.")
    );
    let mismatched = change_password(&here, PASSWORD, NEW_PASSWORD, "other words 55 x").await;
    assert_eq!(mismatched.status(), 400);
    assert!(
        mismatched
            .text()
            .await
            .unwrap()
            .contains("You must type the same password each time.")
    );
    let weak = change_password(&here, PASSWORD, "password", "password").await;
    assert_eq!(weak.status(), 400);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains(r#"data-error-for="password1""#)
    );

    assert_eq!(
        elsewhere.get(SETTINGS).await.status(),
        200,
        "no session was signed out"
    );
    assert!(app.count_rows("sessions").await >= sessions);
    assert_eq!(app.client().login("ann", PASSWORD).await.status(), 303);
    assert_eq!(app.client().login("ann", NEW_PASSWORD).await.status(), 400);
}

#[tokio::test]
async fn sessions_list_marks_this_browser_and_revokes_one_or_all_others() {
    let app = spawn_app().await;
    let here = app.signed_up("ann").await;
    let phone = app.client();
    assert_eq!(phone.login("ann", PASSWORD).await.status(), 303);

    let page = here.get_text(SETTINGS).await;
    assert_eq!(page.matches("data-session").count(), 2, "{page}");
    assert_eq!(page.matches("data-current").count(), 1, "{page}");
    assert!(page.contains("This browser"));
    assert!(page.contains("127.0.0.1"));

    let others = other_session_ids(&here).await;
    assert_eq!(others.len(), 1);
    let revoke = format!("/accounts/settings/sessions/{}/revoke/", others[0]);
    assert_eq!(here.post_form(&revoke, SETTINGS, &[]).await.status(), 303);
    assert_eq!(phone.get(SETTINGS).await.status(), 303, "revoked");
    assert_eq!(here.get(SETTINGS).await.status(), 200);

    // Another person's session, or one already gone, is not found and nothing changes.
    let bob = app.signed_up("bob").await;
    let sessions = app.count_rows("sessions").await;
    assert_eq!(bob.post_form(&revoke, SETTINGS, &[]).await.status(), 404);
    let bobs = other_session_ids(&bob).await;
    assert!(bobs.is_empty());
    assert_eq!(app.count_rows("sessions").await, sessions);

    // Revoke every other session: two more browsers out, this one stays.
    let laptop = app.client();
    let tablet = app.client();
    assert_eq!(laptop.login("ann", PASSWORD).await.status(), 303);
    assert_eq!(tablet.login("ann", PASSWORD).await.status(), 303);
    assert_eq!(other_session_ids(&here).await.len(), 2);
    let response = here
        .post_form("/accounts/settings/sessions/revoke-others/", SETTINGS, &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(laptop.get(SETTINGS).await.status(), 303);
    assert_eq!(tablet.get(SETTINGS).await.status(), 303);
    assert_eq!(here.get(SETTINGS).await.status(), 200);
    assert!(other_session_ids(&here).await.is_empty());
}
