//! Links mailed to an account: password reset and email confirmation. Each is a fresh
//! single-use token, of which storage keeps only a hash; a link that cannot be stored or
//! mailed is logged, and the person sees the same page either way.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use minijinja::context;
use rand::RngCore;

use crate::domain::User;
use crate::frontend::auth::session_store::hash_key;
use crate::frontend::present::templates::Templates;
use crate::mail::Mailer;
use crate::storage::{Storage, TokenPurpose};

/// How long a reset link works.
const RESET_VALID_FOR: chrono::Duration = chrono::Duration::hours(1);

/// A fresh random token (32 bytes, url-safe base64) and the hash storage keeps of it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_key(&token);
    (token, hash)
}

/// What mailing a link needs: where to keep the token, how to write and send the mail, and
/// the site's address for the link.
pub struct AccountMail {
    pub storage: Arc<dyn Storage>,
    pub mailer: Arc<Mailer>,
    pub templates: Arc<Templates>,
    /// `scheme://host[:port]` links start with.
    pub origin: String,
}

impl AccountMail {
    /// Records a new token of `purpose` for `user` and mails `user` its link, made from
    /// `path_prefix` + token. Failures are logged.
    pub async fn send_link(
        &self,
        user: &User,
        purpose: TokenPurpose,
        valid_for: chrono::Duration,
        path_prefix: &str,
        template: &str,
        subject: &str,
    ) {
        let (token, hash) = new_token();
        if let Err(error) = self
            .storage
            .account_token_create(&hash, user.id, purpose, Utc::now() + valid_for)
            .await
        {
            tracing::error!(%error, user = %user.id, "account token could not be stored");
            return;
        }
        let link = format!("{}{path_prefix}{token}/", self.origin);
        let body = match self.templates.render(
            template,
            context! { username => &user.username, link => link, hours => valid_for.num_hours() },
        ) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, template, "mail could not be rendered");
                return;
            }
        };
        if let Err(error) = self.mailer.send(&user.email, subject, body).await {
            tracing::error!(%error, user = %user.id, subject, "mail could not be sent");
        }
    }

    /// Mails `user` a fresh single-use reset link; the reset page and the admin pages send
    /// the same one.
    pub async fn send_reset_link(&self, user: &User) {
        self.send_link(
            user,
            TokenPurpose::Reset,
            RESET_VALID_FOR,
            "/accounts/password/reset/key/",
            "mail/password_reset.txt",
            "Reset your Hearth password",
        )
        .await;
    }
}
