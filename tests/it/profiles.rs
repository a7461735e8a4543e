use crate::helpers::spawn_app;

fn between<'a>(page: &'a str, start: &str) -> &'a str {
    page.split(start)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("")
}

#[tokio::test]
async fn a_member_sees_a_profile_with_name_and_member_since() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let bram = app.signed_up("bram").await;
    let own = ada.get_text("/profile/ada/").await;
    assert!(
        own.contains("Edit profile"),
        "one's own profile is editable"
    );
    assert!(own.contains("Member since"));
    let other = bram.get("/profile/ada/").await;
    assert_eq!(other.status(), 200);
    let other = other.text().await.unwrap_or_default();
    assert!(!other.contains("Edit profile"), "someone else's is not");
    assert!(!other.contains("ada@example.org"), "no email on a profile");
    assert_eq!(between(&other, r#"data-role="display-name">"#), "ada");
}

#[tokio::test]
async fn unknown_profiles_are_not_found_and_visitors_must_log_in() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    assert_eq!(ada.get("/profile/nobody/").await.status(), 404);
    assert_eq!(ada.get("/profile/Not%20Valid/").await.status(), 404);
    let visitor = app.client().get("/profile/ada/").await;
    assert_eq!(visitor.status(), 303);
}

#[tokio::test]
async fn editing_through_htmx_returns_the_updated_card_and_renames_messages() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let form = ada
        .http
        .get(ada.url("/profile/edit/"))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .unwrap_or_default();
    assert!(form.contains(r#"hx-post="/profile/edit/""#) && !form.contains("<html"));
    let token = ada.csrf_token("/profile/edit/").await;
    let response = ada
        .http
        .post(ada.url("/profile/edit/"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[
            ("display_name", "  Ada Lovelace "),
            ("bio", "Counts things.\r\nOften."),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);
    let card = response.text().await.unwrap_or_default();
    assert!(card.starts_with(r#"<section id="profile-card""#), "{card}");
    assert_eq!(
        between(&card, r#"data-role="display-name">"#),
        "Ada Lovelace"
    );
    assert!(card.contains("Counts things.\nOften."));

    let mut socket = ada
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    socket.send_json(serde_json::json!({"body": "hello"})).await;
    let event = socket.next_event("message").await;
    assert_eq!(event["message"]["author"]["display_name"], "Ada Lovelace");
    assert!(ada.get_text("/chat/").await.contains("Ada Lovelace"));
}

#[tokio::test]
async fn invalid_profile_edits_show_errors_and_change_nothing() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let long_name = "n".repeat(51);
    let long_bio = "b".repeat(501);
    for (name, bio, field) in [
        (long_name.as_str(), "", "display_name"),
        ("Ada", long_bio.as_str(), "bio"),
        ("bell\u{7}", "", "display_name"),
    ] {
        let response = ada
            .post_form(
                "/profile/edit/",
                "/profile/edit/",
                &[("display_name", name), ("bio", bio)],
            )
            .await;
        assert_eq!(response.status(), 400, "{field}");
        let page = response.text().await.unwrap_or_default();
        assert!(
            page.contains(&format!(r#"data-error-for="{field}""#)),
            "{field}"
        );
    }
    let token = ada.csrf_token("/profile/edit/").await;
    let htmx = ada
        .http
        .post(ada.url("/profile/edit/"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[("display_name", long_name.as_str()), ("bio", "")])
        .send()
        .await
        .expect("POST");
    assert_eq!(htmx.status(), 422, "htmx gets a swappable error status");
    let profile = ada.get_text("/profile/ada/").await;
    assert_eq!(
        between(&profile, r#"data-role="display-name">"#),
        "ada",
        "nothing changed"
    );
}

#[tokio::test]
async fn a_profile_edit_without_csrf_is_refused() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    let response = ada
        .http
        .post(ada.url("/profile/edit/"))
        .form(&[("display_name", "Forged"), ("bio", "")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert!(!ada.get_text("/profile/ada/").await.contains("Forged"));
}
