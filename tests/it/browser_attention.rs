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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_finds_the_manifest_and_registers_the_worker_with_its_offline_page() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;

    let worker = ada
        .wait_js(
            "the service worker is active",
            "if (!window.__sw) { window.__sw = 'waiting'; \
               navigator.serviceWorker.ready.then(function (r) { \
                 window.__sw = [r.active ? r.active.scriptURL : null, r.scope]; }); } \
             return window.__sw === 'waiting' ? null : window.__sw;",
            vec![],
        )
        .await;
    assert_eq!(
        worker,
        json!([
            format!("{}/sw.js", app.address),
            format!("{}/", app.address)
        ])
    );

    // The manifest the page links to names Hearth, starts in the chat, and its icons load.
    let manifest = ada
        .wait_js(
            "the manifest and its icons are fetched",
            "if (!window.__manifest) { window.__manifest = 'waiting'; \
               fetch(document.querySelector('link[rel=manifest]').href) \
                 .then(function (r) { return r.json(); }) \
                 .then(function (m) { return Promise.all(m.icons.map(function (i) { \
                     return fetch(i.src).then(function (r) { return i.sizes + ' ' + r.status; }); })) \
                   .then(function (icons) { window.__manifest = [m.name, m.start_url, m.display, icons]; }); }); } \
             return window.__manifest === 'waiting' ? null : window.__manifest;",
            vec![],
        )
        .await;
    assert_eq!(manifest[0], json!("Hearth"));
    assert_eq!(manifest[1], json!("/chat/"));
    assert_eq!(manifest[2], json!("standalone"));
    let icons = manifest[3].as_array().expect("icons");
    for size in ["192x192 200", "512x512 200"] {
        assert!(icons.contains(&json!(size)), "{icons:?}");
    }

    // The worker has put the offline page away, with nobody's account or token in it.
    let offline = ada
        .wait_js(
            "the offline page is cached",
            "if (!window.__offline) { window.__offline = 'waiting'; \
               caches.match('/offline/').then(function (r) { return r ? r.text() : ''; }) \
                 .then(function (t) { window.__offline = t; }); } \
             return window.__offline === 'waiting' ? null : window.__offline;",
            vec![],
        )
        .await;
    let offline = offline.as_str().expect("text");
    assert!(offline.contains("You are offline"));
    assert!(offline.contains(r#"data-me="""#) && offline.contains(r#""X-CSRF-Token": """#));
    ada.close().await;
}
