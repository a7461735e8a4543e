//! Outgoing mail. One [`Mailer`] with two real backends: SMTP through lettre (rustls) when
//! `[mail] smtp_host` is set, otherwise an outbox directory where every mail is written as
//! an `.eml` file and noted in the log — Django's console backend, so a server without a
//! mail relay still works and its operator can read the links.

use std::path::{Path, PathBuf};

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::RngCore;

use crate::config::{ConfigError, MailSettings, SmtpTls};

/// Why a mail could not be sent; logged, never shown to the person.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid recipient {0:?}")]
    Recipient(String),
    #[error("building the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("smtp: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// Plain 7-bit when the text allows — ASCII, lines within RFC 5322's 998 — so links stay
/// whole and clickable in any reader and greppable in the outbox (lettre's own chooser
/// wants lines under 76 and would quoted-printable a long link); otherwise lettre's choice.
fn readable_body(text: String) -> Body {
    let seven_bit =
        text.is_ascii() && !text.contains('\0') && text.lines().all(|line| line.len() <= 998);
    if seven_bit {
        let crlf = text
            .lines()
            .map(|line| line.trim_end_matches('\r'))
            .collect::<Vec<_>>()
            .join("\r\n");
        Body::dangerous_pre_encoded(
            (crlf + "\r\n").into_bytes(),
            ContentTransferEncoding::SevenBit,
        )
    } else {
        Body::new(text)
    }
}

enum Backend {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

/// Sends plain-text mail from the configured sender.
pub struct Mailer {
    from: Mailbox,
    backend: Backend,
}

impl Mailer {
    /// SMTP when `settings.smtp_host` is set, else the outbox under `data_dir`.
    pub fn new(settings: &MailSettings, data_dir: &Path) -> Result<Self, ConfigError> {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| ConfigError::new("mail.from", e))?;
        let host = settings.smtp_host.trim();
        let backend = if host.is_empty() {
            Backend::Outbox(data_dir.join("outbox"))
        } else {
            let builder = match settings.smtp_tls {
                SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                    .map_err(|e| ConfigError::new("mail.smtp_host", e))?,
                SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                    .map_err(|e| ConfigError::new("mail.smtp_host", e))?,
            };
            let mut builder = builder.port(settings.smtp_port);
            if !settings.smtp_username.is_empty() {
                builder = builder.credentials(Credentials::new(
                    settings.smtp_username.clone(),
                    settings.smtp_password.expose().to_owned(),
                ));
            }
            Backend::Smtp(builder.build())
        };
        Ok(Self { from, backend })
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Smtp(_) => "smtp".into(),
            Backend::Outbox(dir) => format!("outbox {}", dir.display()),
        }
    }

    /// Sends one plain-text mail to `to`, returning once SMTP accepted it or the file is
    /// written.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let recipient = to
            .parse::<Mailbox>()
            .map_err(|_| MailError::Recipient(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(readable_body(body))?;
        match &self.backend {
            Backend::Smtp(transport) => {
                transport.send(message).await?;
                tracing::info!(subject, "mail sent over smtp");
            }
            Backend::Outbox(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let mut suffix = [0u8; 6];
                rand::rngs::OsRng.fill_bytes(&mut suffix);
                let name = format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
                    hex::encode(suffix)
                );
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted()).await?;
                tracing::info!(subject, path = %path.display(), "mail written to the outbox (no smtp_host configured)");
            }
        }
        Ok(())
    }
}
