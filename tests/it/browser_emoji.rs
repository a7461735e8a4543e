//! Emoji in a real browser: `:shortcode` completion in the composer (Enter picks rather
//! than sends while the list is open), the picker from the emoji button (search, keyboard,
//! click), no CSP report, and how both look at a phone's width and a laptop's, light and
//! dark (screenshots into `HEARTH_SCREENSHOT_DIR` when set). Also `/static/emoji.json`
//! over plain HTTP.

use fantoccini::key::Key;
use serde_json::{Value as Json, json};

use crate::helpers::browser::Browser;
use crate::helpers::spawn_app;

fn key(k: Key) -> String {
    char::from(k).to_string()
}

/// The open suggestion list's options as `[text, selected]`, or null while it is closed.
const SUGGESTIONS: &str = "var l = document.querySelector('[data-testid=complete-list]'); \
     if (!l || l.hidden) return null; \
     return Array.prototype.map.call(l.querySelectorAll('[role=option]'), function (o) { \
       return [o.textContent, o.getAttribute('aria-selected') === 'true']; });";

/// The picker once its emoji are in: the active option's emoji, or null.
const PICKER_READY: &str = "var p = document.querySelector('[data-testid=emoji-picker]'); \
     if (!p || p.hidden) return null; \
     var a = p.querySelector('.emoji-option.is-active'); return a ? a.textContent : null;";

/// Null when the picker (or the list) lies inside the viewport; else where it is.
const OUTSIDE_VIEWPORT: &str = "var el = document.querySelector(arguments[0]); \
     var r = el.getBoundingClientRect(); \
     var w = document.documentElement.clientWidth, h = document.documentElement.clientHeight; \
     return r.left >= 0 && r.top >= 0 && r.right <= w + 0.5 && r.bottom <= h + 0.5 && r.width > 0 \
       ? null : [r.left, r.top, r.right, r.bottom, w, h];";

const BODIES: &str = "return Array.prototype.map.call(\
     document.querySelectorAll('#messages [data-role=body]'), function (b) { return b.textContent.trim(); });";

