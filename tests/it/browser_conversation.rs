//! Two people in Chromium: a reaction chosen from the quick row and a reply, each seen live
//! by the other.

use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::spawn_app;

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
    if let Some(dir) = std::env::var_os("HEARTH_SCREENSHOT_DIR") {
        let png = bram.client.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join("reactions.png"), png).expect("write");
    }
    ada.close().await;
    bram.close().await;
}
