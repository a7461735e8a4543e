//! The `hearth` command as a separate process, for the CLI tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

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