async fn composer(browser: &Browser) -> Json {
    browser
        .js("return document.getElementById('id_body').value;", vec![])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shortcode_completion_picks_with_enter_and_only_the_next_enter_sends() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;

    ada.type_into("#id_body", ":thumbs").await;
    let shown = ada.wait_js("the list offers 👍", SUGGESTIONS, vec![]).await;
    assert_eq!(shown[0][1], json!(true), "the first is selected: {shown}");
    assert!(
        shown[0][0].as_str().unwrap_or_default().contains("👍"),
        "👍 first for :thumbs: {shown}"
    );
    let aria = ada
        .js(
            "var t = document.getElementById('id_body'); \
             var active = document.getElementById(t.getAttribute('aria-activedescendant')); \
             return [t.getAttribute('aria-expanded'), active && active.getAttribute('role'), \
                     active && active.parentNode.getAttribute('role')];",
            vec![],
        )
        .await;
    assert_eq!(aria, json!(["true", "option", "listbox"]));

    // ↓ and ↑ move the selection (↑ does not reach app.js's "edit my last message").
    ada.type_into("#id_body", &key(Key::Down)).await;
    let moved = ada.js(SUGGESTIONS, vec![]).await;
    assert_eq!(moved[1][1], json!(true), "↓ selects the second: {moved}");
    ada.type_into("#id_body", &key(Key::Up)).await;
    let back = ada.js(SUGGESTIONS, vec![]).await;
    assert_eq!(back[0][1], json!(true), "↑ selects the first again: {back}");

    // Enter picks: `:thumbs` becomes 👍, the list closes, nothing is sent.
    ada.type_into("#id_body", &key(Key::Enter)).await;
    assert_eq!(composer(&ada).await, json!("👍"));
    assert_eq!(ada.js(SUGGESTIONS, vec![]).await, json!(null));
    assert_eq!(
        ada.js(
            "return document.getElementById('id_body').getAttribute('aria-expanded');",
            vec![]
        )
        .await,
        json!("false")
    );

    // Esc closes the list and leaves the text as typed.
    ada.type_into("#id_body", " :fir").await;
    ada.wait_js("the list opens for :fir", SUGGESTIONS, vec![])
        .await;
    ada.type_into("#id_body", &key(Key::Escape)).await;
    assert_eq!(ada.js(SUGGESTIONS, vec![]).await, json!(null));
    assert_eq!(composer(&ada).await, json!("👍 :fir"));
    // A whole `:shortcode:` typed out turns into its emoji.
    ada.type_into("#id_body", "e: and :heart:").await;
    assert_eq!(composer(&ada).await, json!("👍 🔥 and ❤️"));

    // The next Enter sends; Bram sees that message, and it is the only one.
    ada.type_into("#id_body", &key(Key::Enter)).await;
    let seen = bram
        .wait_js(
            "Bram sees Ada's emoji",
            &format!("var b = (function () {{ {BODIES} }})(); return b.length ? b : null;"),
            vec![],
        )
        .await;
    assert_eq!(seen, json!(["👍 🔥 and ❤️"]), "one message, with the emoji");
    ada.wait_js(
        "the composer is empty again",
        "return document.getElementById('id_body').value === '';",
        vec![],
    )
    .await;

    // A click picks too; `10:30` and `https://` open nothing.
    ada.type_into("#id_body", "at 10:30 see https://x.org :rocke")
        .await;
    ada.wait_js("the list opens for :rocke", SUGGESTIONS, vec![])
        .await;
    ada.click("[data-testid=complete-list] [role=option]").await;
    assert_eq!(composer(&ada).await, json!("at 10:30 see https://x.org 🚀"));
    let focused = ada.js("return document.activeElement.id;", vec![]).await;
    assert_eq!(focused, json!("id_body"), "the caret stays in the composer");

    for browser in [&ada, &bram] {
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "console:\n{}", errors.join("\n"));
    }
    ada.close().await;
    bram.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_searches_inserts_at_the_caret_and_closes_as_expected() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    assert_eq!(
        ada.js(
            "return [typeof HearthEmoji.load, typeof HearthEmoji.openPicker, \
                typeof HearthEmoji.search, typeof HearthComplete.attach];",
            vec![]
        )
        .await,
        json!(["function", "function", "function", "function"])
    );

    ada.type_into("#id_body", "warm ").await;
    ada.click("[data-testid=emoji-button]").await;
    let first = ada
        .wait_js("the picker is filled", PICKER_READY, vec![])
        .await;
    assert_eq!(first, json!("😀"), "Unicode's first emoji leads");
    assert_eq!(
        ada.js(
            "return document.activeElement.getAttribute('data-testid');",
            vec![]
        )
        .await,
        json!("emoji-search"),
        "the search field has the focus"
    );
    assert_eq!(
        ada.js(OUTSIDE_VIEWPORT, vec![json!("[data-testid=emoji-picker]")])
            .await,
        json!(null)
    );

    // Search by name or shortcode; the best match is active; a click picks it.
    ada.type_into("[data-testid=emoji-search]", "fire").await;
    ada.wait_js(
        "🔥 leads the results",
        &format!("return ({PICKER_READY_FN})() === '🔥';"),
        vec![],
    )
    .await;
    ada.click("[data-testid=emoji-picker] .emoji-option.is-active")
        .await;
    assert_eq!(composer(&ada).await, json!("warm 🔥"));
    assert_eq!(
        ada.js(
            "return [document.querySelector('[data-testid=emoji-picker]').hidden, \
                     document.activeElement.id, \
                     document.querySelector('[data-testid=emoji-button]').getAttribute('aria-expanded')];",
            vec![]
        )
        .await,
        json!([true, "id_body", "false"]),
        "closed, with the caret back in the composer"
    );

    // By name too (every word a prefix), and a group's tab jumps to it.
    ada.click("[data-testid=emoji-button]").await;
    ada.wait_js("the picker is filled", PICKER_READY, vec![])
        .await;
    ada.type_into("[data-testid=emoji-search]", "grinning ca")
        .await;
    ada.wait_js(
        "😺 (grinning cat) leads the results",
        &format!("return ({PICKER_READY_FN})() === '😺';"),
        vec![],
    )
    .await;
    ada.click("[data-testid=emoji-picker] [data-group=flags]")
        .await;
    let flags = ada
        .js(
            "return [({PICKER_READY_FN})(), \
                     document.querySelector('[data-group=flags]').getAttribute('aria-current'), \
                     document.querySelector('[data-testid=emoji-search]').value, \
                     document.activeElement.getAttribute('data-testid')];"
                .replace("{PICKER_READY_FN}", PICKER_READY_FN)
                .as_str(),
            vec![],
        )
        .await;
    assert_eq!(flags, json!(["🏁", "true", "", "emoji-search"]));
    ada.type_into("[data-testid=emoji-search]", &key(Key::Escape))
        .await;

    // The keyboard: → moves to the next emoji, Enter picks it, at the caret.
    ada.js(
        "var t = document.getElementById('id_body'); t.focus(); t.setSelectionRange(0, 0); return true;",
        vec![],
    )
    .await;
    ada.click("[data-testid=emoji-button]").await;
    ada.wait_js("the picker is filled", PICKER_READY, vec![])
        .await;
    ada.type_into("[data-testid=emoji-search]", &key(Key::Right))
        .await;
    ada.type_into("[data-testid=emoji-search]", &key(Key::Enter))
        .await;
    assert_eq!(composer(&ada).await, json!("😃warm 🔥"));

    // Esc closes it and gives the focus back to the button.
    ada.click("[data-testid=emoji-button]").await;
    ada.wait_js("the picker is open", PICKER_READY, vec![])
        .await;
    ada.type_into("[data-testid=emoji-search]", &key(Key::Escape))
        .await;
    assert_eq!(
        ada.js(
            "return [document.querySelector('[data-testid=emoji-picker]').hidden, \
                     document.activeElement.getAttribute('data-testid')];",
            vec![]
        )
        .await,
        json!([true, "emoji-button"])
    );

    // A click elsewhere closes it, and so does its own button.
    ada.click("[data-testid=emoji-button]").await;
    ada.wait_js("the picker is open", PICKER_READY, vec![])
        .await;
    ada.click("[data-role=room-title]").await;
    assert_eq!(
        ada.js(
            "return document.querySelector('[data-testid=emoji-picker]').hidden;",
            vec![]
        )
        .await,
        json!(true)
    );
    ada.click("[data-testid=emoji-button]").await;
    ada.wait_js("the picker is open", PICKER_READY, vec![])
        .await;
    ada.click("[data-testid=emoji-button]").await;
    assert_eq!(
        ada.js(
            "return document.querySelector('[data-testid=emoji-picker]').hidden;",
            vec![]
        )
        .await,
        json!(true)
    );
    assert_eq!(
        composer(&ada).await,
        json!("😃warm 🔥"),
        "nothing else inserted"
    );

    // The API the reactions will use: search ranks shortcodes first.
    let found = ada
        .js(
            "return HearthEmoji.load().then(function () { \
               return HearthEmoji.search(':+1', 3).map(function (e) { return e.emoji; }); });",
            vec![],
        )
        .await;
    assert_eq!(found[0], json!("👍"), "{found}");

    let errors = ada.console_errors().await;
    assert!(errors.is_empty(), "console:\n{}", errors.join("\n"));
    ada.close().await;
    bram.close().await;
}

