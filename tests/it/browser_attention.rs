//! In Chromium: the tab title counts what is unread and the favicon gets a dot, live; the
//! room's bell changes its notification level without a reload; the app installs, and
//! Settings lists and removes push devices without asking for anything on load.

use serde_json::{Value as Json, json};

use crate::helpers::browser::Browser;
use crate::helpers::push::Device;
use crate::helpers::rooms::{dm_room, group_with};
use crate::helpers::{spawn_app, spawn_app_with};

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
    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            ada.open_as(&app.address, "/offline/", width, height, theme)
                .await;
            ada.wait_for_selector("[data-testid=offline] a[href='/chat/']")
                .await;
            ada.screenshot_as(&format!("offline-{width}-{theme}")).await;
            ada.assert_fits_cleanly(&format!("the offline page, {width} px, {theme}"))
                .await;
        }
    }
    ada.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_devices_are_listed_and_removed_in_settings_and_nothing_is_asked_on_load() {
    let app = spawn_app_with(|settings| {
        settings.notifications.push_services = vec!["http://127.0.0.1:9".into()];
    })
    .await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.goto(&app.address, "/accounts/settings/").await;
    ada.wait_for_selector("[data-action=enable-push]").await;
    assert_eq!(
        ada.js("return window.Notification.permission;", vec![])
            .await,
        json!("default"),
        "no permission is asked for until a click"
    );
    // What the page's script sends once the browser has subscribed.
    let device = Device::new("http://127.0.0.1:9/push/ada".into());
    let status = ada
        .wait_js(
            "the subscription is stored",
            "if (!window.__sub) { window.__sub = 'waiting'; \
               var token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']; \
               fetch('/accounts/settings/push/', { method: 'POST', \
                 headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token }, \
                 body: JSON.stringify(arguments[0]) }) \
                 .then(function (r) { window.__sub = r.status; }); } \
             return window.__sub === 'waiting' ? null : window.__sub;",
            vec![device.json()],
        )
        .await;
    assert_eq!(status, json!(200));
    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            ada.open_as(&app.address, "/accounts/settings/", width, height, theme)
                .await;
            ada.wait_for_selector("[data-push-device]").await;
            ada.js(
                "document.getElementById('push').scrollIntoView(); return true;",
                vec![],
            )
            .await;
            ada.screenshot_as(&format!("settings-push-{width}-{theme}"))
                .await;
            ada.assert_fits_cleanly(&format!("settings, {width} px, {theme}"))
                .await;
        }
    }
    ada.js("window.__samePage = true; return true;", vec![])
        .await;
    ada.click("[data-push-device] button[type=submit]").await;
    ada.wait_for_text("#push-devices", "No device has push on yet.")
        .await;
    assert_eq!(
        ada.js("return window.__samePage === true;", vec![]).await,
        json!(true),
        "swapped in place by htmx, not a reload"
    );
    assert_eq!(app.count_rows("push_subscriptions").await, 0);

    // The link every missed-message mail carries, opened in a browser with no log-in.
    let secret = std::fs::read_to_string(app.data_dir.path().join("secret.key")).expect("secret");
    let token = hearth::frontend::service::missed_mail::unsubscribe_token(
        secret.trim().as_bytes(),
        hearth::domain::UserId(1),
    );
    let link = format!("/notifications/unsubscribe/1/{token}/");
    ada.client.delete_all_cookies().await.expect("signed out");
    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            ada.open_as(&app.address, &link, width, height, theme).await;
            ada.wait_for_selector("[data-testid=unsubscribe] button")
                .await;
            ada.screenshot_as(&format!("unsubscribe-{width}-{theme}"))
                .await;
            ada.assert_fits_cleanly(&format!("the unsubscribe page, {width} px, {theme}"))
                .await;
        }
    }
    ada.click("[data-testid=unsubscribe] button").await;
    ada.wait_for_selector("[data-role=done]").await;
    ada.close().await;
}

/// Notification permission for `origin`, as a click in Settings would have given it.
async fn allow_notifications(browser: &Browser, origin: &str) {
    browser
        .devtools(
            "Browser.grantPermissions",
            json!({ "origin": origin, "permissions": ["notifications"] }),
        )
        .await
        .expect("permission");
}

