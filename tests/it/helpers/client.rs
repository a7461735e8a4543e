//! A browser-like HTTP client with its own cookie jar, and the WebSockets it opens.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::Socket;

pub struct Client {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token the page at `path` embeds in its forms.
    pub async fn csrf_token(&self, path: &str) -> String {
        let page = self.get_text(path).await;
        let re = regex::Regex::new(r#"name="csrf_token" value="([^"]+)""#).expect("regex");
        re.captures(&page)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// Posts a urlencoded form with the right CSRF token taken from `form_page`.
    pub async fn post_form(
        &self,
        path: &str,
        form_page: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(form_page).await;
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.http
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a urlencoded form with no CSRF token, as a forged cross-site form would.
    pub async fn post_form_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn signup(&self, username: &str, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/accounts/signup/",
            "/accounts/signup/",
            &[
                ("username", username),
                ("email", email),
                ("password1", password),
                ("password2", password),
            ],
        )
        .await
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/accounts/login/",
            "/accounts/login/",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// Logs in through the form with `next`, as the log-in page does after a redirect.
    pub async fn login_then(&self, login: &str, password: &str, next: &str) -> reqwest::Response {
        self.post_form(
            "/accounts/login/",
            "/accounts/login/",
            &[("login", login), ("password", password), ("next", next)],
        )
        .await
    }

    pub async fn logout(&self) -> reqwest::Response {
        self.post_form("/accounts/logout/", "/", &[]).await
    }

    /// The `Cookie` header this client would send.
    pub fn cookie_header(&self) -> Option<HeaderValue> {
        let url = self.base.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
    }

    /// Opens `/ws/chatroom/{room}` as this client's browser would (cookie + same Origin).
    pub async fn websocket(
        &self,
        room: &str,
        query: &str,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let origin = self.base.clone();
        self.websocket_from(room, query, Some(&origin)).await
    }

    /// A socket in `room` speaking JSON events, as API clients use it.
    pub async fn json_socket(&self, room: &str) -> Socket {
        self.websocket(room, "?format=json")
            .await
            .unwrap_or_else(|e| panic!("a JSON socket in {room} connects: {e}"))
    }

    pub async fn websocket_from(
        &self,
        room: &str,
        query: &str,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!(
            "{}/ws/chatroom/{room}{query}",
            self.base.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request()?;
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert("Cookie", cookie);
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Socket { stream })
    }
}
