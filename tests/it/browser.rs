//! Real headless Chromium driven over WebDriver (chromedriver + fantoccini).
//!
//! Every [`Browser`] starts its own chromedriver in its own process group, with a fresh
//! Chromium profile, and kills the whole group when dropped, so a failing test never
//! leaves a browser behind. A missing Chromium or chromedriver fails the test: it is
//! never skipped (`.ci/run` installs both).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value as Json, json};
use tempfile::TempDir;

use crate::helpers::{PASSWORD, spawn_app};

/// How long any wait for the page lasts before the test fails.
const WAIT: Duration = Duration::from_secs(10);
/// How long starting chromedriver, or a browser session, may take.
const START: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

const CHROME_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1200,900",
];

/// `$var` if set, else `default`; panics (never skips) when the file is not there.
fn executable(var: &str, default: &str, what: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| default.into()));
    assert!(
        path.is_file(),
        "{what} not found at {} (set {var}, or install Debian's chromium and chromium-driver; .ci/run does)",
        path.display()
    );
    path
}

/// A chromedriver child in its own process group; dropping it kills the group
/// (chromedriver and every Chromium process it started).
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start() -> Self {
        let bin = executable("CHROMEDRIVER_BIN", "/usr/bin/chromedriver", "chromedriver");
        let mut child = Command::new(&bin)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("chromedriver stdout");
        // Wrap at once so the group is killed even if the port never shows up.
        let mut driver = Chromedriver {
            child,
            url: String::new(),
        };

        // `--port=0` makes it print "ChromeDriver was started successfully on port N."
        // Keep draining stdout afterwards so chromedriver never blocks on a full pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(port);
                    }
                }
            }
        });
        let port = rx.recv_timeout(START).unwrap_or_else(|_| {
            panic!(
                "chromedriver ({}) did not report its port within {START:?}",
                bin.display()
            )
        });
        driver.url = format!("http://127.0.0.1:{port}");
        driver
    }

    fn kill_group(&self, signal: &str) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.kill_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Whatever survived SIGTERM (Chromium helpers included) goes now.
        self.kill_group("-KILL");
        let _ = self.child.wait();
    }
}

/// One headless Chromium with its own chromedriver and profile.
pub struct Browser {
    pub client: Client,
    session_id: String,
    // Drop order matters: the driver (and Chromium) die before the profile is removed.
    driver: Chromedriver,
    _profile: TempDir,
}

impl Browser {
    pub async fn launch() -> Self {
        let chrome = executable("CHROME_BIN", "/usr/bin/chromium", "Chromium");
        let driver = Chromedriver::start();
        let profile = tempfile::tempdir().expect("profile dir");

        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chrome, "args": args },
            // Console messages (CSP violations included) become readable via `console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Json::Object(capabilities) = capabilities else {
            unreachable!()
        };

        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(
            START,
            ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&driver.url),
        )
        .await
        .unwrap_or_else(|_| panic!("no Chromium session within {START:?}"))
        .unwrap_or_else(|e| {
            panic!(
                "cannot start a Chromium session ({}): {e}",
                chrome.display()
            )
        });
        let session_id = client
            .session_id()
            .await
            .expect("session id")
            .expect("a session id");
        Browser {
            client,
            session_id,
            driver,
            _profile: profile,
        }
    }

    /// Ends the session cleanly (Chromium quits); dropping instead kills it.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.clone().close()).await;
    }

    pub async fn goto(&self, base: &str, path: &str) {
        let url = format!("{base}{path}");
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns something truthy and returns that; panics with
    /// `what`, the last answer and where the page is after [`WAIT`].
    pub async fn wait_js(&self, what: &str, script: &str, args: Vec<Json>) -> Json {
        let deadline = Instant::now() + WAIT;
        let mut last: String;
        loop {
            // Errors while a page loads ("document unloaded", ...) just mean "not yet".
            match self.client.execute(script, args.clone()).await {
                Ok(value) if truthy(&value) => return value,
                Ok(value) => last = format!("returned {value}"),
                Err(e) => last = format!("failed: {e}"),
            }
            if Instant::now() >= deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let body = self
                    .client
                    .execute(
                        "return document.body ? document.body.innerText.slice(0, 600) : ''",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                panic!(
                    "timed out after {WAIT:?} waiting until {what}: the probe last {last}\nat {url}\npage text: {body}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_for_selector(&self, css: &str) {
        self.wait_js(
            &format!("{css} exists"),
            "return document.querySelector(arguments[0]) !== null;",
            vec![json!(css)],
        )
        .await;
    }

    pub async fn wait_for_attr(&self, css: &str, attr: &str, value: &str) {
        self.wait_js(
            &format!("{css} has {attr}={value:?}"),
            "var el = document.querySelector(arguments[0]); return !!el && el.getAttribute(arguments[1]) === arguments[2];",
            vec![json!(css), json!(attr), json!(value)],
        )
        .await;
    }

    pub async fn wait_for_text(&self, css: &str, text: &str) {
        self.wait_js(
            &format!("{css} reads {text:?}"),
            "var el = document.querySelector(arguments[0]); return !!el && el.textContent.trim() === arguments[1];",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    /// Waits for a finished page load at `path`.
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_js(
            &format!("the page at {path} has loaded"),
            "return location.pathname === arguments[0] && document.readyState === 'complete';",
            vec![json!(path)],
        )
        .await;
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Signs `username` up through the real form; lands on /chat/.
    pub async fn sign_up(&self, base: &str, username: &str) {
        self.goto(base, "/accounts/signup/").await;
        self.type_into("#id_username", username).await;
        self.type_into("#id_email", &format!("{username}@example.org"))
            .await;
        self.type_into("#id_password1", PASSWORD).await;
        self.type_into("#id_password2", PASSWORD).await;
        self.click(r#"form[action="/accounts/signup/"] button[type=submit]"#)
            .await;
        self.wait_for_path("/chat/").await;
    }

    /// ada and bram, each signed up in their own browser and connected in the public chat.
    pub async fn ada_and_bram_connected(base: &str) -> (Self, Self) {
        let (ada, bram) = tokio::join!(Self::launch(), Self::launch());
        tokio::join!(ada.sign_up(base, "ada"), bram.sign_up(base, "bram"));
        for browser in [&ada, &bram] {
            browser
                .wait_for_attr("#connection-status", "data-connected", "true")
                .await;
        }
        (ada, bram)
    }

    /// The console's SEVERE entries since the last call (CSP violations, failed loads,
    /// uncaught exceptions), via chromedriver's log endpoint.
    pub async fn console_errors(&self) -> Vec<String> {
        let url = format!("{}/session/{}/se/log", self.driver.url, self.session_id);
        let answer: Json = reqwest::Client::new()
            .post(&url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .expect("chromedriver log endpoint")
            .json()
            .await
            .expect("log entries as JSON");
        let entries = answer["value"]
            .as_array()
            .unwrap_or_else(|| panic!("unexpected log answer: {answer}"));
        entries
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

fn truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

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

    let mail = crate::mail::outbox_mail(&app, "/accounts/password/reset/key/").await;
    let link = crate::mail::link_path(&mail, "/accounts/password/reset/key/");
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
