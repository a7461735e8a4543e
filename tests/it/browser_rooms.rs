//! Rooms in real headless Chromium: a group appears live in a new member's sidebar with
//! its unread count, a DM is opened, someone is seen typing, a message is edited and
//! deleted through its buttons while the other person's page follows, older messages load
//! on scroll, and a group's admin deletes a member's message; all under the page's CSP.

use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::{PASSWORD, spawn_app_with};

/// The unread badge of the sidebar entry for the room whose title contains `title`.
const BADGE: &str = r#"
    var links = document.querySelectorAll('#room-list a[data-room]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].textContent.indexOf(arguments[0]) < 0) continue;
      var badge = links[i].querySelector('[data-unread]');
      var hidden = badge.classList.contains('hidden');
      return { count: badge.textContent.trim(), hidden: hidden,
               first: links[i].closest('li') === document.querySelector('#room-list li:nth-child(2)') };
    }
    return null;
"#;

/// The article of the message whose body reads `arguments[0]`, as [id, edited?].
const MESSAGE: &str = r#"
    var els = document.querySelectorAll('#messages [data-role=body]');
    for (var i = 0; i < els.length; i++) {
      if (els[i].textContent.trim() !== arguments[0]) continue;
      var article = els[i].closest('[data-message-id]');
      return [article.getAttribute('data-message-id'),
              !!article.querySelector('[data-role=edited]')];
    }
    return null;
"#;

async fn send(browser: &Browser, text: &str) {
    browser.type_into("#id_body", text).await;
    browser.click("#message-form button[type=submit]").await;
}

