//! `/admin/keys/` and `hearth keys`: fingerprints only, rotation while people chat (every
//! message readable throughout and after), resuming after a restart, the final sweep for
//! values sealed with the old key behind the pass, config-set keys
//! refused, and the CLI refusing while a server holds the data dir.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::helpers::api::{person, post_message, public_room_messages_path, whole_history};
use crate::helpers::{
    TestApp, eventually, hearth_command, hearth_serving, spawn_app, spawn_app_with,
};

fn key_lines(app: &TestApp) -> Vec<String> {
    std::fs::read_to_string(app.data_dir.path().join("fernet.keys"))
        .expect("key file")
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotation_while_people_write_and_read_keeps_every_message_readable() {
    let app = spawn_app_with(|settings| {
        settings.api.requests_per_minute = 1_000_000;
        settings.api.page_size = 100;
    })
    .await;
    let admin = person(&app, "root").await;
    let writer = person(&app, "writer").await;
    let path = public_room_messages_path(&app, &writer.access).await;
    // More than one batch (200) before the rotation starts.
    for chunk in 0..26 {
        let posts = (0..10).map(|n| {
            let body = format!("seed-{}", chunk * 10 + n);
            let (app, path, access) = (&app, &path, &writer.access);
            async move { post_message(app, path, access, &body).await }
        });
        futures_util::future::join_all(posts).await;
    }
    let old_keys = key_lines(&app);
    assert_eq!(old_keys.len(), 1);
    let page = admin.browser.get_text("/admin/keys/").await;
    let old_fingerprint = hearth::crypto::fingerprint(&old_keys[0]);
    assert!(page.contains(&old_fingerprint), "the fingerprint is shown");
    assert!(!page.contains(&old_keys[0]), "the key itself never is");

    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writing = {
        let (app, path, access, stop, written) = (
            Arc::clone(&app),
            path.clone(),
            writer.access.clone(),
            Arc::clone(&stop),
            Arc::clone(&written),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed);
                post_message(&app, &path, &access, &format!("live-{n}")).await;
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let reads = Arc::new(AtomicUsize::new(0));
    let reading = {
        let (app, path, access, stop, reads) = (
            Arc::clone(&app),
            path.clone(),
            writer.access.clone(),
            Arc::clone(&stop),
            Arc::clone(&reads),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let bodies = whole_history(&app, &path, &access).await;
                assert!(bodies.len() >= 260);
                for body in &bodies {
                    assert!(
                        body.starts_with("seed-") || body.starts_with("live-"),
                        "unreadable or wrong body: {body}"
                    );
                }
                reads.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    eventually("the writer and the reader are under way", async || {
        written.load(Ordering::Relaxed) >= 5 && reads.load(Ordering::Relaxed) >= 1
    })
    .await;

    let response = admin
        .browser
        .post_form("/admin/keys/rotate/", "/admin/keys/", &[])
        .await;
    assert_eq!(response.status(), 303);
    let during = key_lines(&app);
    assert_eq!(
        during.len(),
        2,
        "the new key is added in front, the old one kept"
    );
    assert_eq!(during[1], old_keys[0]);
    let first_poll = admin.browser.get_text("/admin/keys/progress/").await;
    assert!(
        first_poll.contains("hx-trigger=\"every 1s\""),
        "{first_poll}"
    );
    assert!(first_poll.contains("data-done"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let partial = admin.browser.get_text("/admin/keys/progress/").await;
        if partial.contains("finished") {
            assert!(!partial.contains("hx-trigger"), "polling stops when done");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "rotation did not finish: {partial}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Keep chatting a little on the new key alone: more writes, and a whole read.
    let (written_by_then, reads_by_then) = (
        written.load(Ordering::Relaxed),
        reads.load(Ordering::Relaxed),
    );
    eventually("people chat on with the new key alone", async || {
        written.load(Ordering::Relaxed) >= written_by_then + 5
            && reads.load(Ordering::Relaxed) >= reads_by_then + 2
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    writing.await.expect("writer never failed");
    reading
        .await
        .expect("reader never saw an unreadable message");
    assert!(reads.load(Ordering::Relaxed) > 0);
    let live = written.load(Ordering::Relaxed);
    assert!(live > 0);

    let bodies: HashSet<String> = whole_history(&app, &path, &writer.access)
        .await
        .into_iter()
        .collect();
    for n in 0..260 {
        assert!(bodies.contains(&format!("seed-{n}")), "seed-{n} lost");
    }
    for n in 0..live {
        assert!(bodies.contains(&format!("live-{n}")), "live-{n} lost");
    }

    let after = key_lines(&app);
    assert_eq!(after.len(), 1, "the old key is retired");
    assert_eq!(after[0], during[0]);
    let mode = std::fs::metadata(app.data_dir.path().join("fernet.keys"))
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    // Every stored body opens with the new key alone.
    let new_key = fernet::Fernet::new(&after[0]).expect("a Fernet key");
    let db = sea_orm::Database::connect(format!(
        "sqlite://{}?mode=ro",
        app.database_path().display()
    ))
    .await
    .expect("open db");
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT body_sealed FROM messages",
        ))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 260 + live);
    for row in rows {
        let sealed: String = row.try_get("", "body_sealed").expect("body");
        assert!(
            new_key.decrypt(&sealed).is_ok(),
            "a row still needs the old key"
        );
    }
    let page = admin.browser.get_text("/admin/keys/").await;
    assert!(!page.contains(&old_fingerprint));
    assert!(page.contains(&hearth::crypto::fingerprint(&after[0])));
    for action in ["keys.rotation.start", "keys.rotation.finish"] {
        assert_eq!(
            app.count_rows(&format!(
                "audit_log WHERE action = '{action}' AND kind = 'security'"
            ))
            .await,
            1,
            "{action}"
        );
    }
    assert_eq!(
        app.count_rows("key_rotations WHERE finished IS NOT NULL")
            .await,
        1
    );
}

/// A server whose public room holds 250 messages `msg-0`… by `root`, and settings that
/// open its data dir from outside, as `hearth keys` does.
async fn app_with_250_messages() -> (TestApp, hearth::config::Settings) {
    let app = spawn_app_with(|settings| settings.api.requests_per_minute = 1_000_000).await;
    let writer = person(&app, "root").await;
    let path = public_room_messages_path(&app, &writer.access).await;
    for n in 0..250 {
        post_message(&app, &path, &writer.access, &format!("msg-{n}")).await;
    }
    let mut settings = hearth::config::Settings::default();
    settings.data.dir = app.data_dir.path().to_path_buf();
    (app, settings)
}

/// What a process opening `settings`' data dir gets: its sealer, storage and rotator.
async fn open_rotator(
    settings: &hearth::config::Settings,
) -> (
    Arc<hearth::crypto::Sealer>,
    Arc<dyn hearth::storage::Storage>,
    hearth::rotation::Rotator,
) {
    let keys = hearth::keys::load_or_generate(settings).expect("keys");
    let sealer = Arc::new(hearth::crypto::Sealer::new(&keys.fernet).expect("sealer"));
    let storage: Arc<dyn hearth::storage::Storage> = Arc::new(
        hearth::startup::open_storage(settings)
            .await
            .expect("storage"),
    );
    let rotator =
        hearth::rotation::Rotator::new(Arc::clone(&storage), Arc::clone(&sealer), keys.fernet_file);
    (sealer, storage, rotator)
}

/// Every message body, oldest first, opened with the key file's keys alone.
async fn bodies_with_the_key_file(
    app: &TestApp,
    storage: &dyn hearth::storage::Storage,
) -> Vec<String> {
    let sealer = hearth::crypto::Sealer::new(&key_lines(app)).expect("sealer");
    let mut after = 0;
    let mut bodies = Vec::new();
    loop {
        let rows = storage.sealed_bodies_after(after, 100).await.expect("rows");
        let Some((last, _)) = rows.last() else { break };
        after = *last;
        for (_, sealed) in &rows {
            bodies.push(
                sealer
                    .open_text(sealed)
                    .expect("opens with the key file's keys"),
            );
        }
    }
    bodies
}

#[tokio::test]
async fn an_interrupted_rotation_resumes_where_it_stopped_after_a_restart() {
    let (app, settings) = app_with_250_messages().await;
    let open = || open_rotator(&settings);

    // First life: start, re-seal the first 100 rows as the job would, then "crash".
    let (sealer, storage, rotator) = open().await;
    let started = rotator.start().await.expect("starts");
    assert_eq!(started.total, 250);
    let batch = storage.sealed_bodies_after(0, 100).await.expect("batch");
    for (id, sealed) in &batch {
        let new = sealer.reseal(sealed).expect("reseals");
        assert!(storage.reseal_body(*id, sealed, &new).await.expect("swap"));
    }
    let last = batch.last().map(|(id, _)| *id).expect("rows");
    storage
        .rotation_advance(started.id, "messages", last, 100)
        .await
        .expect("progress saved");
    // A second start while one is unfinished is refused.
    assert!(matches!(
        rotator.start().await,
        Err(hearth::rotation::RotationError::Unfinished)
    ));
    drop((sealer, storage, rotator));
    assert_eq!(key_lines(&app).len(), 2);

    // Second life: the keys come back from the file; the job picks up after row `last`.
    let (sealer, storage, rotator) = open().await;
    let unfinished = storage
        .rotation_unfinished()
        .await
        .expect("query")
        .expect("one");
    assert_eq!((unfinished.last_id, unfinished.done), (last, 100));
    let reports = std::sync::Mutex::new(Vec::new());
    let finished = rotator
        .run(|p| reports.lock().expect("lock").push(p.done))
        .await
        .expect("finishes")
        .expect("there was one to finish");
    assert_eq!(finished.done, 250);
    assert_eq!(
        reports.lock().expect("lock").first().copied(),
        Some(250),
        "resumed at 100, not from the start: one batch of the remaining 150"
    );
    assert!(
        storage
            .rotation_unfinished()
            .await
            .expect("query")
            .is_none()
    );
    assert_eq!(sealer.fingerprints().len(), 1);
    assert_eq!(key_lines(&app).len(), 1);
    let bodies = bodies_with_the_key_file(&app, storage.as_ref()).await;
    assert_eq!(bodies.len(), 250);
    // A body is sealed as "{length of the words}\n{words}{html}".
    assert!(bodies.iter().all(|body| {
        body.split_once('\n')
            .is_some_and(|(_, words)| words.starts_with("msg-"))
    }));
    // Running again finds nothing to do.
    assert!(rotator.run(|_| {}).await.expect("runs").is_none());
}

/// A value sealed with the old key that lands behind the pass (a write that was in flight
/// at the swap) is found by the final sweep before the old key is retired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_sealed_with_the_old_key_behind_the_pass_is_resealed_before_retirement() {
    let (app, settings) = app_with_250_messages().await;
    let only_old = hearth::crypto::Sealer::new(&key_lines(&app)).expect("old sealer");
    let (sealer, storage, rotator) = open_rotator(&settings).await;
    rotator.start().await.expect("starts");

    // After the pass's first batch, the first row (already re-sealed) is overwritten with a
    // value sealed with the old key, as a write in flight at the swap would land.
    let planted = AtomicBool::new(false);
    let runtime = tokio::runtime::Handle::current();
    let finished = rotator
        .run(|_| {
            if planted.swap(true, Ordering::SeqCst) {
                return;
            }
            tokio::task::block_in_place(|| {
                runtime.block_on(async {
                    let rows = storage.sealed_bodies_after(0, 1).await.expect("first row");
                    let (id, current) = rows.first().expect("a row");
                    assert!(sealer.sealed_with_primary(current), "the pass re-sealed it");
                    let stale = only_old.seal(b"msg-straggler");
                    assert!(
                        storage
                            .reseal_body(*id, current, &stale)
                            .await
                            .expect("swap")
                    );
                });
            });
        })
        .await
        .expect("finishes")
        .expect("there was one to finish");
    assert!(
        planted.load(Ordering::SeqCst),
        "the straggler was planted mid-pass"
    );
    assert_eq!(finished.done, 250);
    assert_eq!(key_lines(&app).len(), 1, "the old key is retired");
    let bodies = bodies_with_the_key_file(&app, storage.as_ref()).await;
    assert_eq!(bodies.len(), 250);
    assert_eq!(bodies.first().map(String::as_str), Some("msg-straggler"));
}

#[tokio::test]
async fn a_concurrent_edit_is_never_clobbered_by_the_compare_and_swap() {
    use hearth::domain::Sealed;
    use hearth::storage::Storage;
    let app = spawn_app().await;
    let writer = person(&app, "root").await;
    let path = public_room_messages_path(&app, &writer.access).await;
    post_message(&app, &path, &writer.access, "original").await;
    let mut settings = hearth::config::Settings::default();
    settings.data.dir = app.data_dir.path().to_path_buf();
    let storage: Arc<dyn Storage> = Arc::new(
        hearth::startup::open_storage(&settings)
            .await
            .expect("storage"),
    );
    let (id, old) = storage.sealed_bodies_after(0, 1).await.expect("row")[0].clone();
    let edited = Sealed("edited-meanwhile".into());
    assert!(storage.reseal_body(id, &old, &edited).await.expect("swap"));
    // The job's swap, still holding the old value, must miss.
    assert!(
        !storage
            .reseal_body(id, &old, &Sealed("stale".into()))
            .await
            .expect("swap")
    );
    assert_eq!(
        storage.sealed_body(id).await.expect("row").0,
        "edited-meanwhile"
    );
    assert!(
        !storage
            .reseal_body(9999, &old, &edited)
            .await
            .expect("swap")
    );
}

#[tokio::test]
async fn keys_set_in_the_configuration_are_not_rotated_from_the_page() {
    let key = fernet::Fernet::generate_key();
    let configured = key.clone();
    let app = spawn_app_with(move |settings| {
        settings.secrets.encrypt_keys = vec![hearth::config::Secret::new(configured)];
    })
    .await;
    let admin = app.signed_up("root").await;
    let page = admin.get_text("/admin/keys/").await;
    assert!(page.contains(&hearth::crypto::fingerprint(&key)));
    assert!(page.contains("set in the configuration"));
    let response = admin
        .post_form("/admin/keys/rotate/", "/admin/keys/", &[])
        .await;
    assert_eq!(response.status(), 400);
    let text = response.text().await.expect("body");
    assert!(text.contains("rotate them there"), "{text}");
    assert_eq!(app.count_rows("key_rotations").await, 0);
    assert!(!app.data_dir.path().join("fernet.keys").exists());
}

#[test]
fn the_cli_refuses_to_rotate_while_a_server_holds_the_data_dir() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut server, line) = hearth_serving(dir.path());
    assert!(line.contains("listening"), "{line}");
    let keys = std::fs::read_to_string(dir.path().join("data/fernet.keys")).expect("keys");

    let refused = hearth_command(dir.path())
        .args(["keys", "rotate"])
        .output()
        .expect("runs");
    let _ = server.kill();
    let _ = server.wait();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("/admin/keys/"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/fernet.keys")).expect("keys"),
        keys,
        "nothing changed"
    );

    // With the server gone, the same command rotates.
    let rotated = hearth_command(dir.path())
        .args(["keys", "rotate"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&rotated.stdout);
    assert!(
        rotated.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(stdout.contains("done"), "{stdout}");
    let after = std::fs::read_to_string(dir.path().join("data/fernet.keys")).expect("keys");
    assert_eq!(after.lines().count(), 1);
    assert_ne!(after, keys);
    let listed = hearth_command(dir.path())
        .args(["keys", "list"])
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains(&format!(
        "{}  primary",
        hearth::crypto::fingerprint(after.trim())
    )));
    assert!(!listed.contains(after.trim()), "never the key itself");
}

#[tokio::test]
async fn rotation_re_seals_uploaded_files_too_and_they_stay_downloadable() {
    use crate::helpers::files::{files_under, post_multipart};
    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    let mut socket = admin
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let text = b"a file sealed at rest, re-sealed by the rotation\n".to_vec();
    let response = post_multipart(
        &admin,
        "/chat/room/public-chat/files/",
        &[("file", Some("notes.txt"), &text), ("caption", None, b"")],
        true,
    )
    .await;
    assert_eq!(response.status(), 303);
    let message = socket.next_event("message").await["message"].clone();
    let url = message["file"].as_str().expect("a file URL").to_owned();
    assert_eq!(admin.get(&url).await.bytes().await.expect("bytes"), text);

    let response = admin
        .post_form("/admin/keys/rotate/", "/admin/keys/", &[])
        .await;
    assert_eq!(response.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !admin
        .get_text("/admin/keys/progress/")
        .await
        .contains("finished")
    {
        assert!(Instant::now() < deadline, "rotation did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(key_lines(&app).len(), 1);
    assert_eq!(admin.get(&url).await.bytes().await.expect("bytes"), text);
    let new_key = fernet::Fernet::new(&key_lines(&app)[0]).expect("key");
    let stored = files_under(&app.data_dir.path().join("files"));
    assert!(!stored.is_empty());
    for path in stored {
        let sealed = std::fs::read_to_string(&path).expect("sealed text");
        assert!(
            new_key.decrypt(sealed.trim()).is_ok(),
            "{} still needs the old key",
            path.display()
        );
    }
}

#[test]
fn the_cli_refuses_to_rotate_keys_set_in_the_configuration() {
    let dir = tempfile::tempdir().expect("dir");
    let key = fernet::Fernet::generate_key();
    let refused = hearth_command(dir.path())
        .env("HEARTH_SECRETS__ENCRYPT_KEYS", format!("[\"{key}\"]"))
        .args(["keys", "rotate"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("set in the configuration"), "{stderr}");
    assert!(!dir.path().join("data/fernet.keys").exists());
    let listed = hearth_command(dir.path())
        .env("HEARTH_SECRETS__ENCRYPT_KEYS", format!("[\"{key}\"]"))
        .args(["keys", "list"])
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&hearth::crypto::fingerprint(&key)),
        "{listed}"
    );
    assert!(listed.contains("configuration"));
    assert!(!listed.contains(&key));
}

#[tokio::test]
async fn a_server_starting_on_an_unfinished_rotation_finishes_it() {
    let app = spawn_app_with(|settings| settings.api.requests_per_minute = 1_000_000).await;
    let writer = person(&app, "root").await;
    let path = public_room_messages_path(&app, &writer.access).await;
    for n in 0..30 {
        post_message(&app, &path, &writer.access, &format!("msg-{n}")).await;
    }
    let mut settings = hearth::config::Settings::default();
    settings.server.port = 0;
    settings.data.dir = app.data_dir.path().to_path_buf();
    settings.log.level = "warn".into();
    {
        // A rotation started, then the process died before re-sealing anything.
        let (_, _, rotator) = open_rotator(&settings).await;
        rotator.start().await.expect("starts");
    }
    assert_eq!(key_lines(&app).len(), 2);
    assert_eq!(
        app.count_rows("key_rotations WHERE finished IS NULL").await,
        1
    );

    let second = hearth::startup::Application::build(settings)
        .await
        .expect("restarts");
    let address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .count_rows("key_rotations WHERE finished IS NOT NULL")
        .await
        == 0
    {
        assert!(
            Instant::now() < deadline,
            "the restarted server did not resume"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(key_lines(&app).len(), 1);
    let restarted = TestApp::at(address, tempfile::tempdir().expect("dir"));
    let bodies = whole_history(&restarted, &path, &writer.access).await;
    assert_eq!(bodies.len(), 30);
    assert!(bodies.iter().all(|b| b.starts_with("msg-")));
}
