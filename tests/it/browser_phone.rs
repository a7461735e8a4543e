//! Hearth on a phone: Chromium's mobile emulation at 390×844. From the room list to a new
//! group, a message, a file, a private chat and settings, without typing a URL, with
//! nothing scrolling sideways and every control at least 40 px tall.

use serde_json::{Value as Json, json};

use crate::helpers::browser::Browser;
use crate::helpers::spawn_app;

/// The visible controls under `arguments[0]` shorter than 40 px, as "tag text height".
const SMALL_TARGETS: &str = r#"
    var out = [];
    document.querySelectorAll(arguments[0]).forEach(function (root) {
      root.querySelectorAll('a[href], button, summary, label[for=id_file]:not(.sr-only), input:not([type=hidden]):not(.sr-only), select, textarea')
        .forEach(function (el) {
          // What a closed <details> holds is not on screen, whatever its box says.
          var closed = el.closest('details:not([open])');
          if (closed && el.tagName !== 'SUMMARY' && el.closest('summary') === null) return;
          // A radio or checkbox is touched through the label that wraps it.
          var target = el.closest('label') || el;
          var r = target.getBoundingClientRect();
          var style = window.getComputedStyle(el);
          if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') return;
          if (r.height < 40) out.push(el.tagName + ' "' + el.textContent.trim().slice(0, 20) + '" ' + Math.round(r.height));
        });
    });
    return out;
"#;

/// Whether drawer `#arguments[0]` is open and wholly on screen.
const DRAWER_SHOWN: &str = r#"
    var d = document.getElementById(arguments[0]);
    if (!d || !d.hasAttribute('data-open')) return false;
    var r = d.getBoundingClientRect();
    return r.left >= -1 && r.right <= window.innerWidth + 1 && window.getComputedStyle(d).visibility === 'visible';
"#;

async fn targets_are_big_enough(phone: &Browser, roots: &str, at: &str) {
    let small = phone.js(SMALL_TARGETS, vec![json!(roots)]).await;
    assert_eq!(small, json!([]), "touch targets under 40 px at {at}");
}

