use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn no_message_plaintext_is_in_the_database_files() {
    let app = spawn_app().await;
    let client = app.signed_up("secretive").await;
    let mut socket = client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    let secrets: Vec<String> = (0..5)
        .map(|n| format!("the-plaintext-canary-{n}-q8Zx"))
        .collect();
    for secret in &secrets {
        socket.send_json(json!({"body": secret})).await;
        assert_eq!(
            socket.next_event("message").await["message"]["body"],
            secret.as_str()
        );
    }
    assert_eq!(app.count_rows("messages").await, 5);
    // The main file and the WAL both: a fresh write sits in the WAL until a checkpoint.
    let mut everything = String::new();
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", app.database_path().display());
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        assert!(
            !text.contains("plaintext-canary"),
            "{path} contains a message body in plaintext"
        );
        everything.push_str(&text);
    }
    assert!(
        everything.contains("secretive"),
        "sanity: the files do hold readable rows"
    );
    // And what it holds instead are Fernet tokens (version byte 0x80 → "gAAAAA").
    let bytes = std::fs::read(format!("{}-wal", app.database_path().display())).unwrap_or_default();
    assert!(String::from_utf8_lossy(&bytes).contains("gAAAAA"));
}

#[tokio::test]
async fn messages_survive_a_restart_with_the_generated_keys() {
    let app = spawn_app().await;
    let client = app.signed_up("keeper").await;
    let mut socket = client
        .websocket("public-chat", "?format=json")
        .await
        .expect("connects");
    socket
        .send_json(json!({"body": "still here after restart"}))
        .await;
    socket.next_event("message").await;

    // A second server on the same data dir must reuse the keys written on first run.
    let dir = app.data_dir.path().to_path_buf();
    let mut settings = hearth::config::Settings::default();
    settings.server.port = 0;
    settings.data.dir = dir;
    let second = hearth::startup::Application::build(settings)
        .await
        .expect("restarts");
    let again =
        crate::helpers::TestApp::serving(second, tempfile::tempdir().expect("dir")).client();
    assert_eq!(
        again
            .login("keeper", crate::helpers::PASSWORD)
            .await
            .status(),
        303
    );
    let page = again.get_text("/chat/").await;
    assert!(page.contains("still here after restart"));
}
