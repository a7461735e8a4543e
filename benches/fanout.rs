//! `cargo bench --bench fanout`: a WebSocket load generator against the real release
//! `hearth` binary, on loopback, bounded in time and count. It prints deliveries/s,
//! end-to-end latency, lost deliveries, server CPU per delivery and RSS per held
//! connection, then a table beside the targets of issue 3, item 9.
//!
//! Sizes come from env vars (see `Config::from_env`); `FANOUT_QUICK=1` runs tiny
//! versions in a few seconds. `FANOUT_B_ARRIVALS` times (b)'s senders: `random` (the
//! default, a Poisson stream at the offered rate), `even` (one message every 5 ms) or
//! `bursts` (all ten senders at once every 50 ms, the shape this benchmark had before).
//! `FANOUT_FORMAT=html` makes every socket a browser's (HTML fragments instead of JSON
//! events) for scenarios a and b; each scenario also prints the mean delivered frame size.

// A benchmark program, not server code: a failed setup step (server does not start, a
// form is refused) should stop the run loudly with its context, which is what
// unwrap/expect do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::stream::{self, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use reqwest::cookie::CookieStore;
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use support::{
    Account, CpuMeter, Server, clock_ticks, env_or, percentile, place_load_generator, rss_kib,
    shell, start_server,
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const PUBLIC_ROOM: &str = "public-chat";
/// Marker that starts every benchmark body: `fb|<scenario>|<sender>|<seq>|<sent µs>`.
const MARK: &str = "fb|";

static EPOCH: OnceLock<Instant> = OnceLock::new();
/// Whether sockets ask for browser fragments (`FANOUT_FORMAT=html`) instead of JSON.
static HTML: OnceLock<bool> = OnceLock::new();
/// Bytes of every benchmark frame delivered, for the mean frame size.
static FRAME_BYTES: AtomicU64 = AtomicU64::new(0);
static FRAMES: AtomicU64 = AtomicU64::new(0);

fn html_format() -> bool {
    *HTML.get_or_init(|| std::env::var("FANOUT_FORMAT").is_ok_and(|f| f == "html"))
}

/// Microseconds since the load generator started: the one clock sender and receiver share.
fn now_us() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

// ---------------------------------------------------------------------------------------
// Configuration

struct Config {
    quick: bool,
    scenarios: String,
    accounts: usize,
    a_rooms: usize,
    a_clients: usize,
    a_senders: usize,
    a_window: usize,
    a_secs: u64,
    b_clients: usize,
    b_rate: u64,
    b_senders: usize,
    /// When (b)'s senders send: see [`Arrivals`].
    b_arrivals: Arrivals,
    b_secs: u64,
    idle: usize,
    d_senders: usize,
    d_secs: u64,
}

impl Config {
    fn from_env() -> Self {
        let quick = std::env::var("FANOUT_QUICK").is_ok_and(|v| v != "0" && !v.is_empty());
        let q = |full: usize, tiny: usize| if quick { tiny } else { full };
        let a_rooms = env_or("FANOUT_A_ROOMS", q(10, 2));
        let a_clients = env_or("FANOUT_A_CLIENTS", q(50, 10));
        let b_clients = env_or("FANOUT_B_CLIENTS", q(500, 50));
        Self {
            quick,
            scenarios: env_or("FANOUT_SCENARIOS", "abcd".to_owned()),
            // One person per client by default, as in a real room: with fewer, people
            // have sockets in several rooms and each message also becomes a sidebar
            // notice on their other sockets.
            accounts: env_or("FANOUT_ACCOUNTS", (a_rooms * a_clients).max(b_clients)),
            a_rooms,
            a_clients,
            a_senders: env_or("FANOUT_A_SENDERS", q(5, 2)),
            a_window: env_or("FANOUT_A_WINDOW", 32),
            a_secs: env_or("FANOUT_A_SECS", q(10, 2) as u64),
            b_clients,
            b_rate: env_or("FANOUT_B_RATE", q(200, 50) as u64),
            b_senders: env_or("FANOUT_B_SENDERS", q(10, 2)),
            b_arrivals: env_or("FANOUT_B_ARRIVALS", Arrivals::Random),
            b_secs: env_or("FANOUT_B_SECS", q(10, 2) as u64),
            idle: env_or("FANOUT_IDLE", q(10_000, 200)),
            d_senders: env_or("FANOUT_D_SENDERS", q(50, 5)),
            d_secs: env_or("FANOUT_D_SECS", q(10, 2) as u64),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The server process

// ---------------------------------------------------------------------------------------
// Accounts, rooms, sockets

/// The room's socket for `account`: JSON events unless `FANOUT_FORMAT=html`.
async fn websocket(account: &Account, room: &str) -> Ws {
    let query = if html_format() { "" } else { "?format=json" };
    let url = format!(
        "{}/ws/chatroom/{room}{query}",
        account.base.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().expect("request");
    let cookie = account
        .jar
        .cookies(&account.base.parse().expect("url"))
        .expect("logged in");
    request.headers_mut().insert("Cookie", cookie);
    request.headers_mut().insert(
        "Origin",
        HeaderValue::from_str(&account.base).expect("origin"),
    );
    let mut attempt = 0;
    loop {
        match tokio_tungstenite::connect_async_with_config(request.clone(), None, true).await {
            Ok((ws, _)) => return ws,
            Err(e) if attempt < 5 => {
                attempt += 1;
                eprintln!("  websocket connect failed ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("websocket to {room}: {e}"),
        }
    }
}

/// Opens one socket per (account, room) pair, `parallel` handshakes at a time.
async fn open_all(pairs: Vec<(Account, String)>, parallel: usize) -> Vec<Ws> {
    let mut sockets: Vec<(usize, Ws)> = stream::iter(pairs.into_iter().enumerate())
        .map(|(i, (account, room))| async move { (i, websocket(&account, &room).await) })
        .buffer_unordered(parallel)
        .collect()
        .await;
    sockets.sort_by_key(|(i, _)| *i);
    sockets.into_iter().map(|(_, ws)| ws).collect()
}

// ---------------------------------------------------------------------------------------
// Receivers

/// What one receiving socket saw.
#[derive(Default)]
struct Seen {
    delivered: u64,
    latencies_us: Vec<u32>,
    /// (sender, seq) of each delivery, index-aligned with `latencies_us`.
    messages: Vec<(u64, u64)>,
    refused: u64,
    closes: Vec<String>,
}

/// A parsed benchmark body: (scenario, sender, seq, sent µs).
fn parse_mark(text: &str) -> Option<(char, u64, u64, u64)> {
    let start = text.find(MARK)? + MARK.len();
    let rest = &text[start..];
    let end = rest.find(['"', '<']).unwrap_or(rest.len());
    let mut parts = rest[..end].split('|');
    let tag = parts.next()?.chars().next()?;
    let sender = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let t = parts.next()?.parse().ok()?;
    Some((tag, sender, seq, t))
}

/// Reads a socket until `stop` flips; counts this scenario's deliveries. When `own` is set
/// (a sender's socket), each echo of its own message, or refusal, returns a window permit.
async fn receive(
    mut rx: SplitStream<Ws>,
    tag: char,
    own: Option<(u64, Arc<Semaphore>)>,
    total: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
) -> (Seen, SplitStream<Ws>) {
    let mut seen = Seen::default();
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            frame = rx.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str();
                    if let Some((t, sender, seq, sent)) = parse_mark(text) {
                        if t != tag { continue; }
                        let now = now_us();
                        seen.delivered += 1;
                        FRAME_BYTES.fetch_add(text.len() as u64, Ordering::Relaxed);
                        FRAMES.fetch_add(1, Ordering::Relaxed);
                        seen.latencies_us.push(now.saturating_sub(sent).min(u32::MAX as u64) as u32);
                        seen.messages.push((sender, seq));
                        total.fetch_add(1, Ordering::Relaxed);
                        if let Some((me, window)) = &own && *me == sender {
                            window.add_permits(1);
                        }
                    } else if text.contains(r#""type":"error""#) {
                        seen.refused += 1;
                        if let Some((_, window)) = &own { window.add_permits(1); }
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    seen.closes.push(format!("{frame:?}"));
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => { seen.closes.push(e.to_string()); break; }
                None => { seen.closes.push("eof".into()); break; }
            }
        }
    }
    (seen, rx)
}

// ---------------------------------------------------------------------------------------
// Fan-out scenarios (a and b)

struct FanoutResult {
    sent: u64,
    refused: u64,
    expected: u64,
    delivered: u64,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Per message: when its first receiver had it, and how long until its last did.
    first_p50_ms: f64,
    first_p99_ms: f64,
    spread_p50_ms: f64,
    spread_p99_ms: f64,
    cpu_s: f64,
    wall_s: f64,
    closes: usize,
}

impl FanoutResult {
    fn lost(&self) -> i64 {
        self.expected as i64 - self.delivered as i64
    }
    fn rate(&self) -> f64 {
        self.delivered as f64 / self.secs
    }
    fn cpu_us_per_delivery(&self) -> f64 {
        self.cpu_s * 1e6 / self.delivered.max(1) as f64
    }
    fn cpu_pct(&self) -> f64 {
        100.0 * self.cpu_s / self.wall_s
    }
    fn print(&self, name: &str) {
        println!(
            "  {name}: sent {} msgs (refused {}), delivered {}/{} in {:.2} s → {:.0} deliveries/s, lost {}",
            self.sent,
            self.refused,
            self.delivered,
            self.expected,
            self.secs,
            self.rate(),
            self.lost()
        );
        println!(
            "  {name}: latency p50 {:.1} ms, p99 {:.1} ms; server CPU {:.2} s over {:.2} s = {:.0} % of a core, {:.2} µs per delivery; sockets closed early: {}",
            self.p50_ms,
            self.p99_ms,
            self.cpu_s,
            self.wall_s,
            self.cpu_pct(),
            self.cpu_us_per_delivery(),
            self.closes
        );
        println!(
            "  {name}: per message, first receiver p50 {:.1} ms p99 {:.1} ms; last minus first receiver p50 {:.1} ms p99 {:.1} ms",
            self.first_p50_ms, self.first_p99_ms, self.spread_p50_ms, self.spread_p99_ms
        );
        let frames = FRAMES.swap(0, Ordering::Relaxed);
        let bytes = FRAME_BYTES.swap(0, Ordering::Relaxed);
        println!(
            "  {name}: mean delivered frame {:.0} bytes ({})",
            bytes as f64 / frames.max(1) as f64,
            if html_format() {
                "browser HTML fragment"
            } else {
                "JSON event"
            }
        );
    }
}

enum Pace {
    /// Pipelined: at most `window` unechoed messages per sender.
    Window(usize),
    /// Each sender at this many messages per second, timed by `arrivals`.
    PerSecond { rate: f64, arrivals: Arrivals },
}

/// How the senders of a paced scenario spread their messages over time.
#[derive(Clone, Copy, Debug)]
enum Arrivals {
    /// Each sender waits an exponentially distributed time between messages, so the room
    /// sees a Poisson stream at the offered rate: people typing independently.
    Random,
    /// Sender i of n starts i/n of a period late: one message every 1/(n·rate) s exactly,
    /// the hardest shape to coalesce.
    Even,
    /// Every sender ticks at the same instants: n messages at once, n·rate times less
    /// often, the easiest shape to coalesce.
    Bursts,
}

impl std::str::FromStr for Arrivals {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "random" => Ok(Self::Random),
            "even" => Ok(Self::Even),
            "bursts" => Ok(Self::Bursts),
            other => Err(format!("{other}: expected random, even or bursts")),
        }
    }
}

/// When a paced sender sends next.
struct Schedule {
    next: tokio::time::Instant,
    period: Duration,
    random: Option<rand::rngs::StdRng>,
}

impl Schedule {
    fn new(arrivals: Arrivals, rate: f64, sender: usize, senders: usize) -> Self {
        let period = Duration::from_secs_f64(1.0 / rate);
        let now = tokio::time::Instant::now();
        let mut schedule = Self {
            next: now,
            period,
            random: None,
        };
        match arrivals {
            Arrivals::Bursts => {}
            Arrivals::Even => schedule.next = now + period.mul_f64(sender as f64 / senders as f64),
            Arrivals::Random => {
                schedule.random = Some(rand::SeedableRng::seed_from_u64(sender as u64));
                let gap = schedule.gap();
                schedule.next = now + gap;
            }
        }
        schedule
    }

    fn gap(&mut self) -> Duration {
        match &mut self.random {
            Some(random) => {
                let u: f64 = rand::Rng::gen_range(random, f64::EPSILON..1.0);
                self.period.mul_f64(-u.ln())
            }
            None => self.period,
        }
    }

    /// Waits for the next send time; a sender that fell behind catches up at once.
    async fn tick(&mut self) {
        tokio::time::sleep_until(self.next).await;
        let gap = self.gap();
        self.next += gap;
    }
}

/// rooms[i] = (room name, sockets in it); the first `senders` sockets of each room send.
async fn run_fanout(
    tag: char,
    rooms: Vec<(String, Vec<Ws>)>,
    senders: usize,
    pace: Pace,
    secs: u64,
    server: &Server,
    hz: f64,
) -> FanoutResult {
    let total = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    let mut room_sizes = Vec::new();
    let mut sender_id = 0u64;
    let mut senders_at = HashSet::new();
    for (_room, sockets) in rooms {
        let size = sockets.len() as u64;
        let mut sinks = Vec::new();
        for (i, ws) in sockets.into_iter().enumerate() {
            let (tx, rx) = ws.split();
            let own = if i < senders {
                senders_at.insert(readers.len());
                let window = match pace {
                    Pace::Window(w) => w,
                    Pace::PerSecond { .. } => 1_000_000,
                };
                let sem = Arc::new(Semaphore::new(window));
                sinks.push((sender_id, tx, Arc::clone(&sem)));
                sender_id += 1;
                Some((sender_id - 1, sem))
            } else {
                drop(tx);
                None
            };
            readers.push(tokio::spawn(receive(
                rx,
                tag,
                own,
                Arc::clone(&total),
                stop_rx.clone(),
            )));
        }
        room_sizes.push((size, sinks.len()));
        writers.extend(sinks);
    }
    // Let presence frames from the joins settle.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let cpu = CpuMeter::start(server.pid, hz);
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    let senders = writers.len().max(1);
    for (i, (id, tx, sem)) in writers.into_iter().enumerate() {
        let schedule = match pace {
            Pace::Window(_) => None,
            Pace::PerSecond { rate, arrivals } => Some(Schedule::new(arrivals, rate, i, senders)),
        };
        tasks.push(tokio::spawn(send_loop(
            tag, id, tx, sem, schedule, deadline,
        )));
    }
    let mut sent_by_sender = Vec::new();
    for t in tasks {
        sent_by_sender.push(t.await.expect("sender"));
    }
    // Expected: each sent message reaches every socket of its room.
    let mut expected = 0;
    let mut sent = 0;
    let mut next = 0;
    for (size, n) in &room_sizes {
        for s in &sent_by_sender[next..next + n] {
            sent += s.0;
            expected += s.0 * size;
        }
        next += n;
    }
    // Drain: until everything arrived, or nothing moved for 2 s (30 s at most).
    let drain_deadline = Instant::now() + Duration::from_secs(30);
    let mut last = total.load(Ordering::Relaxed);
    let mut last_move = Instant::now();
    let mut last_delivery_at = started.elapsed();
    while Instant::now() < drain_deadline {
        let now = total.load(Ordering::Relaxed);
        if now != last {
            last = now;
            last_move = Instant::now();
            last_delivery_at = started.elapsed();
        }
        if now >= expected || last_move.elapsed() > Duration::from_secs(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if last >= expected {
        last_delivery_at = started.elapsed();
    }
    let (cpu_s, _) = cpu.stop();
    let wall_s = last_delivery_at.as_secs_f64();
    let _ = stop_tx.send(true);
    let mut latencies = Vec::new();
    let mut per_message: HashMap<(u64, u64), (u32, u32)> = HashMap::new();
    let mut delivered = 0;
    let mut refused = 0;
    let mut closes = 0;
    let mut streams = Vec::new();
    for (i, r) in readers.into_iter().enumerate() {
        let (seen, rx) = r.await.expect("reader");
        delivered += seen.delivered;
        refused += seen.refused;
        closes += seen.closes.len();
        for why in &seen.closes {
            let role = if senders_at.contains(&i) {
                "a sender"
            } else {
                "a receiver"
            };
            println!(
                "  socket {i} ({role}) closed early after {} deliveries: {why}",
                seen.delivered
            );
        }
        for (message, latency) in seen.messages.iter().zip(&seen.latencies_us) {
            let (first, last) = per_message.entry(*message).or_insert((*latency, *latency));
            *first = (*first).min(*latency);
            *last = (*last).max(*latency);
        }
        latencies.extend(seen.latencies_us);
        streams.push(rx);
    }
    drop(streams);
    latencies.sort_unstable();
    let mut firsts: Vec<u32> = per_message.values().map(|(first, _)| *first).collect();
    let mut spreads: Vec<u32> = per_message.values().map(|(f, l)| l - f).collect();
    firsts.sort_unstable();
    spreads.sort_unstable();
    FanoutResult {
        sent,
        refused,
        expected: expected.saturating_sub(refused),
        delivered,
        secs: wall_s,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        first_p50_ms: percentile(&firsts, 0.50),
        first_p99_ms: percentile(&firsts, 0.99),
        spread_p50_ms: percentile(&spreads, 0.50),
        spread_p99_ms: percentile(&spreads, 0.99),
        cpu_s,
        wall_s,
        closes,
    }
}

/// Returns (messages sent,).
async fn send_loop(
    tag: char,
    id: u64,
    mut tx: SplitSink<Ws, Message>,
    window: Arc<Semaphore>,
    mut schedule: Option<Schedule>,
    deadline: tokio::time::Instant,
) -> (u64,) {
    let mut seq = 0u64;
    loop {
        if let Some(schedule) = &mut schedule {
            tokio::select! {
                () = schedule.tick() => {}
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        let permit = match window.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                if tx.flush().await.is_err() {
                    break;
                }
                tokio::select! {
                    p = window.acquire() => p.expect("semaphore open"),
                    _ = tokio::time::sleep_until(deadline) => break,
                }
            }
        };
        permit.forget();
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        let body = format!(r#"{{"body":"{MARK}{tag}|{id}|{seq}|{}"}}"#, now_us());
        let fed = if schedule.is_some() {
            tx.send(Message::text(body)).await
        } else {
            tx.feed(Message::text(body)).await
        };
        if fed.is_err() {
            break;
        }
        seq += 1;
    }
    let _ = tx.flush().await;
    (seq,)
}

// ---------------------------------------------------------------------------------------
// Persisted messages (d)

struct PersistResult {
    acked: u64,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
    in_db: u64,
    cpu_s: f64,
}

async fn run_persist(sockets: Vec<Ws>, secs: u64, server: &Server, hz: f64) -> PersistResult {
    let cpu = CpuMeter::start(server.pid, hz);
    let started = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(id, ws)| tokio::spawn(persist_sender(id as u64, ws, deadline)))
        .collect();
    let mut ids = Vec::new();
    let mut latencies = Vec::new();
    for t in tasks {
        let (mut i, mut l) = t.await.expect("persist sender");
        ids.append(&mut i);
        latencies.append(&mut l);
    }
    let secs = started.elapsed().as_secs_f64();
    let (cpu_s, _) = cpu.stop();
    latencies.sort_unstable();
    // Every acknowledged id must be a row: read the file directly, read-only.
    let in_db = count_present(server, &ids).await;
    PersistResult {
        acked: ids.len() as u64,
        secs,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        in_db,
        cpu_s,
    }
}

async fn persist_sender(id: u64, ws: Ws, deadline: Instant) -> (Vec<i64>, Vec<u32>) {
    let (mut tx, mut rx) = ws.split();
    let mut ids = Vec::new();
    let mut latencies = Vec::new();
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let sent = now_us();
        let body = format!(r#"{{"body":"{MARK}d|{id}|{seq}|{sent}"}}"#);
        if tx.send(Message::text(body)).await.is_err() {
            break;
        }
        // Wait for this message's echo: the server publishes only after the commit.
        let acked = loop {
            let frame = match tokio::time::timeout(Duration::from_secs(10), rx.next()).await {
                Ok(Some(Ok(frame))) => frame,
                other => {
                    eprintln!("  persist sender {id}: socket ended: {other:?}");
                    break None;
                }
            };
            let Message::Text(text) = frame else { continue };
            let text = text.as_str();
            match parse_mark(text) {
                Some(('d', s, q, _)) if s == id && q == seq => {
                    let v: serde_json::Value = serde_json::from_str(text).expect("json event");
                    break v["message"]["id"].as_i64();
                }
                _ if text.contains(r#""type":"error""#) => {
                    eprintln!("  persist sender {id}: refused: {text}");
                    break None;
                }
                _ => {}
            }
        };
        let Some(message_id) = acked else { break };
        ids.push(message_id);
        latencies.push((now_us() - sent).min(u32::MAX as u64) as u32);
        seq += 1;
    }
    (ids, latencies)
}

async fn count_present(server: &Server, ids: &[i64]) -> u64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let Some(&min) = ids.iter().min() else {
        return 0;
    };
    let url = format!(
        "sqlite://{}?mode=ro",
        server.data_dir.path().join("hearth.sqlite3").display()
    );
    let db = Database::connect(url).await.expect("open db read-only");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM messages WHERE id >= {min}"),
        ))
        .await
        .expect("select ids");
    let present: HashSet<i64> = rows
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    ids.iter().filter(|id| present.contains(id)).count() as u64
}

// ---------------------------------------------------------------------------------------
// Main

fn main() {
    let config = Config::from_env();
    EPOCH.get_or_init(Instant::now);
    let hz = clock_ticks();
    let fd_limit: usize = shell("ulimit -n")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);

    println!(
        "fanout benchmark{}",
        if config.quick {
            " (FANOUT_QUICK: tiny sizes)"
        } else {
            ""
        }
    );
    let placement = place_load_generator();
    println!("  clock ticks/s {hz} (getconf CLK_TCK, 100 if unknown); fd limit {fd_limit}");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(placement.client_threads.max(1))
        .enable_all()
        .build()
        .expect("runtime");
    let server = start_server(placement.pin);
    println!("  server {} (pid {})", server.base, server.pid);
    runtime.block_on(run(config, &server, hz, fd_limit));
    drop(server);
}

#[derive(Default)]
struct Report {
    a: Option<FanoutResult>,
    b: Option<FanoutResult>,
    b_arrivals: Option<Arrivals>,
    idle: Option<(usize, u64, u64)>,
    d: Option<PersistResult>,
}

async fn run(config: Config, server: &Server, hz: f64, fd_limit: usize) {
    let setup = Instant::now();
    let accounts: Vec<Account> = stream::iter(0..config.accounts.max(1))
        .map(|i| Account::signup(&server.base, format!("bench{i}")))
        .buffered(4)
        .collect()
        .await;
    println!(
        "  {} accounts signed up in {:.1} s",
        accounts.len(),
        setup.elapsed().as_secs_f64()
    );
    let mut report = Report::default();
    let run_ = |c: char| config.scenarios.contains(c);

    // c first: RSS per connection is cleanest on a fresh process.
    if run_('c') {
        let wanted = config.idle;
        let cap = fd_limit.saturating_sub(500);
        let n = wanted.min(cap);
        if n < wanted {
            println!("  c: fd limit {fd_limit}: holding {n} connections, not {wanted}");
        }
        println!("\n[c] idle: {n} authenticated connections to {PUBLIC_ROOM}");
        let before = rss_kib(server.pid);
        let t = Instant::now();
        let pairs = (0..n)
            .map(|i| (accounts[i % accounts.len()].clone(), PUBLIC_ROOM.to_owned()))
            .collect();
        let sockets = open_all(pairs, 128).await;
        let opened = t.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kib(server.pid);
        let per = (after.saturating_sub(before)) as f64 / n.max(1) as f64;
        println!(
            "  c: opened {n} in {opened:.1} s ({:.0}/s); server RSS {before} KiB → {after} KiB: {per:.1} KiB per connection",
            n as f64 / opened
        );
        report.idle = Some((n, before, after));
        drop(sockets);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    if run_('a') {
        println!(
            "\n[a] {} rooms × {} clients, {} senders per room, window {}, {} s",
            config.a_rooms, config.a_clients, config.a_senders, config.a_window, config.a_secs
        );
        let mut rooms = Vec::new();
        let mut pairs = Vec::new();
        for r in 0..config.a_rooms {
            let people = people(&accounts, r * config.a_clients, config.a_clients);
            let room = make_group(&people, &format!("fan {r}")).await;
            pairs.extend(people.into_iter().map(|person| (person, room.clone())));
            rooms.push(room);
        }
        let mut sockets = open_all(pairs, 64).await.into_iter();
        let grouped = rooms
            .iter()
            .map(|r| (r.clone(), sockets.by_ref().take(config.a_clients).collect()))
            .collect();
        let r = run_fanout(
            'a',
            grouped,
            config.a_senders,
            Pace::Window(config.a_window),
            config.a_secs,
            server,
            hz,
        )
        .await;
        r.print("a");
        report.a = Some(r);
    }

    if run_('b') {
        let per_sender = config.b_rate as f64 / config.b_senders.max(1) as f64;
        println!(
            "\n[b] 1 room × {} clients, {} msg/s offered ({} senders × {per_sender:.1}/s, {:?} arrivals), {} s",
            config.b_clients, config.b_rate, config.b_senders, config.b_arrivals, config.b_secs
        );
        let people = people(&accounts, 0, config.b_clients);
        let room = make_group(&people, "big").await;
        let pairs = people
            .into_iter()
            .map(|person| (person, room.clone()))
            .collect();
        let sockets = open_all(pairs, 64).await;
        let r = run_fanout(
            'b',
            vec![(room, sockets)],
            config.b_senders,
            Pace::PerSecond {
                rate: per_sender,
                arrivals: config.b_arrivals,
            },
            config.b_secs,
            server,
            hz,
        )
        .await;
        r.print("b");
        report.b = Some(r);
        report.b_arrivals = Some(config.b_arrivals);
    }

    // (d) reads the stored id from the JSON echo, so it runs only with JSON sockets.
    if run_('d') && !html_format() {
        println!(
            "\n[d] persisted: {} senders, each in its own group, send → wait for own echo, {} s",
            config.d_senders, config.d_secs
        );
        let mut rooms = Vec::new();
        let mut pairs = Vec::new();
        for i in 0..config.d_senders {
            let account = &accounts[i % accounts.len()];
            let room = account.new_group(&format!("Persist {i}")).await;
            rooms.push(room.clone());
            pairs.push((account.clone(), room));
        }
        let sockets = open_all(pairs, 64).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let r = run_persist(sockets, config.d_secs, server, hz).await;
        println!(
            "  d: {} acknowledged in {:.2} s → {:.0} msg/s; ack latency p50 {:.2} ms p99 {:.2} ms; {} of {} acknowledged ids found in the database; server CPU {:.0} % of a core, {:.1} µs per message",
            r.acked,
            r.secs,
            r.acked as f64 / r.secs,
            r.p50_ms,
            r.p99_ms,
            r.in_db,
            r.acked,
            100.0 * r.cpu_s / r.secs,
            r.cpu_s * 1e6 / r.acked.max(1) as f64
        );
        report.d = Some(r);
    }

    print_table(&report, &config);
}

/// `count` accounts from `start` on, wrapping around when there are fewer.
fn people(accounts: &[Account], start: usize, count: usize) -> Vec<Account> {
    (start..start + count)
        .map(|i| accounts[i % accounts.len()].clone())
        .collect()
}

/// Creates a group titled `title`, owned by the first of `members`, with the rest in it.
async fn make_group(members: &[Account], title: &str) -> String {
    let owner = &members[0];
    let room = owner.new_group(title).await;
    let mut others: Vec<&Account> = members[1..].iter().collect();
    others.sort_by(|a, b| a.username.cmp(&b.username));
    others.dedup_by(|a, b| a.username == b.username);
    others.retain(|m| m.username != owner.username);
    stream::iter(others)
        .map(|member| owner.add_member(&room, &member.username))
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    room
}

/// The table names what actually ran (sizes, protocol, window), never the full-size
/// scenario when a smaller one ran: only a full-size run compares with the targets.
fn print_table(report: &Report, config: &Config) {
    let protocol = if html_format() { "HTML" } else { "JSON" };
    println!(
        "\n{:<58} {:>16}  target{}",
        "figure",
        "measured",
        if config.quick {
            " (FANOUT_QUICK: tiny sizes, not comparable with the targets)"
        } else {
            ""
        }
    );
    let row = |name: &str, value: String, target: &str| {
        println!("{name:<58} {value:>16}  {target}");
    };
    if let Some(a) = &report.a {
        row(
            &format!(
                "a {}×{} full speed, {protocol}, {} in flight/sender: deliveries/s",
                config.a_rooms, config.a_clients, config.a_window
            ),
            format!("{:.0}", a.rate()),
            "(Node ws 150,000 at 10×50)",
        );
        row("a: lost deliveries", a.lost().to_string(), "0");
        row(
            "a: p50 / p99 latency ms",
            format!("{:.1} / {:.1}", a.p50_ms, a.p99_ms),
            "(Node ws p99 190)",
        );
        row(
            "a: server CPU µs per delivery",
            format!("{:.2}", a.cpu_us_per_delivery()),
            "≤ 2",
        );
        row(
            "a: server CPU % of one core",
            format!("{:.0}", a.cpu_pct()),
            "-",
        );
    }
    if let Some(b) = &report.b {
        let arrivals = report
            .b_arrivals
            .map_or(String::new(), |a| format!(" ({a:?})"));
        row(
            &format!(
                "b 1×{} @ {}/s{arrivals}, {protocol}: deliveries/s",
                config.b_clients, config.b_rate
            ),
            format!("{:.0}", b.rate()),
            "100,000 offered",
        );
        row("b: lost deliveries", b.lost().to_string(), "0");
        row(
            "b: p50 / p99 latency ms",
            format!("{:.1} / {:.1}", b.p50_ms, b.p99_ms),
            "p99 ≤ 20",
        );
        row(
            "b: server CPU % of one core",
            format!("{:.0}", b.cpu_pct()),
            "≤ 30",
        );
        row(
            "b: server CPU µs per delivery",
            format!("{:.2}", b.cpu_us_per_delivery()),
            "-",
        );
    }
    if let Some((n, before, after)) = report.idle {
        let per = after.saturating_sub(before) as f64 / n.max(1) as f64;
        row(
            &format!("c idle: KiB RSS per connection ({n} held)"),
            format!("{per:.1}"),
            "≤ 8",
        );
    }
    if let Some(d) = &report.d {
        row(
            &format!(
                "d persisted, {} senders: acknowledged msg/s",
                config.d_senders
            ),
            format!("{:.0}", d.acked as f64 / d.secs),
            "≥ 10,000",
        );
        row(
            "d: acknowledged messages missing from the database",
            (d.acked - d.in_db).to_string(),
            "0",
        );
        row(
            "d: ack latency p50 / p99 ms",
            format!("{:.2} / {:.2}", d.p50_ms, d.p99_ms),
            "-",
        );
    }
}