async fn open_drawer(phone: &Browser, button: &str, drawer: &str) {
    phone.click(&format!("[data-testid={button}]")).await;
    phone
        .wait_js(
            &format!("the {drawer} drawer slides in"),
            DRAWER_SHOWN,
            vec![json!(drawer)],
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_reaches_rooms_people_a_group_a_dm_files_and_settings() {
    let app = spawn_app().await;
    let bram = app.signed_up("bram").await;
    drop(bram);
    let phone = Browser::launch_phone().await;
    phone.sign_up(&app.address, "ada").await;
    phone
        .wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    assert_eq!(
        phone
            .js(
                "return [window.innerWidth, navigator.maxTouchPoints > 0];",
                vec![]
            )
            .await,
        json!([390, true]),
        "mobile emulation is on"
    );
    phone.screenshot_as("phone-chat").await;
    phone.assert_fits_cleanly("the public chat").await;
    targets_are_big_enough(
        &phone,
        "body > header, .room-head, #message-form",
        "the public chat",
    )
    .await;
    // The side columns are drawers here, out of sight until opened.
    assert_eq!(
        phone.js(DRAWER_SHOWN, vec![json!("rooms-drawer")]).await,
        json!(false)
    );

    // The room list opens from the room's header; a new group starts from it.
    open_drawer(&phone, "open-rooms", "rooms-drawer").await;
    phone.screenshot_as("phone-rooms").await;
    targets_are_big_enough(&phone, "#rooms-drawer", "the room list").await;
    phone.click("[data-testid=new-group]").await;
    phone.wait_for_path("/chat/new_groupchat/").await;
    phone.assert_fits_cleanly("the new group form").await;
    phone.type_into("#id_title", "Walkers").await;
    phone
        .click(r#"form[action="/chat/new_groupchat/"] button[type=submit]"#)
        .await;
    phone
        .wait_js(
            "the new group opens",
            "return /^\\/chat\\/room\\/[^/]+\\/$/.test(location.pathname) && document.readyState === 'complete';",
            vec![],
        )
        .await;
    phone
        .wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    phone
        .wait_for_text("[data-role=room-title]", "Walkers")
        .await;
    phone.assert_fits_cleanly("the group").await;
    targets_are_big_enough(&phone, ".room-head, #message-form", "the group").await;
    // The bell's menu opens inside the screen, its choices big enough to touch.
    phone.click("#notify-menu > summary").await;
    phone
        .wait_js(
            "the bell's menu opens",
            "return document.getElementById('notify-menu').open;",
            vec![],
        )
        .await;
    phone.assert_fits_cleanly("the open bell menu").await;
    targets_are_big_enough(&phone, ".room-head", "the bell's menu").await;
    phone.click("#notify-menu > summary").await;

    // A message, sent with the Send button.
    phone.type_into("#id_body", "Rain later, bring coats").await;
    phone.click("#message-form button[type=submit]").await;
    phone
        .wait_for_text("#messages [data-role=body]", "Rain later, bring coats")
        .await;

    // A file: the paperclip's input, then the row it reveals, then Upload.
    assert_eq!(
        phone
            .js(
                "return window.getComputedStyle(document.querySelector('.upload-chosen')).display;",
                vec![]
            )
            .await,
        json!("none"),
        "the upload row waits for a file"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("route.txt");
    std::fs::write(&path, "north path, then the ridge\n").expect("write");
    phone
        .find("#id_file")
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("file chosen");
    phone
        .wait_for_text("#upload-form [data-role=file-name]", "route.txt")
        .await;
    phone.screenshot_as("phone-upload").await;
    phone.assert_fits_cleanly("the upload row").await;
    targets_are_big_enough(&phone, "#upload-form", "the upload row").await;
    phone.click("#upload-form button[type=submit]").await;
    phone
        .wait_for_text("#messages [data-role=file-link] span", "route.txt")
        .await;
    phone
        .wait_js(
            "the upload row folds away again",
            "return !document.getElementById('upload-form').hasAttribute('data-chosen');",
            vec![],
        )
        .await;

    // Who is online opens from the header too, and each name links to a profile.
    open_drawer(&phone, "open-online", "online-drawer").await;
    phone
        .wait_js(
            "the online list links to Ada's profile",
            "return !!document.querySelector('#online-list a[href=\"/profile/ada/\"]');",
            vec![],
        )
        .await;
    phone.screenshot_as("phone-online").await;
    // Esc closes it.
    phone
        .js(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); return true;",
            vec![],
        )
        .await;
    assert_eq!(
        phone.js(DRAWER_SHOWN, vec![json!("online-drawer")]).await,
        json!(false)
    );

    // A private chat: the site menu's People, then "Message" beside Bram.
    open_drawer(&phone, "open-menu", "site-menu").await;
    phone.screenshot_as("phone-menu").await;
    targets_are_big_enough(&phone, "#site-menu", "the site menu").await;
    phone.click("[data-testid=menu-people]").await;
    phone.wait_for_path("/people/").await;
    phone.assert_fits_cleanly("the people page").await;
    targets_are_big_enough(&phone, "[data-testid=people]", "the people page").await;
    phone.screenshot_as("phone-people").await;
    phone
        .click(r#"[data-person="bram"] [data-role=message]"#)
        .await;
    phone
        .wait_js(
            "the private chat with Bram opens",
            "return document.querySelector('[data-role=room-title]') !== null && document.readyState === 'complete' && location.pathname.indexOf('/chat/room/') === 0;",
            vec![],
        )
        .await;
    phone.wait_for_text("[data-role=room-title]", "bram").await;
    phone
        .wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    phone.type_into("#id_body", "Hello from my phone").await;
    phone.click("#message-form button[type=submit]").await;
    phone
        .wait_for_text("#messages [data-role=body]", "Hello from my phone")
        .await;
    phone.assert_fits_cleanly("the private chat").await;

    // Settings, from the site menu.
    open_drawer(&phone, "open-menu", "site-menu").await;
    phone.click("[data-testid=menu-settings]").await;
    phone.wait_for_path("/accounts/settings/").await;
    phone.screenshot_as("phone-settings").await;
    phone.assert_fits_cleanly("settings").await;
    let heading: Json = phone
        .js(
            "return document.querySelector('h1').textContent.trim();",
            vec![],
        )
        .await;
    assert_eq!(heading, json!("Settings"));
    phone.close().await;
}
