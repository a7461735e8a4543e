//! Settings: `config.toml` (every key documented there), overridden by `HEARTH_SECTION__KEY`
//! environment variables, plus the Django app's `SECRET_KEY`, `ENCRYPT_KEY` and `DEBUG`
//! (from the environment or `.env`). Loaded and validated once, then passed explicitly.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A configuration problem, naming the setting at fault in one line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(setting: impl Into<String>, problem: impl std::fmt::Display) -> Self {
        Self {
            setting: setting.into(),
            problem: problem.to_string(),
        }
    }
}

/// A value that must never be printed: `Debug` shows only whether it is set.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_empty() {
            "Secret(unset)"
        } else {
            "Secret(***)"
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub debug: bool,
    pub server: ServerSettings,
    pub data: DataSettings,
    pub secrets: SecretSettings,
    pub accounts: AccountSettings,
    pub limits: LimitSettings,
    pub chat: ChatSettings,
    pub log: LogSettings,
    pub api: ApiSettings,
    pub mail: MailSettings,
    pub notifications: NotificationSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Origins browsers may use, `scheme://host[:port]`; empty means the loopback ones.
    pub origins: Vec<String>,
    pub secure_cookies: bool,
    pub max_body: usize,
    pub session_days: u32,
    /// Server-side lifetime of a session logged in without "Remember me", in hours.
    pub session_hours_without_remember_me: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataSettings {
    pub dir: PathBuf,
    /// Empty: SQLite at `<dir>/hearth.sqlite3`.
    pub database_url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretSettings {
    pub secret_key: Secret,
    /// Fernet keys, newest first: the first encrypts, any decrypts.
    pub encrypt_keys: Vec<Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailVerification {
    None,
    Optional,
    Mandatory,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    pub email_verification: EmailVerification,
    /// Largest avatar upload accepted, in bytes.
    pub max_avatar_bytes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    pub login_per_minute: u32,
    pub signup_per_minute: u32,
    pub ws_messages_per_second: u32,
    pub ws_message_burst: u32,
    pub ws_max_frame: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatSettings {
    pub history: u64,
    /// Largest file accepted into a room, in bytes.
    pub max_upload_bytes: usize,
}

/// The REST API for programs: token lifetimes, page size, token endpoint limit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiSettings {
    pub access_minutes: u32,
    pub refresh_days: u32,
    pub page_size: u64,
    pub token_per_minute: u32,
    /// Authenticated API requests allowed per minute for one user.
    pub requests_per_minute: u32,
    /// Origins (`scheme://host[:port]`) allowed to call `/api` from a browser; empty:
    /// same-origin only.
    pub cors_origins: Vec<String>,
    /// Fernet key for `Content-Type: application/fernet` bodies; empty: the feature is off.
    pub link_key: Secret,
    /// How old an `application/fernet` request token may be, in seconds.
    pub link_ttl_seconds: u64,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on this machine or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS (required, not opportunistic).
    Starttls,
    /// TLS from the first byte ("SMTPS").
    Tls,
}

/// Outgoing mail: SMTP when `smtp_host` is set, otherwise `.eml` files in `<data.dir>/outbox/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_username: String,
    pub smtp_password: Secret,
    pub smtp_tls: SmtpTls,
    pub from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_username: String::new(),
            smtp_password: Secret::default(),
            smtp_tls: SmtpTls::Starttls,
            from: "Hearth <hearth@localhost>".into(),
        }
    }
}

