//! A push service on loopback, standing in for FCM or Mozilla's: it records each request
//! and answers as told per path (201 by default, or a status, or never). And a browser's
//! side of a subscription: the key pair and secret that open what arrives (RFC 8291).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::{Value as Json, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use web_push_native::p256;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;

/// What the service was sent.
#[derive(Debug)]
pub struct Delivered {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Read the request, then never answer.
    Hang,
}

pub struct PushService {
    pub origin: String,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    delivered: mpsc::UnboundedReceiver<Delivered>,
}

impl PushService {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let answers: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let (sent, delivered) = mpsc::unbounded_channel();
        let table = Arc::clone(&answers);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let table = Arc::clone(&table);
                let sent = sent.clone();
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    loop {
                        let mut line = String::new();
                        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                        let mut headers = HashMap::new();
                        loop {
                            let mut header = String::new();
                            stream.read_line(&mut header).await.expect("header");
                            let header = header.trim_end();
                            if header.is_empty() {
                                break;
                            }
                            if let Some((name, value)) = header.split_once(':') {
                                headers.insert(
                                    name.trim().to_ascii_lowercase(),
                                    value.trim().to_owned(),
                                );
                            }
                        }
                        let length: usize = headers
                            .get("content-length")
                            .and_then(|l| l.parse().ok())
                            .unwrap_or(0);
                        let mut body = vec![0; length];
                        stream.read_exact(&mut body).await.expect("body");
                        let answer = table
                            .lock()
                            .expect("answers")
                            .get(&path)
                            .copied()
                            .unwrap_or(Answer::Status(201));
                        let _ = sent.send(Delivered {
                            path,
                            headers,
                            body,
                        });
                        match answer {
                            Answer::Hang => {
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                                return;
                            }
                            Answer::Status(status) => {
                                let reply =
                                    format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
                                if stream.get_mut().write_all(reply.as_bytes()).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        Self {
            origin,
            answers,
            delivered,
        }
    }

    /// Answers requests to `path` with `answer` from now on.
    pub fn answer(&self, path: &str, answer: Answer) {
        self.answers
            .lock()
            .expect("answers")
            .insert(path.to_owned(), answer);
    }

    /// The next request, waiting up to ten seconds.
    pub async fn next(&mut self) -> Delivered {
        tokio::time::timeout(Duration::from_secs(10), self.delivered.recv())
            .await
            .expect("a push arrives within 10 s")
            .expect("push service running")
    }

    /// Whether a request arrives within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.delivered.recv())
            .await
            .is_err()
    }
}

/// A browser's subscription: its private key and secret, and what it hands the server.
pub struct Device {
    secret: p256::SecretKey,
    auth: [u8; 16],
    pub endpoint: String,
}

impl Device {
    pub fn new(endpoint: String) -> Self {
        let mut auth = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut auth);
        Self {
            secret: p256::SecretKey::random(&mut rand::rngs::OsRng),
            auth,
            endpoint,
        }
    }

    /// `PushSubscription.toJSON()` as a browser gives it.
    pub fn json(&self) -> Json {
        let point = self.secret.public_key().to_encoded_point(false);
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(point.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            }
        })
    }

    /// Opens what the push service received, as only this browser can.
    pub fn open(&self, delivered: &Delivered) -> Json {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(delivered.body.clone(), &self.secret, &auth)
            .expect("the payload opens with the subscription's keys");
        serde_json::from_slice(&plain).expect("a JSON payload")
    }
}
