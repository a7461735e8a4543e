//! The browser origins Hearth answers to: the configured list, or the loopback ones for
//! the bound port. Used by the WebSocket handshake and the CSRF guard.

use actix_web::HttpRequest;
use actix_web::http::header;

#[derive(Debug, Clone)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// `configured` when given, else http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT.
    pub fn new(configured: &[String], port: u16) -> Self {
        if configured.is_empty() {
            Self(vec![
                format!("http://127.0.0.1:{port}"),
                format!("http://localhost:{port}"),
                format!("http://[::1]:{port}"),
            ])
        } else {
            Self(configured.to_vec())
        }
    }

    /// Exact match on scheme, host and port.
    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }

    /// The address to print and link to.
    pub fn primary(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or("")
    }

    /// The request's `Origin` header, if it sent one.
    pub fn origin_of(request: &HttpRequest) -> Option<&str> {
        request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
    }
}
