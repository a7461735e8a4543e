//! What the admin tests share: an admin with a second person, ids read from the database,
//! and the admin pages' forms.

use super::{Client, TestApp, spawn_app};

/// A fresh app where `ann` (the first account, so admin) and `bob` are signed in.
pub async fn admin_and_bob() -> (TestApp, Client, Client) {
    let app = spawn_app().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    (app, ann, bob)
}

/// One integer from the SQLite file, e.g. `SELECT id FROM users WHERE username = 'bob'`.
pub async fn scalar(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let url = format!("sqlite://{}?mode=ro", app.database_path().display());
    let db = Database::connect(url).await.expect("open db");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no row for {sql}"));
    row.try_get_by_index::<i64>(0).expect("an integer")
}

pub async fn user_id(app: &TestApp, username: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

/// Posts an admin form with a CSRF token from the users page.
pub async fn admin_post(client: &Client, path: &str) -> reqwest::Response {
    client.post_form(path, "/accounts/settings/", &[]).await
}
