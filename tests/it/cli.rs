//! The `hearth` binary as a self-hoster runs it.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{hearth_command, hearth_serving};

/// Runs `hearth` to completion and returns (success, stderr).
fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("hearth runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn first_run_generates_private_keys_and_a_restart_reuses_them() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, stderr) = run(hearth_command(dir.path()).arg("check"));
    assert!(ok, "{stderr}");
    let data = dir.path().join("data");
    let secret = std::fs::read_to_string(data.join("secret.key")).expect("secret key written");
    let fernet = std::fs::read_to_string(data.join("fernet.keys")).expect("fernet key written");
    let vapid = std::fs::read_to_string(data.join("vapid.key")).expect("VAPID key written");
    for name in ["secret.key", "fernet.keys", "vapid.key"] {
        let mode = std::fs::metadata(data.join(name))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name} must be readable by its owner only");
    }
    assert!(data.join("hearth.sqlite3").exists(), "migrations ran");
    let (ok, _) = run(hearth_command(dir.path()).arg("check"));
    assert!(ok);
    assert_eq!(
        std::fs::read_to_string(data.join("secret.key")).expect("kept"),
        secret
    );
    assert_eq!(
        std::fs::read_to_string(data.join("fernet.keys")).expect("kept"),
        fernet
    );
    assert_eq!(
        std::fs::read_to_string(data.join("vapid.key")).expect("kept"),
        vapid
    );
    // A VAPID file that holds no key stops the server rather than being replaced: every
    // device's subscription is tied to it.
    std::fs::write(data.join("vapid.key"), "not a key\n").expect("spoil");
    let (ok, stderr) = run(hearth_command(dir.path()).arg("check"));
    assert!(!ok && stderr.contains("vapid.key"), "{stderr}");
}

#[test]
fn serve_prints_the_url_and_answers_there() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, line) = hearth_serving(dir.path());
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let response =
        std::net::TcpStream::connect(url.trim_start_matches("http://")).map(|mut stream| {
            use std::io::{Read, Write};
            let _ = stream.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answer
        });
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.is_ok_and(|r| r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200")));
}

#[test]
fn each_bad_setting_fails_with_one_line_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let cases: [(&str, &str, &str); 9] = [
        (
            "HEARTH_SECRETS__ENCRYPT_KEYS",
            "[\"not-a-fernet-key\"]",
            "secrets.encrypt_keys",
        ),
        ("ENCRYPT_KEY", "short", "secrets.encrypt_keys"),
        (
            "HEARTH_SECRETS__SECRET_KEY",
            "too-short",
            "secrets.secret_key",
        ),
        ("HEARTH_SERVER__PORT", "eighty", "server.port"),
        ("HEARTH_SERVER__HOST", "not-an-ip", "server.host"),
        (
            "HEARTH_NOTIFICATIONS__PUSH_SERVICES",
            "[\"push service\"]",
            "notifications.push_services",
        ),
        (
            "HEARTH_NOTIFICATIONS__PUSH_CONTACT",
            "ada@example.org",
            "notifications.push_contact",
        ),
        ("HEARTH_SERVER__NO_SUCH_KEY", "1", "no_such_key"),
        ("DEBUG", "maybe", "DEBUG"),
    ];
    for (variable, value, setting) in cases {
        let (ok, stderr) = run(hearth_command(dir.path()).arg("check").env(variable, value));
        assert!(!ok, "{variable}={value} must fail");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(setting), "{variable}={value}: {stderr}");
    }
}

#[test]
fn an_unwritable_data_dir_fails_naming_the_setting() {
    let dir = tempfile::tempdir().expect("dir");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"").expect("file");
    let (ok, stderr) = run(hearth_command(dir.path())
        .arg("check")
        .env("HEARTH_DATA__DIR", blocker.join("sub")));
    assert!(!ok);
    assert!(stderr.contains("data.dir"), "{stderr}");
}

#[test]
fn a_port_in_use_fails_naming_the_setting() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let started = Instant::now();
    let (ok, stderr) = run(hearth_command(dir.path()).env("HEARTH_SERVER__PORT", port.to_string()));
    assert!(!ok);
    assert!(stderr.contains("server.port"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn the_seed_names_and_a_dotenv_file_are_honoured() {
    let dir = tempfile::tempdir().expect("dir");
    let key = "x".repeat(40);
    std::fs::write(
        dir.path().join(".env"),
        format!("SECRET_KEY={key}\nDEBUG=False\n"),
    )
    .expect(".env");
    let (ok, stderr) = run(hearth_command(dir.path()).arg("check"));
    assert!(ok, "{stderr}");
    assert!(
        !dir.path().join("data/secret.key").exists(),
        "the given SECRET_KEY is used, none generated"
    );
}

#[test]
fn a_missing_explicit_config_file_is_an_error() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, stderr) = run(hearth_command(dir.path()).args(["--config", "nope.toml", "check"]));
    assert!(!ok);
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn the_shipped_config_file_is_valid_and_documents_every_key() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(repo.join("config.toml")).expect("config.toml");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("config.toml"), &shipped).expect("copy");
    let (ok, stderr) = run(hearth_command(dir.path()).arg("check"));
    assert!(ok, "{stderr}");
    let defaults = toml_keys(
        &serde_json::to_value(hearth::config::Settings::default()).expect("json"),
        "",
    );
    for key in defaults {
        let leaf = key.rsplit('.').next().unwrap_or(&key);
        assert!(
            shipped.contains(&format!("\n{leaf} = ")) || shipped.contains(&format!("\n{leaf}=")),
            "config.toml lacks {key}"
        );
    }
}

fn toml_keys(value: &serde_json::Value, prefix: &str) -> Vec<String> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                toml_keys(
                    v,
                    &if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    },
                )
            })
            .collect(),
        _ => vec![prefix.to_owned()],
    }
}

fn createsuperuser(dir: &std::path::Path, args: &[&str], password: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = hearth_command(dir)
        .arg("createsuperuser")
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn createsuperuser_makes_an_admin_and_recovers_a_locked_out_one() {
    let dir = tempfile::tempdir().expect("dir");
    let args = ["--username", "root-admin", "--email", "root@example.org"];
    let (ok, stderr) = createsuperuser(dir.path(), &args, "123");
    assert!(
        !ok && stderr.contains("password"),
        "weak passwords are refused: {stderr}"
    );
    let (ok, stderr) = createsuperuser(dir.path(), &["--username", "x y"], "a long enough pass 1");
    assert!(!ok && stderr.contains("--username"), "{stderr}");
    let (ok, stderr) = createsuperuser(dir.path(), &args, "first secret phrase 1");
    assert!(ok, "{stderr}");
    let (ok, stderr) = createsuperuser(
        dir.path(),
        &["--username", "root-admin"],
        "second secret phrase 2",
    );
    assert!(ok, "recovery resets the password: {stderr}");

    let mut settings = hearth::config::Settings::default();
    settings.server.port = 0;
    settings.data.dir = dir.path().join("data");
    let app = hearth::startup::Application::build(settings)
        .await
        .expect("builds");
    let test_app = crate::helpers::TestApp::serving(app, tempfile::tempdir().expect("dir"));
    assert_eq!(
        test_app
            .client()
            .login("root-admin", "first secret phrase 1")
            .await
            .status(),
        400
    );
    assert_eq!(
        test_app
            .client()
            .login("root-admin", "second secret phrase 2")
            .await
            .status(),
        303
    );
}
