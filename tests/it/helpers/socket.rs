//! A real WebSocket client where every receive sits inside a timeout.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Socket {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How long a test waits for a frame that should come.
pub const FRAME_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Socket {
    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_json(&mut self, value: serde_json::Value) {
        self.send_text(&value.to_string()).await;
    }

    /// Sends `frame` as it is: binary, ping, or text the helpers above would not send.
    pub async fn send_frame(&mut self, frame: Message) {
        self.stream.send(frame).await.expect("send");
    }

    /// Waits until the server runs this socket's loop, which starts after it joined the
    /// room: a ping is answered only from there. Frames before the pong are skipped.
    pub async fn joined(&mut self) {
        self.send_frame(Message::Ping(b"joined?".to_vec().into()))
            .await;
        while !matches!(self.next().await, Message::Pong(_)) {}
    }

    /// The next frame, within [`FRAME_WAIT`]; panics when none comes.
    pub async fn next(&mut self) -> Message {
        match tokio::time::timeout(FRAME_WAIT, self.stream.next()).await {
            Ok(Some(Ok(message))) => message,
            Ok(other) => panic!("socket ended: {other:?}"),
            Err(_) => panic!("no frame within {FRAME_WAIT:?}"),
        }
    }

    /// The next text frame, skipping pings.
    pub async fn next_text(&mut self) -> String {
        loop {
            match self.next().await {
                Message::Text(text) => return text.to_string(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected text, got {other:?}"),
            }
        }
    }

    /// The next JSON event whose `type` is `kind`, skipping others (presence, say).
    pub async fn next_event(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let value: serde_json::Value =
                serde_json::from_str(&self.next_text().await).expect("json event");
            if value["type"] == kind {
                return value;
            }
        }
    }

    /// Reads frames until the server closes the socket; its close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        loop {
            match tokio::time::timeout(FRAME_WAIT, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return frame.map(|f| match f.code {
                        CloseCode::Library(code) => code,
                        other => u16::from(other),
                    });
                }
                Ok(Some(Ok(_))) => continue,
                Ok(other) => panic!("socket ended without a close frame: {other:?}"),
                Err(_) => panic!("socket still open after {FRAME_WAIT:?}"),
            }
        }
    }

    /// The next text frame containing `needle`, skipping others.
    pub async fn next_containing(&mut self, needle: &str) -> String {
        loop {
            let text = self.next_text().await;
            if text.contains(needle) {
                return text;
            }
        }
    }
}
