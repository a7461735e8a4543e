//! `/admin/backup/` and `hearth backup`: a snapshot taken while the server runs (and while
//! people write) restores as a fresh server's database, with every message readable.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::helpers::api::{access_token, post_message, public_room_messages_path, whole_history};
use crate::helpers::{TestApp, hearth_command, spawn_app_with};

/// Starts a fresh server whose data dir holds `snapshot` as its database and copies of
/// `from`'s keys.
async fn restore(snapshot: &[u8], from: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("hearth.sqlite3"), snapshot).expect("write db");
    for name in ["fernet.keys", "secret.key"] {
        std::fs::copy(from.data_dir.path().join(name), dir.path().join(name)).expect("copy key");
    }
    let mut settings = hearth::config::Settings::default();
    settings.server.port = 0;
    settings.data.dir = dir.path().to_path_buf();
    settings.log.level = "warn".into();
    let app = hearth::startup::Application::build(settings)
        .await
        .expect("the restored database opens");
    TestApp::serving(app, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_downloaded_backup_taken_while_people_write_restores_every_message() {
    let app = Arc::new(spawn_app_with(|s| s.api.requests_per_minute = 1_000_000).await);
    let admin = app.signed_up("root").await;
    let access = access_token(&app, "root").await;
    let path = public_room_messages_path(&app, &access).await;
    for n in 0..40 {
        post_message(&app, &path, &access, &format!("before-{n}")).await;
    }
    let page = admin.get_text("/admin/backup/").await;
    assert!(
        page.contains("data/fernet.keys"),
        "the page says to keep the keys"
    );
    assert!(page.contains("cannot be read"));

    let stop = Arc::new(AtomicBool::new(false));
    let writing = {
        let (app, path, access, stop) = (
            Arc::clone(&app),
            path.clone(),
            access.clone(),
            Arc::clone(&stop),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                post_message(&app, &path, &access, &format!("during-{n}")).await;
                n += 1;
            }
        })
    };
    let response = admin
        .post_form("/admin/backup/download/", "/admin/backup/", &[])
        .await;
    stop.store(true, Ordering::Relaxed);
    writing.await.expect("writes went on during the backup");
    assert_eq!(response.status(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("hearth-backup-"));
    let snapshot = response.bytes().await.expect("bytes");
    assert!(snapshot.starts_with(b"SQLite format 3\0"));
    let leftovers: Vec<_> = std::fs::read_dir(app.data_dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("backup"))
        .collect();
    assert!(leftovers.is_empty(), "the temporary snapshot is deleted");
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'backup.download'")
            .await,
        1
    );

    let restored = restore(&snapshot, &app).await;
    let access = access_token(&restored, "root").await;
    let bodies = whole_history(&restored, &path, &access)
        .await
        .into_iter()
        .collect::<HashSet<_>>();
    for n in 0..40 {
        assert!(
            bodies.contains(&format!("before-{n}")),
            "before-{n} missing"
        );
    }
    assert!(
        bodies
            .iter()
            .all(|b| b.starts_with("before-") || b.starts_with("during-"))
    );
}

#[tokio::test]
async fn the_cli_backs_up_a_running_server_and_never_overwrites_a_file() {
    let app = spawn_app_with(|s| s.api.requests_per_minute = 1_000_000).await;
    app.signed_up("root").await;
    let access = access_token(&app, "root").await;
    let path = public_room_messages_path(&app, &access).await;
    for n in 0..15 {
        post_message(&app, &path, &access, &format!("cli-{n}")).await;
    }
    let out = tempfile::tempdir().expect("dir");
    let file = out.path().join("snapshot.sqlite3");
    let data_dir = app.data_dir.path().display().to_string();
    let made = hearth_command(out.path())
        .env("HEARTH_DATA__DIR", &data_dir)
        .arg("backup")
        .arg(&file)
        .output()
        .expect("runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("fernet.keys"));
    let snapshot = std::fs::read(&file).expect("written");

    std::fs::write(out.path().join("taken.sqlite3"), b"precious").expect("write");
    let refused = hearth_command(out.path())
        .env("HEARTH_DATA__DIR", &data_dir)
        .arg("backup")
        .arg(out.path().join("taken.sqlite3"))
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read(out.path().join("taken.sqlite3")).expect("kept"),
        b"precious"
    );

    let restored = restore(&snapshot, &app).await;
    let access = access_token(&restored, "root").await;
    let bodies = whole_history(&restored, &path, &access)
        .await
        .into_iter()
        .collect::<HashSet<_>>();
    assert_eq!(bodies.len(), 15);
    for n in 0..15 {
        assert!(bodies.contains(&format!("cli-{n}")));
    }
}
