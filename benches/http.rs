//! `cargo bench --bench http`: the HTTP path of the real release `hearth` binary, run as
//! its own process and pinned to CPU 0 (the load generator takes the other cores), on
//! loopback. For each request of issue 19's table it keeps `HTTP_CONNECTIONS` (50)
//! keep-alive connections busy, one request in flight each, for `HTTP_SECS` (10) and
//! prints requests/s, p50/p99 latency and the server's CPU per request.
//!
//! The load generator speaks HTTP/1.1 itself over plain sockets (prebuilt request bytes,
//! a minimal response reader), so its own cost stays small beside the server's; it prints
//! its CPU share too. `HTTP_QUICK=1` runs each request for 2 s and says so.
//! `HTTP_ONLY=asset,login,empty,room,post` picks requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;
use serde_json::{Value as Json, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::{
    Account, CpuMeter, PASSWORD, Server, clock_ticks, env_or, percentile, place_load_generator,
    start_server_with,
};

/// Messages in the full room, as the room page shows by default.
const ROOM_MESSAGES: usize = 30;

struct Config {
    quick: bool,
    secs: u64,
    connections: usize,
    only: Vec<String>,
}

impl Config {
    fn from_env() -> Self {
        let quick = std::env::var("HTTP_QUICK").is_ok_and(|v| v != "0" && !v.is_empty());
        Self {
            quick,
            secs: env_or("HTTP_SECS", if quick { 2 } else { 10 }),
            connections: env_or("HTTP_CONNECTIONS", 50),
            only: env_or("HTTP_ONLY", "asset,login,empty,room,post".to_owned())
                .split(',')
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// One kind of request, as bytes ready to write, made fresh for each connection.
struct Scenario {
    key: &'static str,
    label: String,
    /// Builds connection `i`'s next request.
    request: Arc<dyn Fn(usize, u64) -> Vec<u8> + Send + Sync>,
    expect: u16,
}

struct Outcome {
    done: u64,
    failed: u64,
    bytes: u64,
    latencies_us: Vec<u32>,
}

/// A response's status and body length, read off a keep-alive connection.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(u16, usize)> {
    buf.clear();
    let head_end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .ok()?
        .to_ascii_lowercase();
    let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(name).map(|v| v.trim().to_owned()))
    };
    if let Some(length) = header("content-length:") {
        let length: usize = length.parse().ok()?;
        while buf.len() < head_end + length {
            let mut chunk = vec![0u8; (head_end + length - buf.len()).min(64 * 1024)];
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        return Some((status, length));
    }
    if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        // Read until the last chunk's "0\r\n\r\n".
        while !buf[head_end..].ends_with(b"0\r\n\r\n") {
            let mut chunk = [0u8; 16 * 1024];
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        return Some((status, buf.len() - head_end));
    }
    Some((status, 0))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn connection(
    address: String,
    index: usize,
    scenario: Arc<Scenario>,
    deadline: Instant,
    sent: Arc<AtomicU64>,
) -> Outcome {
    let mut outcome = Outcome {
        done: 0,
        failed: 0,
        bytes: 0,
        latencies_us: Vec::new(),
    };
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut buf = Vec::with_capacity(128 * 1024);
    while Instant::now() < deadline {
        let seq = sent.fetch_add(1, Ordering::Relaxed);
        let request = (scenario.request)(index, seq);
        let started = Instant::now();
        if stream.write_all(&request).await.is_err() {
            outcome.failed += 1;
            break;
        }
        match read_response(&mut stream, &mut buf).await {
            Some((status, length)) => {
                let micros = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
                outcome.latencies_us.push(micros);
                outcome.bytes += length as u64;
                if status == scenario.expect {
                    outcome.done += 1;
                } else {
                    outcome.failed += 1;
                }
            }
            None => {
                outcome.failed += 1;
                // The server closed it: open another and go on.
                stream = TcpStream::connect(&address).await.expect("reconnect");
                stream.set_nodelay(true).expect("nodelay");
            }
        }
    }
    outcome
}

async fn run_scenario(config: &Config, server: &Server, hz: f64, scenario: Scenario) {
    let address = server.base.trim_start_matches("http://").to_owned();
    let scenario = Arc::new(scenario);
    // A short warm-up, unmeasured: connections open, caches fill.
    let warm = Instant::now() + Duration::from_millis(500);
    let sent = Arc::new(AtomicU64::new(0));
    let warmups: Vec<_> = (0..config.connections)
        .map(|i| {
            tokio::spawn(connection(
                address.clone(),
                i,
                Arc::clone(&scenario),
                warm,
                Arc::clone(&sent),
            ))
        })
        .collect();
    for w in warmups {
        w.await.expect("warm-up");
    }
    let meter = CpuMeter::start(server.pid, hz);
    let deadline = Instant::now() + Duration::from_secs(config.secs);
    let tasks: Vec<_> = (0..config.connections)
        .map(|i| {
            tokio::spawn(connection(
                address.clone(),
                i,
                Arc::clone(&scenario),
                deadline,
                Arc::clone(&sent),
            ))
        })
        .collect();
    let mut done = 0;
    let mut failed = 0;
    let mut bytes = 0;
    let mut latencies = Vec::new();
    for task in tasks {
        let outcome = task.await.expect("connection");
        done += outcome.done;
        failed += outcome.failed;
        bytes += outcome.bytes;
        latencies.extend(outcome.latencies_us);
    }
    let (cpu, wall) = meter.stop();
    latencies.sort_unstable();
    let rate = done as f64 / wall;
    println!(
        "  {:<46} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  server CPU {:>3.0} % = {:>5.0} µs/req  {} failed  {:.1} KB/resp",
        scenario.label,
        rate,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        100.0 * cpu / wall,
        1e6 * cpu / (done.max(1) as f64),
        failed,
        bytes as f64 / (done + failed).max(1) as f64 / 1000.0,
    );
}

fn get(path: &str, host: &str, cookie: Option<&str>) -> Vec<u8> {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\n{cookie}\r\n").into_bytes()
}

async fn token(base: &str, username: &str) -> String {
    let answer: Json = reqwest::Client::new()
        .post(format!("{base}/api/token/"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    answer["access"].as_str().expect("access").to_owned()
}

async fn api(base: &str, access: &str, path: &str, body: Json) -> Json {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(access)
        .json(&body)
        .send()
        .await
        .expect("api");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("api json")
}

async fn run(config: Config, server: &Server, hz: f64) {
    let base = server.base.clone();
    let host = base.trim_start_matches("http://").to_owned();
    let ada = Account::signup(&base, "ada".into()).await;
    let cookie = ada
        .jar
        .cookies(&base.parse().expect("url"))
        .expect("signed in")
        .to_str()
        .expect("ascii")
        .to_owned();
    let access = token(&base, "ada").await;
    let empty = api(
        &base,
        &access,
        "/api/groups/",
        json!({ "title": "Quiet", "members": [] }),
    )
    .await;
    let full = api(
        &base,
        &access,
        "/api/groups/",
        json!({ "title": "Busy", "members": [] }),
    )
    .await;
    let full_id = full["id"].as_i64().expect("id");
    for n in 0..ROOM_MESSAGES {
        api(
            &base,
            &access,
            &format!("/api/groups/{full_id}/messages/"),
            json!({ "body": format!("Message {n}: **rain** later, then the _ridge_ path; see https://example.org/walks/{n}") }),
        )
        .await;
    }
    let posts = api(
        &base,
        &access,
        "/api/groups/",
        json!({ "title": "Posts", "members": [] }),
    )
    .await;
    let posts_id = posts["id"].as_i64().expect("id");

    let mut scenarios = Vec::new();
    let with =
        |key: &'static str,
         label: String,
         expect: u16,
         request: Arc<dyn Fn(usize, u64) -> Vec<u8> + Send + Sync>| Scenario {
            key,
            label,
            request,
            expect,
        };
    {
        let bytes = get("/static/css/app.css", &host, Some(&cookie));
        scenarios.push(with(
            "asset",
            "a static asset (app.css), with a session cookie".into(),
            200,
            Arc::new(move |_, _| bytes.clone()),
        ));
    }
    {
        let bytes = get("/accounts/login/", &host, None);
        scenarios.push(with(
            "login",
            "the log-in page, no cookie".into(),
            200,
            Arc::new(move |_, _| bytes.clone()),
        ));
    }
    {
        let path = format!("/chat/room/{}/", empty["name"].as_str().expect("name"));
        let bytes = get(&path, &host, Some(&cookie));
        scenarios.push(with(
            "empty",
            "an empty room's page".into(),
            200,
            Arc::new(move |_, _| bytes.clone()),
        ));
    }
    {
        let path = format!("/chat/room/{}/", full["name"].as_str().expect("name"));
        let bytes = get(&path, &host, Some(&cookie));
        scenarios.push(with(
            "room",
            format!("a room's page with {ROOM_MESSAGES} messages"),
            200,
            Arc::new(move |_, _| bytes.clone()),
        ));
    }
    {
        let path = format!("/api/groups/{posts_id}/messages/");
        let host = host.clone();
        scenarios.push(with(
            "post",
            "POST /api/groups/{id}/messages/ (durable)".into(),
            201,
            Arc::new(move |i, seq| {
                let body = format!("{{\"body\":\"bench message {seq} from connection {i}\"}}");
                format!(
                    "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {access}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes()
            }),
        ));
    }
    println!(
        "  {} connections, one request in flight each, {} s per request{}:",
        config.connections,
        config.secs,
        if config.quick {
            " (HTTP_QUICK: short runs)"
        } else {
            ""
        }
    );
    for scenario in scenarios {
        if config.only.iter().any(|k| k == scenario.key) {
            run_scenario(&config, server, hz, scenario).await;
        }
    }
}

fn main() {
    let config = Config::from_env();
    let hz = clock_ticks();
    println!("http benchmark (release server, its own process)");
    let placement = place_load_generator();
    let huge = "1000000000";
    let server = start_server_with(
        placement.pin,
        &[
            ("HEARTH_API__ACCESS_MINUTES", "120"),
            ("HEARTH_API__REQUESTS_PER_MINUTE", huge),
            ("HEARTH_API__TOKEN_PER_MINUTE", huge),
        ],
    );
    println!("  server {} (pid {})", server.base, server.pid);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(placement.client_threads.max(1))
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(config, &server, hz));
}
