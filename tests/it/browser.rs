//! Real headless Chromium: two people chat live, dark mode, a lost connection caught up.

use serde_json::{Value as Json, json};

use crate::helpers::browser::Browser;
use crate::helpers::spawn_app;

/// Finds the message whose body reads `text` in `#messages`: its author and whether it
/// carries `data-mine`.
const FIND_MESSAGE: &str = r#"
    var text = arguments[0];
    var articles = document.querySelectorAll('#messages article');
    for (var i = 0; i < articles.length; i++) {
        var body = articles[i].querySelector('[data-role=body]');
        if (body && body.textContent.trim() === text) {
            return { author: articles[i].getAttribute('data-author'),
                     id: articles[i].getAttribute('data-message-id'),
                     mine: articles[i].hasAttribute('data-mine') };
        }
    }
    return null;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_live_in_chromium() {
    let app = spawn_app().await;
    let (ada, bram) = tokio::join!(Browser::launch(), Browser::launch());

    // Both sign up through the real form and land in the public chat, connected.
    tokio::join!(
        ada.sign_up(&app.address, "ada"),
        bram.sign_up(&app.address, "bram")
    );
    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        browser
            .wait_for_attr("#connection-status", "data-connected", "true")
            .await;
        let me = browser
            .js("return document.body.getAttribute('data-me');", vec![])
            .await;
        assert_eq!(
            me,
            json!(name),
            "<body data-me> should name the person logged in"
        );
        // Every script loaded and ran under the page's CSP.
        let loaded = browser
            .js("return [typeof htmx, typeof Alpine];", vec![])
            .await;
        assert_eq!(
            loaded,
            json!(["object", "object"]),
            "htmx and Alpine should both be loaded for {name}"
        );
    }

    // Both are online, and each page learns it live.
    ada.wait_for_text("#online-count", "2").await;
    bram.wait_for_text("#online-count", "2").await;

    // A marker that a reload would wipe: Bram must see the message without one.
    bram.js(
        "window.__hearthNoReload = 'still here'; return true;",
        vec![],
    )
    .await;

    let text = "Hello from Ada, live over the socket";
    ada.type_into("#id_body", text).await;
    ada.click("#message-form button[type=submit]").await;

    let seen = bram
        .wait_js("Bram sees Ada's message", FIND_MESSAGE, vec![json!(text)])
        .await;
    assert_eq!(
        seen["author"],
        json!("ada"),
        "Bram's copy should be authored by ada: {seen}"
    );
    assert_eq!(
        seen["mine"],
        json!(false),
        "Bram's copy of Ada's message must not be marked data-mine: {seen}"
    );
    let marker = bram
        .js("return window.__hearthNoReload || null;", vec![])
        .await;
    assert_eq!(
        marker,
        json!("still here"),
        "Bram's page reloaded instead of receiving the message live"
    );

    let own = ada
        .wait_js("Ada sees her own message", FIND_MESSAGE, vec![json!(text)])
        .await;
    assert_eq!(own["author"], json!("ada"), "{own}");
    assert_eq!(
        own["id"], seen["id"],
        "both pages should show the same message id"
    );
    // data-mine is added by JS right after the swap; allow it a moment.
    ada.wait_js(
        "Ada's own message carries data-mine",
        &format!("var r = (function () {{ {FIND_MESSAGE} }}).apply(null, arguments); return !!r && r.mine;"),
        vec![json!(text)],
    )
    .await;
    // The box empties once the message is sent.
    ada.wait_js(
        "Ada's message box is cleared",
        "return document.getElementById('id_body').value === '';",
        vec![],
    )
    .await;

    // Bram answers; Ada sees it live too.
    let reply = "Hi Ada, Bram here";
    bram.type_into("#id_body", reply).await;
    bram.click("#message-form button[type=submit]").await;
    let got = ada
        .wait_js("Ada sees Bram's reply", FIND_MESSAGE, vec![json!(reply)])
        .await;
    assert_eq!(got["author"], json!("bram"), "{got}");
    assert_eq!(
        got["mine"],
        json!(false),
        "Ada's copy of Bram's reply must not be data-mine: {got}"
    );

    // No CSP violation, failed load or uncaught error in either console.
    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        let errors = browser.console_errors().await;
        assert!(
            errors.is_empty(),
            "{name}'s console has errors:\n{}",
            errors.join("\n")
        );
    }

    if let Some(dir) = std::env::var_os("HEARTH_SCREENSHOT_DIR") {
        let png = ada.client.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join("chat.png"), png).expect("write");
    }
    ada.close().await;
    bram.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dark_mode_toggle_is_remembered_per_browser() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    let toggle = "[data-testid=theme-toggle]";
    let is_dark = "return document.documentElement.classList.contains('dark');";
    let stored = "return window.localStorage.getItem('hearth-theme');";

    browser.goto(&app.address, "/").await;
    browser.wait_for_path("/").await;
    // Alpine has bound the toggle once it carries aria-pressed.
    browser
        .wait_for_selector(&format!("{toggle}[aria-pressed]"))
        .await;
    let initially = browser.js(is_dark, vec![]).await.as_bool().expect("a bool");
    assert_eq!(
        browser.js(stored, vec![]).await,
        Json::Null,
        "a fresh browser has made no choice yet"
    );

    // Flip it, then flip it back: each choice survives a reload.
    for dark in [!initially, initially] {
        let choice = if dark { "dark" } else { "light" };
        browser.click(toggle).await;
        browser
            .wait_js(
                &format!("<html> turns {choice}"),
                &format!("return document.documentElement.classList.contains('dark') === {dark};"),
                vec![],
            )
            .await;
        browser
            .wait_for_attr(toggle, "aria-pressed", &dark.to_string())
            .await;
        assert_eq!(
            browser.js(stored, vec![]).await,
            json!(choice),
            "localStorage hearth-theme should hold the choice"
        );

        browser.client.refresh().await.expect("reload");
        browser.wait_for_path("/").await;
        assert_eq!(
            browser.js(is_dark, vec![]).await,
            json!(dark),
            "the {choice} choice should survive a reload"
        );
        assert_eq!(
            browser.js(stored, vec![]).await,
            json!(choice),
            "the choice should still be stored after a reload"
        );
        browser
            .wait_for_attr(toggle, "aria-pressed", &dark.to_string())
            .await;
    }

    // Leave it dark in this browser: another browser (its own profile) is not affected.
    if !initially {
        browser.click(toggle).await;
    }
    browser
        .wait_js(
            "<html> turns dark",
            "return document.documentElement.classList.contains('dark');",
            vec![],
        )
        .await;
    let other = Browser::launch().await;
    other.goto(&app.address, "/").await;
    other.wait_for_path("/").await;
    assert_eq!(
        other.js(stored, vec![]).await,
        Json::Null,
        "another browser must not inherit the choice"
    );
    assert_eq!(
        other.js(is_dark, vec![]).await,
        json!(initially),
        "another browser shows the default theme"
    );

    let errors = browser.console_errors().await;
    assert!(
        errors.is_empty(),
        "the console has errors:\n{}",
        errors.join("\n")
    );

    browser.close().await;
    other.close().await;
}