/// What reaches people who are not looking: Web Push and mail about what they missed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationSettings {
    /// Where Web Push requests may go. A subscription names a URL this server will POST
    /// to, so an open list would let anyone aim the server at hosts behind its firewall.
    /// Each entry is a host (`fcm.googleapis.com`, reached over https), `*.` and a domain
    /// for its subdomains, or an exact origin (`http://127.0.0.1:9000`). Empty: no push.
    pub push_services: Vec<String>,
    /// How push services can reach whoever runs this server (VAPID's `sub`): a `mailto:`
    /// or `https:` URL. Empty: `mailto:` and the address of `mail.from`.
    pub push_contact: String,
    /// A mention or DM still unread this many minutes after it was sent is mailed about.
    pub email_after_minutes: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            push_services: [
                "fcm.googleapis.com",
                "updates.push.services.mozilla.com",
                "*.push.apple.com",
                "*.notify.windows.com",
            ]
            .map(String::from)
            .to_vec(),
            push_contact: String::new(),
            email_after_minutes: 15,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub level: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8000,
            origins: Vec::new(),
            secure_cookies: false,
            max_body: 1024 * 1024,
            session_days: 14,
            session_hours_without_remember_me: 24,
        }
    }
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("data"),
            database_url: String::new(),
        }
    }
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            email_verification: EmailVerification::Optional,
            max_avatar_bytes: 5 * 1024 * 1024,
        }
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_per_minute: 10,
            signup_per_minute: 10,
            ws_messages_per_second: 20,
            ws_message_burst: 40,
            ws_max_frame: 16 * 1024,
        }
    }
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            history: 30,
            max_upload_bytes: 10 * 1024 * 1024,
        }
    }
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            access_minutes: 5,
            refresh_days: 1,
            page_size: 50,
            token_per_minute: 10,
            requests_per_minute: 600,
            cors_origins: Vec::new(),
            link_key: Secret::default(),
            link_ttl_seconds: 60,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
        }
    }
}

impl Settings {
    /// Loads defaults ← config file ← `.env` and environment, then validates.
    /// `file` is the explicit `--config`; without it `config.toml` is read if present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        // `.env` fills in variables the environment does not already set.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError::new(".env", e)),
        }
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::new(
                    "--config",
                    format!("{} does not exist", path.display()),
                ));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("config.toml").is_file() => {
                figment = figment.merge(Toml::file_exact("config.toml"))
            }
            None => {}
        }
        figment = figment
            .merge(Env::prefixed("HEARTH_").ignore(&["config"]).split("__"))
            .merge(legacy_env()?);
        let settings: Settings = figment.extract().map_err(figment_error)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot: ranges and formats.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server.host.parse::<IpAddr>().map_err(|_| {
            ConfigError::new("server.host", "must be an IP address such as 127.0.0.1")
        })?;
        for origin in &self.server.origins {
            let valid = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.ends_with('/')
                && origin
                    .split("://")
                    .nth(1)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
            if !valid {
                return Err(ConfigError::new(
                    "server.origins",
                    format!("{origin:?} is not scheme://host[:port]"),
                ));
            }
        }
        if self.server.max_body < 1024 {
            return Err(ConfigError::new(
                "server.max_body",
                "must be at least 1024 bytes",
            ));
        }
        if self.server.session_days == 0 {
            return Err(ConfigError::new(
                "server.session_days",
                "must be at least 1",
            ));
        }
        if self.server.session_hours_without_remember_me == 0 {
            return Err(ConfigError::new(
                "server.session_hours_without_remember_me",
                "must be at least 1",
            ));
        }
        if self.limits.login_per_minute == 0 || self.limits.signup_per_minute == 0 {
            return Err(ConfigError::new(
                "limits",
                "per-minute limits must be at least 1",
            ));
        }
        if self.limits.ws_messages_per_second == 0 || self.limits.ws_message_burst == 0 {
            return Err(ConfigError::new(
                "limits.ws_messages_per_second",
                "must be at least 1",
            ));
        }
        if !(1024..=1024 * 1024).contains(&self.limits.ws_max_frame) {
            return Err(ConfigError::new(
                "limits.ws_max_frame",
                "must be between 1 KiB and 1 MiB",
            ));
        }
        if !(1..=500).contains(&self.chat.history) {
            return Err(ConfigError::new(
                "chat.history",
                "must be between 1 and 500",
            ));
        }
        if !(1..=24 * 60).contains(&self.api.access_minutes) {
            return Err(ConfigError::new(
                "api.access_minutes",
                "must be between 1 and 1440",
            ));
        }
        if !(1..=365).contains(&self.api.refresh_days) {
            return Err(ConfigError::new(
                "api.refresh_days",
                "must be between 1 and 365",
            ));
        }
        if !(1..=1000).contains(&self.api.page_size) {
            return Err(ConfigError::new(
                "api.page_size",
                "must be between 1 and 1000",
            ));
        }
        if self.api.token_per_minute == 0 {
            return Err(ConfigError::new(
                "api.token_per_minute",
                "must be at least 1",
            ));
        }
        if self.api.requests_per_minute == 0 {
            return Err(ConfigError::new(
                "api.requests_per_minute",
                "must be at least 1",
            ));
        }
        if !self.api.link_key.is_empty()
            && fernet::Fernet::new(self.api.link_key.expose()).is_none()
        {
            return Err(ConfigError::new(
                "api.link_key",
                "must be a Fernet key: 32 bytes in URL-safe base64",
            ));
        }
        if self.api.link_ttl_seconds == 0 {
            return Err(ConfigError::new(
                "api.link_ttl_seconds",
                "must be at least 1",
            ));
        }
        if let Some(bad) = self.api.cors_origins.iter().find(|o| !is_origin(o)) {
            return Err(ConfigError::new(
                "api.cors_origins",
                format!("{bad:?} is not an origin like \"https://app.example.org\""),
            ));
        }
        for service in &self.notifications.push_services {
            if !is_push_service(service) {
                return Err(ConfigError::new(
                    "notifications.push_services",
                    format!("{service:?} is not a host, *.domain or scheme://host[:port]"),
                ));
            }
        }
        let contact = &self.notifications.push_contact;
        let contact_ok =
            contact.is_empty() || contact.starts_with("mailto:") || contact.starts_with("https://");
        if !contact_ok {
            return Err(ConfigError::new(
                "notifications.push_contact",
                "must be a mailto: or https:// URL",
            ));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(
                "mail.from",
                "must be an address such as \"Hearth <hearth@example.org>\"",
            ));
        }
        if !self.mail.smtp_host.trim().is_empty() && self.mail.smtp_port == 0 {
            return Err(ConfigError::new("mail.smtp_port", "must not be 0"));
        }
        if self.data.dir.as_os_str().is_empty() {
            return Err(ConfigError::new("data.dir", "must not be empty"));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| ConfigError::new("log.level", e))?;
        Ok(())
    }

    pub fn database_url(&self) -> String {
        if self.data.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data.dir.join("hearth.sqlite3").display()
            )
        } else {
            self.data.database_url.clone()
        }
    }
}

