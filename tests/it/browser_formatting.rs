//! Formatted messages in a real browser: the Markdown subset and links render, hostile
//! input runs nothing and trips no CSP report, and the room reads well at a phone's width
//! and a laptop's, light and dark (screenshots into `HEARTH_SCREENSHOT_DIR` when set).

use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::spawn_app;

/// What Ada's page shows for the newest messages: each body's inner HTML.
const BODIES: &str = "return Array.prototype.map.call(\
     document.querySelectorAll('#messages [data-role=body]'), function (b) { return b.innerHTML; });";

/// Every element in a message body that is not in the subset, every attribute but a
/// link's, and every link that is not http, https or mailto.
const ONLY_THE_SUBSET: &str = "var bad = []; \
     var tags = ['P','BR','STRONG','EM','DEL','CODE','PRE','BLOCKQUOTE','UL','OL','LI','A']; \
     document.querySelectorAll('#messages [data-role=body] *').forEach(function (el) { \
       if (tags.indexOf(el.tagName) < 0) bad.push(el.tagName); \
       for (var i = 0; i < el.attributes.length; i++) { \
         var n = el.attributes[i].name; \
         if (['href', 'target', 'rel', 'start'].indexOf(n) < 0) bad.push(el.tagName + '@' + n); \
       } \
       if (el.tagName === 'A' && !/^(https?:|mailto:)/.test(el.getAttribute('href'))) \
         bad.push(el.getAttribute('href')); \
     }); \
     return bad;";

/// Messages that try to run something, each of which must show as harmless text.
const HOSTILE: &[&str] = &[
    "<script>window.pwned = 1</script>",
    "<img src=x onerror=\"window.pwned = 2\">",
    "<iframe src=\"javascript:window.pwned = 3\"></iframe>",
    "<style>body { display: none }</style>",
    "[click me](javascript:window.pwned=4)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:window.pwned=5\">x</a> <b onmouseover=\"window.pwned=6\">hover</b>",
    "&lt;script&gt;window.pwned = 7&lt;/script&gt; &#x3C;img src=x onerror=window.pwned=8&#x3E;",
    "<div><p><em>unclosed <strong>nested",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_links_and_hostile_input_render_safely_at_every_width_and_theme() {
    let app = spawn_app().await;
    let (ada, bram) = Browser::ada_and_bram_connected(&app.address).await;
    let program = app.client();
    program.login("bram", crate::helpers::PASSWORD).await;
    let mut socket = program
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let formatted = [
        "Hello **everyone**, _welcome_ ~~late~~ with `code`.",
        "Notes: https://example.org/notes?a=1&b=2 and mail ann@example.org",
        "> a quote\n\n- one\n- two\n\n```\nfn main() {}\n```",
    ];
    let stars = "*".repeat(10_000);
    for body in HOSTILE.iter().chain(&[stars.as_str()]).chain(&formatted) {
        socket.send_json(json!({ "body": body })).await;
        socket.next_event("message").await;
    }
    let shown = ada
        .wait_js(
            "every message has arrived",
            &format!("var b = (function () {{ {BODIES} }})(); return b.length >= 13 ? b : null;"),
            vec![],
        )
        .await;
    let shown: Vec<String> = serde_json::from_value(shown).expect("strings");
    let shown = &shown[shown.len() - 3..];
    assert!(
        shown[0].contains("<strong>everyone</strong>"),
        "{}",
        shown[0]
    );
    assert!(shown[0].contains("<em>welcome</em>") && shown[0].contains("<del>late</del>"));
    assert!(
        shown[1].contains(
            r#"<a href="https://example.org/notes?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow ugc">"#
        ),
        "{}",
        shown[1]
    );
    assert!(shown[1].contains(r#"href="mailto:ann@example.org""#));
    assert!(shown[2].contains("<blockquote>") && shown[2].contains("<li>two</li>"));
    assert!(shown[2].contains("<pre><code>fn main() {}"));
    let unsafe_parts = ada.js(ONLY_THE_SUBSET, vec![]).await;
    assert_eq!(
        unsafe_parts,
        json!([]),
        "only the subset's tags and link attributes"
    );
    assert_eq!(
        ada.js("return window.pwned === undefined;", vec![]).await,
        json!(true),
        "nothing hostile ran"
    );

    // A link opens the page it names in a new tab, and nothing leaks to it.
    let link = ada
        .js(
            "var a = document.querySelector('#messages a[href^=\"https://example.org\"]'); \
             return [a.target, a.rel];",
            vec![],
        )
        .await;
    assert_eq!(link, json!(["_blank", "noopener noreferrer nofollow ugc"]));

    for (width, height) in [(390, 844), (1280, 900)] {
        for theme in ["light", "dark"] {
            ada.open_chat_as(&app.address, "/chat/", width, height, theme)
                .await;
            ada.screenshot_as(&format!("formatting-{width}-{theme}"))
                .await;
            ada.assert_fits_cleanly(&format!("{width} px, {theme}"))
                .await;
        }
    }
    ada.close().await;
    bram.close().await;
}