#[tokio::test]
async fn a_profile_is_edited_in_place_through_htmx() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    browser.sign_up(&app.address, "editor").await;
    browser.goto(&app.address, "/profile/editor/").await;
    browser
        .js(
            "document.body.dataset.notReloaded = 'yes'; return null;",
            vec![],
        )
        .await;
    browser.click("#profile-card button").await;
    browser.wait_for_selector("#id_display_name").await;

    // Too long: the form comes back in place with its error, nothing saved.
    browser
        .js(
            "document.getElementById('id_display_name').removeAttribute('maxlength'); \
             document.getElementById('id_display_name').value = 'x'.repeat(60); return null;",
            vec![],
        )
        .await;
    browser.click("#profile-card button[type=submit]").await;
    browser
        .wait_for_selector("[data-error-for=display_name]")
        .await;

    browser
        .js(
            "document.getElementById('id_display_name').value = 'The Editor'; \
             document.getElementById('id_bio').value = 'Keeps the fire going.'; return null;",
            vec![],
        )
        .await;
    browser.click("#profile-card button[type=submit]").await;
    browser
        .wait_for_text("[data-role=display-name]", "The Editor")
        .await;
    browser
        .wait_for_text("[data-role=bio]", "Keeps the fire going.")
        .await;
    assert_eq!(
        browser
            .js("return document.body.dataset.notReloaded;", vec![])
            .await,
        json!("yes"),
        "edited in place, without a page load"
    );
    // Chromium logs every 4xx response as a console error; the 422 was the point above.
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("status of 422"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link_in_chromium() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    browser.sign_up(&app.address, "forgetful").await;
    browser
        .client
        .delete_all_cookies()
        .await
        .expect("forget the session");

    browser.goto(&app.address, "/accounts/login/").await;
    browser.click("a[href='/accounts/password/reset/']").await;
    browser.wait_for_path("/accounts/password/reset/").await;
    browser
        .type_into("#id_email", "forgetful@example.org")
        .await;
    browser
        .click("form[action='/accounts/password/reset/'] button[type=submit]")
        .await;

    let mail = crate::helpers::mail::outbox_mail(&app, "/accounts/password/reset/key/").await;
    let link = crate::helpers::mail::link_path(&mail, "/accounts/password/reset/key/");
    browser.goto(&app.address, &link).await;
    let fresh = "a brand new ember 77";
    browser.type_into("#id_password1", fresh).await;
    browser.type_into("#id_password2", fresh).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_selector("[data-reset-done]").await;

    browser.goto(&app.address, "/accounts/login/").await;
    browser.type_into("#id_login", "forgetful").await;
    browser.type_into("#id_password", fresh).await;
    browser
        .click("form[action='/accounts/login/'] button[type=submit]")
        .await;
    browser.wait_for_path("/chat/").await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}