/// The Django app's variable names, so an existing deployment's environment carries over.
fn legacy_env() -> Result<Serialized<serde_json::Value>, ConfigError> {
    let mut overrides = serde_json::Map::new();
    let mut secrets = serde_json::Map::new();
    if let Ok(key) = std::env::var("SECRET_KEY") {
        secrets.insert("secret_key".into(), key.into());
    }
    if let Ok(key) = std::env::var("ENCRYPT_KEY") {
        let keys: Vec<serde_json::Value> =
            key.split(',').map(|k| k.trim().to_owned().into()).collect();
        secrets.insert("encrypt_keys".into(), keys.into());
    }
    if !secrets.is_empty() {
        overrides.insert("secrets".into(), secrets.into());
    }
    if let Ok(raw) = std::env::var("DEBUG") {
        let debug = match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "" | "0" | "false" | "no" | "off" => false,
            _ => {
                return Err(ConfigError::new(
                    "DEBUG",
                    format!("{raw:?} is not true or false"),
                ));
            }
        };
        overrides.insert("debug".into(), debug.into());
    }
    Ok(Serialized::defaults(serde_json::Value::Object(overrides)))
}

fn figment_error(error: figment::Error) -> ConfigError {
    let setting = if error.path.is_empty() {
        "config".to_owned()
    } else {
        error.path.join(".")
    };
    ConfigError::new(setting, error.kind)
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after: what a browser sends
/// as `Origin`.
/// A push service entry: a host name, `*.` and a domain, or an http(s) origin.
fn is_push_service(value: &str) -> bool {
    if value.contains("://") {
        return is_origin(value);
    }
    let host = value.strip_prefix("*.").unwrap_or(value);
    host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_origin(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && !host.starts_with(':')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    })
}
