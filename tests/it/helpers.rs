//! `spawn_app()` and the clients tests use to speak to it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use hearth::config::Settings;
use hearth::startup::Application;
use hearth::storage::sql::SqlStorage;
use reqwest::cookie::{CookieStore, Jar};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "a quiet ember 42";

/// The `hearth` binary run in `dir`, with none of the caller's keys or debug settings
/// leaking in from the environment.
pub fn hearth_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    command
        .current_dir(dir)
        .env_remove("SECRET_KEY")
        .env_remove("ENCRYPT_KEY")
        .env_remove("DEBUG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// Starts `hearth` serving on a free port in `dir`; returns the process and the first line
/// it printed (once it listens). The caller kills it.
pub fn hearth_serving(dir: &Path) -> (Child, String) {
    let mut server = hearth_command(dir)
        .env("HEARTH_SERVER__PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = server.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    (server, line)
}

/// A migrated SQLite store in a new file in `dir`, for tests that talk to storage directly.
pub async fn migrated_storage(dir: &Path) -> SqlStorage {
    let url = format!("sqlite://{}?mode=rwc", dir.join("db.sqlite3").display());
    let storage = SqlStorage::connect(&url).await.expect("connect");
    storage.migrate().await.expect("migrate");
    storage
}

pub struct TestApp {
    pub address: String,
    pub data_dir: TempDir,
}

/// The default app: real settings, a fresh temporary data dir, port 0.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], after `adjust` has changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.data.dir = data_dir.path().to_path_buf();
    settings.log.level = "warn".into();
    adjust(&mut settings);
    hearth::telemetry::init(&settings.log.level);
    let app = Application::build(settings).await.expect("app builds");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        data_dir,
    }
}

impl TestApp {
    /// A browser-like client: its own cookie jar, no automatic redirects.
    pub fn client(&self) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            jar,
            base: self.address.clone(),
        }
    }

    pub fn database_path(&self) -> std::path::PathBuf {
        self.data_dir.path().join("hearth.sqlite3")
    }

    /// Signs up a fresh person and returns their logged-in client.
    pub async fn signed_up(&self, username: &str) -> Client {
        let client = self.client();
        let response = client
            .signup(username, &format!("{username}@example.org"), PASSWORD)
            .await;
        assert_eq!(
            response.status(),
            303,
            "sign-up of {username} should succeed"
        );
        client
    }

    /// Runs one SQL statement on the app's SQLite file: to set up state no page can reach
    /// (an aged link, a change made by another instance).
    pub async fn execute_sql(&self, sql: &str) {
        use sea_orm::{ConnectionTrait, Database};
        let url = format!("sqlite://{}?mode=rw", self.database_path().display());
        let db = Database::connect(url).await.expect("open db");
        db.execute_unprepared(sql).await.expect("statement runs");
    }

    /// Counts rows of a table straight from the SQLite file.
    pub async fn count_rows(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let url = format!("sqlite://{}?mode=ro", self.database_path().display());
        let db = Database::connect(url).await.expect("open db");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token the page at `path` embeds in its forms.
    pub async fn csrf_token(&self, path: &str) -> String {
        let page = self.get_text(path).await;
        let re = regex::Regex::new(r#"name="csrf_token" value="([^"]+)""#).expect("regex");
        re.captures(&page)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// Posts a urlencoded form with the right CSRF token taken from `form_page`.
    pub async fn post_form(
        &self,
        path: &str,
        form_page: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(form_page).await;
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.http
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a urlencoded form with no CSRF token, as a forged cross-site form would.
    pub async fn post_form_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn signup(&self, username: &str, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/accounts/signup/",
            "/accounts/signup/",
            &[
                ("username", username),
                ("email", email),
                ("password1", password),
                ("password2", password),
            ],
        )
        .await
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/accounts/login/",
            "/accounts/login/",
            &[("login", login), ("password", password)],
        )
        .await
    }

    pub async fn logout(&self) -> reqwest::Response {
        self.post_form("/accounts/logout/", "/", &[]).await
    }

    /// The `Cookie` header this client would send.
    pub fn cookie_header(&self) -> Option<HeaderValue> {
        let url = self.base.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
    }

    /// Opens `/ws/chatroom/{room}` as this client's browser would (cookie + same Origin).
    pub async fn websocket(
        &self,
        room: &str,
        query: &str,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let origin = self.base.clone();
        self.websocket_from(room, query, Some(&origin)).await
    }

    /// A socket in `room` speaking JSON events, as API clients use it.
    pub async fn json_socket(&self, room: &str) -> Socket {
        self.websocket(room, "?format=json")
            .await
            .unwrap_or_else(|e| panic!("a JSON socket in {room} connects: {e}"))
    }

    pub async fn websocket_from(
        &self,
        room: &str,
        query: &str,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!(
            "{}/ws/chatroom/{room}{query}",
            self.base.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request()?;
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert("Cookie", cookie);
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Socket { stream })
    }
}

pub struct Socket {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How long a test waits for a frame that should come.
pub const FRAME_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Socket {
    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_json(&mut self, value: serde_json::Value) {
        self.send_text(&value.to_string()).await;
    }

    /// The next frame, within [`FRAME_WAIT`]; panics when none comes.
    pub async fn next(&mut self) -> Message {
        match tokio::time::timeout(FRAME_WAIT, self.stream.next()).await {
            Ok(Some(Ok(message))) => message,
            Ok(other) => panic!("socket ended: {other:?}"),
            Err(_) => panic!("no frame within {FRAME_WAIT:?}"),
        }
    }

    /// The next text frame, skipping pings.
    pub async fn next_text(&mut self) -> String {
        loop {
            match self.next().await {
                Message::Text(text) => return text.to_string(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected text, got {other:?}"),
            }
        }
    }

    /// The next JSON event whose `type` is `kind`, skipping others (presence, say).
    pub async fn next_event(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let value: serde_json::Value =
                serde_json::from_str(&self.next_text().await).expect("json event");
            if value["type"] == kind {
                return value;
            }
        }
    }

    /// Reads frames until the server closes the socket; its close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        loop {
            match tokio::time::timeout(FRAME_WAIT, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return frame.map(|f| match f.code {
                        CloseCode::Library(code) => code,
                        other => u16::from(other),
                    });
                }
                Ok(Some(Ok(_))) => continue,
                Ok(other) => panic!("socket ended without a close frame: {other:?}"),
                Err(_) => panic!("socket still open after {FRAME_WAIT:?}"),
            }
        }
    }

    /// The next text frame containing `needle`, skipping others.
    pub async fn next_containing(&mut self, needle: &str) -> String {
        loop {
            let text = self.next_text().await;
            if text.contains(needle) {
                return text;
            }
        }
    }
}