/// Counts the articles whose body reads `arguments[0]`.
const COUNT_MESSAGE: &str = r#"
    var text = arguments[0], n = 0;
    document.querySelectorAll('#messages article [data-role=body]').forEach(function (b) {
        if (b.textContent.trim() === text) { n += 1; }
    });
    return n;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_that_lost_its_connection_gets_the_missed_messages_once_and_in_order() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    // Cut Bram's socket. (A close from the page itself is not retried by the extension,
    // unlike a dropped connection, so the test reconnects it the way the extension does.)
    bram.js(
        "document.querySelector('[ws-connect]')['htmx-internal-data'].webSocket.socket.close(); \
         return null;",
        vec![],
    )
    .await;
    bram.wait_for_attr("#connection-status", "data-connected", "false")
        .await;
    for text in ["while you were away", "and one more"] {
        ada.type_into("#id_body", text).await;
        ada.click("#message-form button[type=submit]").await;
        ada.wait_js("Ada's message is stored", FIND_MESSAGE, vec![json!(text)])
            .await;
    }
    bram.js(
        "document.querySelector('[ws-connect]')['htmx-internal-data'].webSocket.init(); \
         return null;",
        vec![],
    )
    .await;
    bram.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    for text in ["while you were away", "and one more"] {
        bram.wait_js(
            "Bram gets the missed message",
            FIND_MESSAGE,
            vec![json!(text)],
        )
        .await;
    }
    // A message after the reconnect arrives live, and nothing is doubled.
    ada.type_into("#id_body", "welcome back").await;
    ada.click("#message-form button[type=submit]").await;
    bram.wait_js(
        "Bram gets the live one",
        FIND_MESSAGE,
        vec![json!("welcome back")],
    )
    .await;
    for text in ["while you were away", "and one more", "welcome back"] {
        assert_eq!(
            bram.js(COUNT_MESSAGE, vec![json!(text)]).await,
            json!(1),
            "{text} once"
        );
    }
    let order = bram
        .js(
            "return Array.from(document.querySelectorAll('#messages article')).map(function (a) { \
             return Number(a.getAttribute('data-message-id')); });",
            vec![],
        )
        .await;
    let ids: Vec<i64> = serde_json::from_value(order).expect("ids");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order: {ids:?}");
    ada.close().await;
    bram.close().await;
}
