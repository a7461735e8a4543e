//! What the benchmark programs share: the release server as its own process (pinned to
//! CPU 0 when it can be), its CPU time and memory from /proc, accounts that sign up and
//! post forms as a browser does, and percentiles.

// Each benchmark uses part of this.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use reqwest::cookie::Jar;

pub const PASSWORD: &str = "a quiet ember 42 bench";

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} does not parse")),
        Err(_) => default,
    }
}

pub struct Server {
    child: Child,
    pub pid: u32,
    pub base: String,
    pub data_dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_server(pin: bool) -> Server {
    start_server_with(pin, &[])
}

/// The server, with `env` added to its environment.
pub fn start_server_with(pin: bool, env: &[(&str, &str)]) -> Server {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_hearth");
    let mut cmd = if pin {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", bin]);
        c
    } else {
        Command::new(bin)
    };
    let huge = "1000000000";
    cmd.current_dir(data_dir.path())
        .env_remove("SECRET_KEY")
        .env_remove("ENCRYPT_KEY")
        .env_remove("DEBUG")
        .env("RUST_LOG", "warn")
        .env("HEARTH_SERVER__PORT", "0")
        .env("HEARTH_DATA__DIR", data_dir.path())
        .env("HEARTH_LIMITS__SIGNUP_PER_MINUTE", huge)
        .env("HEARTH_LIMITS__LOGIN_PER_MINUTE", huge)
        .env("HEARTH_LIMITS__WS_MESSAGES_PER_SECOND", huge)
        .env("HEARTH_LIMITS__WS_MESSAGE_BURST", huge)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = cmd.spawn().expect("hearth starts");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    let mut url = None;
    while reader.read_line(&mut line).expect("server stdout") > 0 {
        if let Some(rest) = line.trim().strip_prefix("Hearth is listening on ") {
            url = Some(rest.to_owned());
            break;
        }
        line.clear();
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    let base = url.expect("the server printed its URL");
    Server {
        child,
        pid,
        base,
        data_dir,
    }
}

/// utime + stime of `pid`, in clock ticks.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the comm: field 3 is index 0, so utime (14) is 11 and stime (15) is 12.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS")
}

pub fn shell(cmd: &str) -> Option<String> {
    let out = Command::new("sh").args(["-c", cmd]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub struct CpuMeter {
    pid: u32,
    ticks: u64,
    own_ticks: u64,
    hz: f64,
    at: Instant,
}

impl CpuMeter {
    pub fn start(pid: u32, hz: f64) -> Self {
        Self {
            pid,
            ticks: cpu_ticks(pid),
            own_ticks: cpu_ticks(std::process::id()),
            hz,
            at: Instant::now(),
        }
    }
    /// (server CPU seconds, wall seconds) since start; prints the load generator's own
    /// CPU, since a saturated generator limits the figures too.
    pub fn stop(&self) -> (f64, f64) {
        let cpu = (cpu_ticks(self.pid) - self.ticks) as f64 / self.hz;
        let wall = self.at.elapsed().as_secs_f64();
        let own = (cpu_ticks(std::process::id()) - self.own_ticks) as f64 / self.hz;
        println!(
            "  load generator CPU {own:.2} s over {wall:.2} s = {:.0} % of a core",
            100.0 * own / wall
        );
        (cpu, wall)
    }
}

#[derive(Clone)]
pub struct Account {
    pub username: String,
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Account {
    pub fn new(base: &str, username: String) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            username,
            http,
            jar,
            base: base.to_owned(),
        }
    }

    pub async fn csrf(&self, page: &str) -> String {
        let html = self
            .http
            .get(format!("{}{page}", self.base))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        let re = regex::Regex::new(r#"name="csrf_token" value="([^"]+)""#).expect("regex");
        re.captures(&html)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("no csrf token on {page}"))
    }

    pub async fn post_form(
        &self,
        path: &str,
        form_page: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(form_page).await;
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.http
            .post(format!("{}{path}", self.base))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn signup(base: &str, username: String) -> Self {
        let account = Self::new(base, username);
        let name = account.username.clone();
        let email = format!("{name}@example.org");
        let r = account
            .post_form(
                "/accounts/signup/",
                "/accounts/signup/",
                &[
                    ("username", &name),
                    ("email", &email),
                    ("password1", PASSWORD),
                    ("password2", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "sign-up of {name}");
        account
    }

    /// Creates a group and returns its room name.
    pub async fn new_group(&self, title: &str) -> String {
        let r = self
            .post_form(
                "/chat/new_groupchat/",
                "/chat/new_groupchat/",
                &[("title", title)],
            )
            .await;
        assert_eq!(r.status(), 303, "group {title} is created");
        let location = r.headers()["location"].to_str().expect("location");
        location
            .trim_start_matches("/chat/room/")
            .trim_end_matches('/')
            .to_owned()
    }

    pub async fn add_member(&self, room: &str, username: &str) {
        let r = self
            .post_form(
                &format!("/chat/room/{room}/members/add/"),
                &format!("/chat/room/{room}/"),
                &[("username", username)],
            )
            .await;
        assert_eq!(r.status(), 303, "{username} is added to {room}");
    }
}

pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// How the server and the load generator share the machine.
pub struct Placement {
    /// Whether the server is to be pinned to CPU 0.
    pub pin: bool,
    /// Threads the load generator may use.
    pub client_threads: usize,
}

/// Pins this process (the load generator) to every core but CPU 0, which the server gets,
/// when there are two cores or more and `taskset` is there; says what it did.
pub fn place_load_generator() -> Placement {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pin = cores >= 2 && shell("command -v taskset").is_some_and(|s| !s.is_empty());
    if !pin {
        println!(
            "  no pinning (taskset missing or 1 core): server and load generator share {cores} core(s)"
        );
        return Placement {
            pin,
            client_threads: cores,
        };
    }
    let others = if cores == 2 {
        "1".to_owned()
    } else {
        format!("1-{}", cores - 1)
    };
    let me = std::process::id().to_string();
    let ok = Command::new("taskset")
        .args(["-a", "-p", "-c", &others, &me])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    println!(
        "  server pinned to CPU 0 (taskset); load generator {} CPU {others}; {cores} cores",
        if ok {
            "pinned to"
        } else {
            "NOT pinned (taskset failed), would be on"
        }
    );
    Placement {
        pin,
        client_threads: cores - 1,
    }
}

/// The kernel's clock ticks per second, for /proc CPU times.
pub fn clock_ticks() -> f64 {
    shell("getconf CLK_TCK")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100.0)
}
