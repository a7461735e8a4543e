//! `spawn_app()`: the real server on port 0 with its own data dir, and direct looks at
//! its database.

use std::path::Path;
use std::sync::Arc;

use hearth::config::Settings;
use hearth::startup::Application;
use hearth::storage::sql::SqlStorage;
use reqwest::cookie::Jar;
use tempfile::TempDir;

use super::Client;

/// The password every test account signs up with.
pub const PASSWORD: &str = "a quiet ember 42";

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
    /// What the server's requests left running after their answers (mails).
    background: tokio_util::task::TaskTracker,
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
    TestApp::serving(app, data_dir)
}

impl TestApp {
    /// Serves `app` in the background, its data in `data_dir`.
    pub fn serving(app: Application, data_dir: TempDir) -> Self {
        let address = format!("http://127.0.0.1:{}", app.port());
        let background = app.background();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            data_dir,
            background,
        }
    }

    /// A server started some other way (its own process) at `address`.
    pub fn at(address: String, data_dir: TempDir) -> Self {
        Self {
            address,
            data_dir,
            background: tokio_util::task::TaskTracker::new(),
        }
    }

    /// Returns once everything the server's requests left running so far (mails sent after
    /// the answer) has finished: what "nothing more happened" is checked after.
    pub async fn settled(&self) {
        self.background.close();
        let finished =
            tokio::time::timeout(std::time::Duration::from_secs(10), self.background.wait()).await;
        self.background.reopen();
        assert!(finished.is_ok(), "background work still running after 10 s");
    }

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