/// `PICKER_READY` as a function expression, for use inside another probe.
const PICKER_READY_FN: &str = "function () { \
     var p = document.querySelector('[data-testid=emoji-picker]'); \
     if (!p || p.hidden) return null; \
     var a = p.querySelector('.emoji-option.is-active'); return a ? a.textContent : null; }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picker_and_suggestions_fit_a_phone_and_a_laptop_light_and_dark() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            ada.open_chat_as(&app.address, "/chat/", width, height, theme)
                .await;

            ada.click("[data-testid=emoji-button]").await;
            ada.wait_js("the picker is filled", PICKER_READY, vec![])
                .await;
            assert_eq!(
                ada.js(OUTSIDE_VIEWPORT, vec![json!("[data-testid=emoji-picker]")])
                    .await,
                json!(null),
                "the picker at {width} px"
            );
            ada.screenshot_as(&format!("picker-{width}-{theme}")).await;
            ada.type_into("[data-testid=emoji-search]", &key(Key::Escape))
                .await;

            ada.type_into("#id_body", "so :smi").await;
            ada.wait_js("the list opens for :smi", SUGGESTIONS, vec![])
                .await;
            assert_eq!(
                ada.js(OUTSIDE_VIEWPORT, vec![json!("[data-testid=complete-list]")])
                    .await,
                json!(null),
                "the suggestions at {width} px"
            );
            ada.screenshot_as(&format!("complete-{width}-{theme}"))
                .await;
            ada.assert_fits_cleanly(&format!("{width} px, {theme}"))
                .await;
        }
    }
    ada.close().await;
    bram.close().await;
}

