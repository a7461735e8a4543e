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

use super::PASSWORD;

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
        Self::launch_with(json!({})).await
    }

    /// A phone: Chromium's mobile emulation at 390×844 (3× pixels), touch events and a
    /// phone's user agent, as DevTools' device mode does.
    pub async fn launch_phone() -> Self {
        Self::launch_with(json!({
            "mobileEmulation": {
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true, "mobile": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
            }
        }))
        .await
    }

    /// Chromium with `extra` merged into its `goog:chromeOptions`.
    async fn launch_with(extra: Json) -> Self {
        let chrome = executable("CHROME_BIN", "/usr/bin/chromium", "Chromium");
        let driver = Chromedriver::start();
        let profile = tempfile::tempdir().expect("profile dir");

        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut options = json!({ "binary": chrome, "args": args });
        if let (Some(options), Json::Object(extra)) = (options.as_object_mut(), extra) {
            options.extend(extra);
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
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

/// Null when the page fits its width; else what sticks out past the right edge.
pub const SIDEWAYS: &str = "var w = document.documentElement.clientWidth; \
     if (document.documentElement.scrollWidth <= w) return null; \
     var out = []; \
     document.querySelectorAll('body *').forEach(function (el) { \
       var r = el.getBoundingClientRect(); \
       if (r.right > w + 1 && r.width > 0) \
         out.push(el.tagName + '#' + el.id + '.' + el.className + ' right ' + Math.round(r.right)); \
     }); \
     return out.slice(0, 8);";

impl Browser {
    /// Opens the chat page at `path` as [`Self::open_as`] does, once its socket is
    /// connected.
    pub async fn open_chat_as(&self, base: &str, path: &str, width: u32, height: u32, theme: &str) {
        self.open_as(base, path, width, height, theme).await;
        self.wait_for_attr("#connection-status", "data-connected", "true")
            .await;
    }

    /// Opens `path` in a window `width`×`height` with `theme` ("light" or "dark")
    /// remembered.
    pub async fn open_as(&self, base: &str, path: &str, width: u32, height: u32, theme: &str) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("window size");
        self.js(
            "window.localStorage.setItem('hearth-theme', arguments[0]); return true;",
            vec![json!(theme)],
        )
        .await;
        self.goto(base, path).await;
    }

    /// Writes a screenshot `name`.png into `HEARTH_SCREENSHOT_DIR` when it is set.
    pub async fn screenshot_as(&self, name: &str) {
        if let Some(dir) = std::env::var_os("HEARTH_SCREENSHOT_DIR") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
                .expect("write");
        }
    }

    /// The page does not scroll sideways and its console has no errors (CSP reports among
    /// them); `at` says where, for the failure.
    pub async fn assert_fits_cleanly(&self, at: &str) {
        assert_eq!(
            self.js(SIDEWAYS, vec![]).await,
            Json::Null,
            "the page scrolls sideways at {at}"
        );
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "console at {at}:\n{}", errors.join("\n"));
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

/// A Chrome DevTools Protocol command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    method: &'static str,
    params: Json,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (reqwest::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Runs DevTools `method` with `params` and returns its result, or the error's text.
    pub async fn devtools(&self, method: &'static str, params: Json) -> Result<Json, String> {
        self.client
            .issue_cmd(DevTools { method, params })
            .await
            .map_err(|e| e.to_string())
    }
}
