//! `/people/`: everyone with an active account, found by username or display name, in
//! pages of 30, each with "Message"; what a search may not be is refused.

use crate::helpers::spawn_app;

/// The usernames listed on a people page, in order.
fn listed(page: &str) -> Vec<String> {
    page.split(r#"data-person=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn people_are_found_by_username_or_display_name_and_can_be_messaged() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    app.signed_up("bram").await;
    app.signed_up("cyra").await;
    app.signed_up("gone").await;
    app.execute_sql("UPDATE users SET display_name = 'Bramble Oakes' WHERE username = 'bram'")
        .await;
    app.execute_sql("UPDATE users SET is_active = 0 WHERE username = 'gone'")
        .await;

    let all = ada.get_text("/people/").await;
    assert_eq!(
        listed(&all),
        ["ada", "bram", "cyra"],
        "deactivated accounts are not listed"
    );
    assert!(all.contains("3 people on Hearth"));
    // Each links to the profile; everyone but me has Message, to a private chat.
    assert!(all.contains(r#"href="/profile/bram/""#));
    assert!(all.contains(r#"href="/chat/dm/bram/" class="#));
    assert!(
        !all.contains(r#"href="/chat/dm/ada/""#),
        "no Message beside myself"
    );

    // By display name, any case, and by part of a username, with or without '@'.
    assert_eq!(listed(&ada.get_text("/people/?q=OAKES").await), ["bram"]);
    assert_eq!(listed(&ada.get_text("/people/?q=%40cy").await), ["cyra"]);
    assert_eq!(listed(&ada.get_text("/people/?q=yr").await), ["cyra"]);
    let none = ada.get_text("/people/?q=nobody").await;
    assert!(listed(&none).is_empty() && none.contains("Nobody matches"));
    // LIKE's wildcards match themselves only.
    assert!(listed(&ada.get_text("/people/?q=%25").await).is_empty());
    assert!(listed(&ada.get_text("/people/?q=_").await).is_empty());

    // The live search asks for the same page as a fragment.
    let fragment = ada
        .http
        .get(ada.url("/people/?q=bram"))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .unwrap_or_default();
    assert!(!fragment.contains("<html") && fragment.contains(r#"id="people-results""#));
    assert_eq!(listed(&fragment), ["bram"]);
}

#[tokio::test]
async fn people_come_in_pages_of_thirty() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    // 40 more accounts, straight into the table (signing 40 up would only test argon2).
    app.execute_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) \
         INSERT INTO users (username, username_key, email, email_key, password_hash, \
           display_name, bio, avatar, is_admin, is_active, email_verified, created) \
         SELECT printf('walker%02d', i), printf('walker%02d', i), printf('w%d@example.org', i), \
           printf('w%d@example.org', i), 'x', '', '', NULL, 0, 1, 1, '2026-01-01T00:00:00Z' FROM n",
    )
    .await;

    let first = ada.get_text("/people/").await;
    assert_eq!(listed(&first).len(), 30);
    assert!(first.contains("41 people on Hearth") && first.contains("Page 1 of 2"));
    assert!(first.contains(r#"href="/people/?q=&amp;page=2""#));
    let second = ada.get_text("/people/?page=2").await;
    let names = listed(&second);
    assert_eq!(names.len(), 11);
    assert_eq!(names.last().map(String::as_str), Some("walker40"));
    assert!(
        !names.iter().any(|n| listed(&first).contains(n)),
        "pages do not overlap"
    );
    // Paging keeps the search.
    let found = ada.get_text("/people/?q=walker&page=2").await;
    assert_eq!(listed(&found).len(), 10);
    // A page past the end is empty, not an error.
    let past = ada.get("/people/?page=9").await;
    assert_eq!(past.status(), 200);
}

#[tokio::test]
async fn a_bad_people_search_is_refused_and_strangers_are_sent_to_log_in() {
    let app = spawn_app().await;
    let ada = app.signed_up("ada").await;
    for bad in ["page=0", "page=-1", "page=two", "page=99999999999"] {
        let response = ada.get(&format!("/people/?{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
    let long = "a".repeat(101);
    let response = ada.get(&format!("/people/?q={long}")).await;
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("at most 100")
    );

    let stranger = app.client().get("/people/").await;
    assert_eq!(stranger.status(), 303);
    assert!(
        stranger.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .starts_with("/accounts/login/")
    );
}
