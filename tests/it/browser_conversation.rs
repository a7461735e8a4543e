//! Two people in Chromium: a mention chosen from the list, a reaction from the quick row
//! and a reply, each seen live by the other.

use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::{spawn_app, spawn_app_with};

/// The id of the message whose words are `arguments[0]`, or null.
const MESSAGE_ID: &str = r#"
    var els = document.querySelectorAll('#messages [data-role=body]');
    for (var i = 0; i < els.length; i++) {
      if (els[i].textContent.trim() === arguments[0])
        return els[i].closest('[data-message-id]').getAttribute('data-message-id');
    }
    return null;
"#;

/// `[count, mine]` of the chip for emoji `arguments[1]` on message `arguments[0]`, or null.
const CHIP: &str = r#"
    var chip = document.querySelector('#message-' + arguments[0] +
      ' .reaction[data-emoji="' + arguments[1] + '"]');
    return chip ? [chip.querySelector('span').textContent, chip.hasAttribute('data-mine')] : null;
"#;

async fn send(browser: &Browser, text: &str) {
    browser.type_into("#id_body", text).await;
    browser.click("#message-form button[type=submit]").await;
}

async fn chip_is(browser: &Browser, who: &str, id: &str, emoji: &str, expected: serde_json::Value) {
    let script = format!(
        "var r = (function () {{ {CHIP} }}).apply(null, arguments); \
         return JSON.stringify(r) === arguments[2] ? r : null;"
    );
    browser
        .wait_js(
            &format!("{who} sees {emoji} as {expected}"),
            &script,
            vec![json!(id), json!(emoji), json!(expected.to_string())],
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_is_seen_live_by_the_other_person() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    send(&bram, "Who wants tea?").await;
    let id = ada
        .wait_js(
            "Ada sees Bram's question",
            MESSAGE_ID,
            vec![json!("Who wants tea?")],
        )
        .await;
    let id = id.as_str().expect("id").to_owned();
    let article = format!("#message-{id}");

    // Ada opens the message's actions, then the quick row, and picks 🎉.
    ada.click(&format!("{article} [data-role=body]")).await;
    ada.click(&format!("{article} [data-action=react]")).await;
    ada.click(&format!("{article} [data-quick-reaction=\"🎉\"]"))
        .await;
    chip_is(&bram, "Bram", &id, "🎉", json!(["1", false])).await;
    chip_is(&ada, "Ada", &id, "🎉", json!(["1", true])).await;

    // Bram adds his to the same chip; Ada takes hers back.
    bram.click(&format!("{article} .reaction[data-emoji=\"🎉\"]"))
        .await;
    chip_is(&ada, "Ada", &id, "🎉", json!(["2", true])).await;
    chip_is(&bram, "Bram", &id, "🎉", json!(["2", true])).await;
    ada.click(&format!("{article} .reaction[data-emoji=\"🎉\"]"))
        .await;
    chip_is(&bram, "Bram", &id, "🎉", json!(["1", true])).await;
    chip_is(&ada, "Ada", &id, "🎉", json!(["1", false])).await;

    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
    bram.screenshot_as("reactions").await;
    ada.close().await;
    bram.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_shows_its_quote_live_and_the_quote_leads_to_the_original() {
    // Pages of 10, so after a reload the original is three pages back.
    let app = spawn_app_with(|s| s.chat.history = 10).await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    send(&ada, "Shall we meet at the station?").await;
    for n in 0..25 {
        send(&ada, &format!("filler {n}")).await;
    }
    let id = bram
        .wait_js(
            "Bram sees Ada's question",
            MESSAGE_ID,
            vec![json!("Shall we meet at the station?")],
        )
        .await;
    let id = id.as_str().expect("id").to_owned();
    bram.wait_js("the fillers arrived", MESSAGE_ID, vec![json!("filler 24")])
        .await;
    let article = format!("#message-{id}");

    bram.js(
        "document.querySelector(arguments[0]).scrollIntoView(); return true;",
        vec![json!(article)],
    )
    .await;
    bram.click(&format!("{article} [data-role=body]")).await;
    bram.click(&format!("{article} [data-action=reply]")).await;
    bram.wait_for_text(
        "#reply-bar [data-role=reply-to-text]",
        "Replying to ada: Shall we meet at the station?",
    )
    .await;
    send(&bram, "Yes, at noon").await;
    let quote = ada
        .wait_js(
            "Ada sees the reply with its quote",
            "var q = document.querySelector('#messages .msg-reply'); \
             return q ? [q.getAttribute('data-reply-to'), q.textContent] : null;",
            vec![],
        )
        .await;
    assert_eq!(quote, json!([id, "ada Shall we meet at the station?"]));
    bram.wait_js(
        "the reply bar is gone once sent",
        "return document.getElementById('reply-bar').hidden;",
        vec![],
    )
    .await;

    // After a reload Ada's page holds only the newest page; the quote loads older pages
    // until the original is there, then scrolls to it.
    ada.goto(&app.address, "/chat/").await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    assert_eq!(
        ada.js(
            "return document.querySelector(arguments[0]) === null;",
            vec![json!(article)]
        )
        .await,
        json!(true),
        "the original is not on the first page"
    );
    ada.click("#messages .msg-reply").await;
    ada.wait_js(
        "the original is in view",
        "var r = document.querySelector(arguments[0]).getBoundingClientRect(); \
         var list = document.getElementById('messages').getBoundingClientRect(); \
         return r.top >= list.top && r.bottom <= list.bottom;",
        vec![json!(article)],
    )
    .await;
    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
    ada.screenshot_as("reply").await;
    ada.close().await;
    bram.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_chosen_from_the_list_stands_out_for_the_person_named() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    ada.type_into("#id_body", "@br").await;
    let offered = ada
        .wait_js(
            "the list offers bram",
            "var l = document.querySelector('[data-testid=complete-list]'); \
             if (!l || l.hidden) return null; \
             var o = l.querySelector('[role=option]'); return o ? o.textContent : null;",
            vec![],
        )
        .await;
    assert!(
        offered.as_str().is_some_and(|t| t.contains("@bram")),
        "{offered}"
    );
    // Enter picks from the list (it does not send); the next Enter sends.
    ada.type_into("#id_body", "\u{e007}").await;
    ada.type_into("#id_body", "the tea is ready").await;
    ada.wait_js(
        "the box holds the mention",
        "return document.getElementById('id_body').value === '@bram the tea is ready' || null;",
        vec![],
    )
    .await;
    ada.click("#message-form button[type=submit]").await;
    bram.wait_js(
        "Bram sees himself mentioned, marked as his",
        "var m = document.querySelector('#messages .mention[data-user=bram]'); \
         return m && m.hasAttribute('data-me') && \
           m.closest('[data-message-id]').hasAttribute('data-mentions-me');",
        vec![],
    )
    .await;
    ada.wait_js(
        "Ada sees the mention, not marked as hers",
        "var m = document.querySelector('#messages .mention[data-user=bram]'); \
         return m && !m.hasAttribute('data-me');",
        vec![],
    )
    .await;
    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
    bram.screenshot_as("mention").await;
    // Bram's Mentions page lists it, linking to the message in its room.
    bram.goto(&app.address, "/chat/mentions/").await;
    bram.wait_for_selector("[data-mention-id] .mention[data-user=bram]")
        .await;
    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            bram.open_as(&app.address, "/chat/mentions/", width, height, theme)
                .await;
            bram.wait_for_selector("[data-mention-id]").await;
            bram.screenshot_as(&format!("mentions-{width}-{theme}"))
                .await;
            bram.assert_fits_cleanly(&format!("the Mentions page, {width} px, {theme}"))
                .await;
        }
    }
    bram.click("[data-role=mention-link]").await;
    bram.wait_js(
        "the link opens the room at the message",
        "return location.pathname === '/chat/' && /^#message-\\d+$/.test(location.hash);",
        vec![],
    )
    .await;
    ada.close().await;
    bram.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_of_messages_shows_one_name_and_up_edits_the_last_while_esc_cancels() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    send(&ada, "first thought").await;
    send(&ada, "second thought").await;
    let runs = bram
        .wait_js(
            "both arrived",
            "var a = document.querySelectorAll('#messages [data-message-id]'); \
             return a.length === 2 ? [a[0].classList.contains('cont'), a[1].classList.contains('cont')] : null;",
            vec![],
        )
        .await;
    assert_eq!(
        runs,
        json!([false, true]),
        "the second sits under the first's name"
    );

    // ↑ in the empty box opens Ada's last message with its words as typed; Esc closes it.
    ada.type_into("#id_body", "\u{e013}").await;
    ada.wait_js(
        "the editor holds the last message's words",
        "var f = document.querySelector('#messages [data-testid=edit-body]'); \
         return f && f.value === 'second thought' && document.activeElement === f;",
        vec![],
    )
    .await;
    ada.type_into("#messages [data-testid=edit-body]", "\u{e00c}")
        .await;
    ada.wait_js(
        "Esc closed the editor and gave the box back",
        "return !document.querySelector('#messages [data-testid=edit-body]') && \
           document.activeElement === document.getElementById('id_body');",
        vec![],
    )
    .await;

    // ↑ again, then Enter saves the change; Bram sees it.
    ada.type_into("#id_body", "\u{e013}").await;
    ada.wait_for_selector("#messages [data-testid=edit-body]")
        .await;
    ada.type_into("#messages [data-testid=edit-body]", " indeed\u{e007}")
        .await;
    bram.wait_js(
        "Bram sees the edit",
        MESSAGE_ID,
        vec![json!("second thought indeed")],
    )
    .await;
    for (browser, name) in [(&ada, "ada"), (&bram, "bram")] {
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
    ada.close().await;
    bram.close().await;
}