#[tokio::test]
async fn a_new_group_shows_live_with_unread_counts_and_messages_are_edited_and_deleted() {
    let app = spawn_app_with(|s| s.chat.history = 4).await;
    let (ada, bram) = tokio::join!(Browser::launch(), Browser::launch());
    tokio::join!(
        ada.sign_up(&app.address, "ada"),
        bram.sign_up(&app.address, "bram")
    );
    bram.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    // Overall presence: both are online somewhere.
    bram.wait_for_text("#online-total", "2").await;

    // Ada creates a group and adds Bram through the settings page.
    ada.click(r#"[data-testid="new-group"]"#).await;
    ada.wait_for_selector("#id_title").await;
    ada.type_into("#id_title", "Walkers").await;
    ada.click(r#"form[action="/chat/new_groupchat/"] button[type=submit]"#)
        .await;
    ada.wait_for_selector(r#"[data-testid="room-settings"]"#)
        .await;
    ada.click(r#"[data-testid="room-settings"]"#).await;
    ada.wait_for_selector("#id_username").await;
    ada.type_into("#id_username", "bram").await;
    ada.click(r#"form[action$="/members/add/"] button"#).await;
    ada.wait_js(
        "the settings page lists bram",
        "return document.body.innerText.indexOf('bram') >= 0 && document.readyState === 'complete';",
        vec![],
    )
    .await;
    let group = ada
        .js(
            "return location.pathname.replace('/settings/', '/');",
            vec![],
        )
        .await;
    let group = group.as_str().expect("path").to_owned();
    ada.goto(&app.address, &group).await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;

    // Bram, still in the public chat, sees the group arrive with one unread message.
    send(&ada, "Walk at nine?").await;
    let badge = bram
        .wait_js(
            "the group shows in Bram's sidebar with 1 unread",
            &format!("var b = (function() {{ {BADGE} }}).apply(null, arguments); return b && b.count === '1' && !b.hidden ? b : null;"),
            vec![json!("Walkers")],
        )
        .await;
    assert_eq!(
        badge["first"],
        json!(true),
        "newest activity first: {badge}"
    );
    send(&ada, "Bring water").await;
    bram.wait_js(
        "the count grows live",
        &format!("var b = (function() {{ {BADGE} }}).apply(null, arguments); return b && b.count === '2';"),
        vec![json!("Walkers")],
    )
    .await;

    // Ada opens a DM with Bram; Bram opens it from his sidebar once it shows there.
    ada.goto(&app.address, "/chat/dm/bram/").await;
    ada.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    send(&ada, "Just between us").await;
    bram.wait_js(
        "the DM shows in Bram's sidebar",
        &format!("var b = (function() {{ {BADGE} }}).apply(null, arguments); return b && b.count === '1';"),
        vec![json!("ada")],
    )
    .await;
    bram.click(r#"#room-list a[href^="/chat/room/"]:not([data-room*="walkers"])"#)
        .await;
    bram.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    bram.wait_js("Bram reads the DM", MESSAGE, vec![json!("Just between us")])
        .await;
    // Opening it read it; the group still counts two.
    let counts = bram
        .js(
            "return Array.prototype.map.call(document.querySelectorAll('#room-list [data-unread]'), function (b) { return b.textContent.trim(); });",
            vec![],
        )
        .await;
    assert!(
        counts
            .as_array()
            .is_some_and(|c| c.contains(&json!("2")) && c.contains(&json!("0"))),
        "{counts}"
    );

    // Typing shows on the other page.
    ada.type_into("#id_body", "typing away").await;
    bram.wait_js(
        "Bram sees Ada typing",
        "var t = document.getElementById('typing'); return !!t && t.textContent.indexOf('ada is typing') >= 0;",
        vec![],
    )
    .await;
    ada.js(
        "document.getElementById('id_body').value = ''; return true;",
        vec![],
    )
    .await;

    // Ada edits her message with its Edit button; Bram's page follows.
    let found = ada
        .wait_js(
            "Ada's message is there",
            MESSAGE,
            vec![json!("Just between us")],
        )
        .await;
    let id = found[0].as_str().expect("id").to_owned();
    let article = format!("#message-{id}");
    let bram_delete_shown = bram
        .js(
            "var b = document.querySelector(arguments[0] + ' [data-action=remove]'); return b.offsetParent !== null;",
            vec![json!(article)],
        )
        .await;
    assert_eq!(
        bram_delete_shown,
        json!(false),
        "no buttons on others' messages"
    );
    // A tap on a message shows its actions (a pointer's hover does too).
    ada.click(&format!("{article} [data-role=body]")).await;
    ada.click(&format!("{article} [data-action=edit]")).await;
    ada.wait_for_selector(&format!("{article} [data-testid=edit-body]"))
        .await;
    ada.js(
        "document.querySelector(arguments[0] + ' [data-testid=edit-body]').value = ''; return true;",
        vec![json!(article)],
    )
    .await;
    ada.type_into(
        &format!("{article} [data-testid=edit-body]"),
        "Just between us two",
    )
    .await;
    ada.click(&format!("{article} [data-testid=edit-save]"))
        .await;
    let edited = bram
        .wait_js(
            "Bram sees the edit",
            MESSAGE,
            vec![json!("Just between us two")],
        )
        .await;
    assert_eq!(edited, json!([id, true]), "same message, marked edited");
    ada.wait_js(
        "Ada sees the edit",
        MESSAGE,
        vec![json!("Just between us two")],
    )
    .await;

    // Ada deletes it (two clicks: ask, then delete); it goes from both pages.
    ada.click(&format!("{article} [data-role=body]")).await;
    ada.click(&format!("{article} [data-action=remove]")).await;
    ada.click(&format!("{article} [data-action=remove]")).await;
    for browser in [&ada, &bram] {
        browser
            .wait_js(
                "the message is gone",
                "return document.querySelector(arguments[0]) === null;",
                vec![json!(article)],
            )
            .await;
    }
    assert_eq!(
        app.count_rows(&format!("messages WHERE id = {id}")).await,
        0
    );

    // History: with a page of 4, Bram opens the group after 6 more messages; the older
    // ones load above as the top of the list comes into view, once each, in order.
    let program = app.client();
    program.login("ada", PASSWORD).await;
    let mut socket = program
        .websocket(
            group
                .trim_start_matches("/chat/room/")
                .trim_end_matches('/'),
            "?format=json",
        )
        .await
        .expect("connects");
    for n in 0..6 {
        socket
            .send_json(json!({ "body": format!("step {n}") }))
            .await;
        socket.next_event("message").await;
    }
    bram.goto(&app.address, &group).await;
    let bodies = bram
        .wait_js(
            "every message of the group shows, oldest first",
            "var els = document.querySelectorAll('#messages [data-message-id]'); \
             var ids = Array.prototype.map.call(els, function (e) { return Number(e.getAttribute('data-message-id')); }); \
             for (var i = 1; i < ids.length; i++) if (ids[i] <= ids[i - 1]) return null; \
             if (ids.length !== 8 || document.getElementById('history-more')) return null; \
             return Array.prototype.map.call(document.querySelectorAll('#messages [data-role=body]'), function (e) { return e.textContent.trim(); });",
            vec![],
        )
        .await;
    assert_eq!(
        bodies,
        json!([
            "Walk at nine?",
            "Bring water",
            "step 0",
            "step 1",
            "step 2",
            "step 3",
            "step 4",
            "step 5"
        ])
    );

    // The group's admin may delete anyone's message there (but edit only her own).
    bram.wait_for_attr("#connection-status", "data-connected", "true")
        .await;
    send(&bram, "Bram was here").await;
    ada.goto(&app.address, &group).await;
    let found = ada
        .wait_js(
            "Ada sees Bram's message",
            MESSAGE,
            vec![json!("Bram was here")],
        )
        .await;
    let article = format!("#message-{}", found[0].as_str().expect("id"));
    let shown = ada
        .js(
            "var a = document.querySelector(arguments[0]); \
             return [a.querySelector('[data-action=edit]').offsetParent !== null, \
                     a.querySelector('[data-action=remove]').offsetParent !== null];",
            vec![json!(article)],
        )
        .await;
    assert_eq!(
        shown,
        json!([false, true]),
        "delete only, on someone else's"
    );
    ada.click(&format!("{article} [data-role=body]")).await;
    ada.click(&format!("{article} [data-action=remove]")).await;
    ada.click(&format!("{article} [data-action=remove]")).await;
    bram.wait_js(
        "Bram's message is gone from his page",
        "return document.querySelector(arguments[0]) === null;",
        vec![json!(article)],
    )
    .await;

    assert_eq!(ada.console_errors().await, Vec::<String>::new());
    assert_eq!(bram.console_errors().await, Vec::<String>::new());
    tokio::join!(ada.close(), bram.close());
}