/// The notifications the service worker is showing, as [title, body, tag, data].
const SHOWN: &str = "if (!window.__shown) { window.__shown = 'waiting'; \
       navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); }) \
         .then(function (ns) { window.__shown = ns.map(function (n) { return [n.title, n.body, n.tag, n.data]; }); }); } \
     var shown = window.__shown; if (shown === 'waiting') return null; \
     window.__shown = null; return shown.length >= arguments[0] ? shown : null;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_worker_shows_a_push_with_a_link_to_its_room_and_nothing_else() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.wait_js(
        "the service worker is ready",
        "if (!window.__ready) { window.__ready = 'waiting'; \
           navigator.serviceWorker.ready.then(function () { window.__ready = true; }); } \
         return window.__ready === true ? true : null;",
        vec![],
    )
    .await;
    // What a push service hands the worker, decrypted: DevTools stands in for FCM here
    // (Chromium's own subscription goes to Google, which this machine cannot reach).
    allow_notifications(&ada, &app.address).await;
    ada.devtools("ServiceWorker.enable", json!({}))
        .await
        .expect("enable");
    // Delivers `data` until the worker shows `count` notifications. DevTools names a
    // worker by its registration id, which a page cannot read and a fresh profile numbers
    // from 0: ids with no worker are ignored, and a push delivered before the worker can
    // take it is delivered again (one tag, so a repeat replaces rather than adds).
    let show = async |data: Json, count: usize| -> Json {
        for _ in 0..20 {
            for id in 0..10 {
                ada.devtools(
                    "ServiceWorker.deliverPushMessage",
                    json!({ "origin": app.address, "registrationId": id.to_string(), "data": data.to_string() }),
                )
                .await
                .expect("delivered");
            }
            for _ in 0..10 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                let shown = ada.js(SHOWN, vec![json!(count)]).await;
                if !shown.is_null() {
                    return shown;
                }
            }
        }
        panic!("the worker showed no notification for {data}");
    };
    let shown = show(
        json!({
            "title": "bram in Public chat",
            "body": "mentioned you",
            "url": "/chat/room/public-chat/",
            "tag": "hearth-room-public-chat",
        }),
        1,
    )
    .await;
    assert_eq!(
        shown,
        json!([[
            "bram in Public chat",
            "mentioned you",
            "hearth-room-public-chat",
            { "url": "/chat/room/public-chat/" }
        ]])
    );
    // A payload pointing off the site opens the site's own start page instead.
    let shown = show(
        json!({ "title": "x", "body": "y", "url": "https://evil.example/", "tag": "other" }),
        2,
    )
    .await;
    let other = shown
        .as_array()
        .expect("list")
        .iter()
        .find(|n| n[2] == json!("other"))
        .expect("shown");
    assert_eq!(other[3], json!({ "url": "/" }));
    ada.close().await;
}

/// Records every browser notification the page makes (and still makes it), and lets the
/// test say whether the tab is hidden.
const WATCH_NOTIFICATIONS: &str = "
    var Real = window.Notification; window.__notes = []; window.__hidden = false;
    function Recorded(title, options) { window.__notes.push([title, options.body]); return new Real(title, options); }
    Recorded.permission = Real.permission;
    Recorded.requestPermission = function () { return Real.requestPermission(); };
    window.Notification = Recorded;
    Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return window.__hidden; } });
    return Real.permission;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_notifications_come_only_while_hidden_and_as_each_rooms_level_asks() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    allow_notifications(&ada, &app.address).await;
    assert_eq!(ada.js(WATCH_NOTIFICATIONS, vec![]).await, json!("granted"));
    let bram = app.signed_up("bram").await;
    let mut public = bram.json_socket("public-chat").await;
    // Messages reach Ada's page in the order sent: one that should not notify, sent
    // before one that should, shows as absent from the list the later one completes.
    let send = async |socket: &mut crate::helpers::Socket, body: &str| {
        socket.send_json(json!({ "body": body })).await;
        socket.next_containing(body).await;
    };

    // Looking at the page: a mention shows there and nowhere else.
    send(&mut public, "@ada seen in place").await;
    ada.wait_js(
        "the mention shows",
        "return document.getElementById('messages').textContent.indexOf('seen in place') >= 0;",
        vec![],
    )
    .await;
    // Hidden: a plain message is below the default level; a mention and a DM notify.
    ada.js("window.__hidden = true; return true;", vec![]).await;
    send(&mut public, "just chatting").await;
    send(&mut public, "@ada tea?").await;
    let notes = ada
        .wait_js(
            "the mention notifies",
            "return window.__notes.length >= 1 ? window.__notes : null;",
            vec![],
        )
        .await;
    assert_eq!(
        notes,
        json!([["bram mentioned you", "in Public chat: @ada tea?"]])
    );
    let room = dm_room(&bram, "ada").await;
    let mut private = bram.json_socket(&room).await;
    private.send_json(json!({ "body": "psst" })).await;
    private.next_containing("psst").await;
    let notes = ada
        .wait_js(
            "the DM notifies",
            "return window.__notes.length >= 2 ? window.__notes : null;",
            vec![],
        )
        .await;
    // Bram's first DM: a room the page did not list yet, announced once it is.
    assert_eq!(notes[1], json!(["bram", "sent you a message"]));
    assert_eq!(notes.as_array().expect("list").len(), 2, "{notes}");

    // The public room set to everything from its bell: plain messages notify too.
    ada.click("#notify-menu > summary").await;
    ada.click(r#"#notify-menu input[value="everything"]"#).await;
    ada.wait_for_attr("#notify-menu", "data-level", "everything")
        .await;
    send(&mut public, "plain words").await;
    let notes = ada
        .wait_js(
            "the plain message notifies",
            "return window.__notes.length >= 3 ? window.__notes : null;",
            vec![],
        )
        .await;
    assert_eq!(notes[2], json!(["bram", "in Public chat: plain words"]));
    ada.close().await;
}