#[tokio::test]
async fn emoji_data_is_json_from_this_site_and_revalidates() {
    let app = spawn_app().await;
    let client = app.client();
    let response = client.get("/static/emoji.json").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/json");
    let cache = headers["cache-control"].to_str().unwrap_or_default();
    assert!(
        cache.contains("public") && cache.contains("max-age=3600"),
        "{cache}"
    );
    let etag = headers["etag"].clone();
    let doc: Json = response.json().await.expect("JSON");
    let groups = doc["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 9);
    assert_eq!(groups[0]["name"], "Smileys & Emotion");
    let thumbs = groups
        .iter()
        .flat_map(|g| g["emojis"].as_array().expect("emojis"))
        .find(|e| e[0] == "👍")
        .expect("👍");
    assert_eq!(thumbs[1], "thumbs up");
    assert!(thumbs.as_array().expect("entry").contains(&json!("+1")));

    let again = client
        .http
        .get(client.url("/static/emoji.json"))
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(client.get("/static/emoji.json/x").await.status(), 404);
}

/// HearthComplete as the mentions will use it: another trigger, a source of its own, on a
/// field whose own Enter listener was there first (as app.js's edit box has).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_takes_its_keys_before_the_fields_own_listeners() {
    let app = spawn_app().await;
    let ada = Browser::launch().await;
    ada.sign_up(&app.address, "ada").await;
    ada.js(
        "var t = document.createElement('textarea'); t.id = 'other'; \
         document.getElementById('message-form').appendChild(t); \
         window.enters = 0; \
         t.addEventListener('keydown', function (e) { if (e.key === 'Enter') window.enters++; }); \
         HearthComplete.attach(t, { trigger: '@', source: function (q) { \
           return ['ada', 'bram', 'cleo'].filter(function (n) { return n.indexOf(q) === 0; }) \
             .map(function (n) { return { label: n, value: '@' + n + ' ', hint: 'member' }; }); } }); \
         return true;",
        vec![],
    )
    .await;
    ada.type_into("#other", "hi @b").await;
    let shown = ada
        .wait_js("the list offers bram", SUGGESTIONS, vec![])
        .await;
    assert_eq!(shown, json!([["brammember", true]]));
    ada.type_into("#other", &key(Key::Enter)).await;
    let after = ada
        .js(
            "return [document.getElementById('other').value, window.enters];",
            vec![],
        )
        .await;
    assert_eq!(
        after,
        json!(["hi @bram ", 0]),
        "picked, and Enter went no further"
    );
    ada.type_into("#other", &key(Key::Enter)).await;
    assert_eq!(ada.js("return window.enters;", vec![]).await, json!(1));
    ada.close().await;
}
