//! In Chromium: the tab title counts what is unread and the favicon gets a dot, live; the
//! room's bell changes its notification level without a reload.

use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::rooms::group_with;
use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_title_and_favicon_count_unread_and_the_bell_sets_the_level() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    let title = ada.js("return document.title;", vec![]).await;
    assert_eq!(title, json!("Public chat · Hearth"));

    // Bram starts a group with Ada and writes in it while she reads the public chat.
    let bram = app.signed_up("bram").await;
    let walkers = group_with(&bram, "Walkers", &["ada"]).await;
    let mut socket = bram.json_socket(&walkers).await;
    socket.send_json(json!({ "body": "Rain later" })).await;
    socket.next_event("message").await;
    ada.wait_js(
        "the title counts the unread message",
        "return document.title === '(1) Public chat · Hearth';",
        vec![],
    )
    .await;
    let icon = ada
        .js(
            "return document.querySelector('link[rel=icon]').getAttribute('href');",
            vec![],
        )
        .await;
    assert_eq!(icon, json!("/static/images/favicon-unread.svg"));
    socket.send_json(json!({ "body": "Coats, then" })).await;
    ada.wait_js(
        "the title counts both",
        "return document.title === '(2) Public chat · Hearth';",
        vec![],
    )
    .await;

    // Reading the room clears the count and the dot.
    ada.goto(&app.address, &format!("/chat/room/{walkers}/"))
        .await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    let seen = ada
        .js(
            "return [document.title, document.querySelector('link[rel=icon]').getAttribute('href')];",
            vec![],
        )
        .await;
    assert_eq!(
        seen,
        json!(["Walkers · Hearth", "/static/images/favicon.svg"])
    );

    // The bell: open it, pick Everything; the choice is stored and shown after a reload.
    ada.click("#notify-menu summary").await;
    ada.click(r#"#notify-menu input[value="everything"]"#).await;
    ada.wait_for_attr("#notify-menu", "data-level", "everything")
        .await;
    ada.goto(&app.address, &format!("/chat/room/{walkers}/"))
        .await;
    ada.wait_for_attr("#notify-menu", "data-level", "everything")
        .await;
    ada.wait_for_selector(&format!(
        r#"[data-room-entry="{walkers}"][data-level="everything"]"#
    ))
    .await;
    ada.assert_fits_cleanly("the room with its bell").await;
    ada.close().await;
}
