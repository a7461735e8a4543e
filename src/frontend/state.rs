//! What every handler can reach, built once at start.

use std::sync::Arc;

use crate::config::Settings;
use crate::crypto::Sealer;
use crate::hub::Hub;
use crate::mail::Mailer;
use crate::storage::Storage;

use super::limits::Limiters;
use super::origin::AllowedOrigins;
use super::present::templates::Templates;
use super::service::Chat;
use super::service::account_mail::AccountMail;

pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub hub: Arc<dyn Hub>,
    pub sealer: Arc<Sealer>,
    pub templates: Arc<Templates>,
    pub settings: Arc<Settings>,
    pub limits: Limiters,
    pub origins: AllowedOrigins,
    pub mailer: Arc<Mailer>,
    /// The chat service every entrance shares: access, posting, groups, uploads.
    pub chat: Chat,
    /// Web Push to people who are not looking; its public key for the settings page.
    pub reach: Arc<super::reach::Reach>,
    /// Mail about unread mentions and DMs; its unsubscribe links.
    pub missed_mail: Arc<super::service::missed_mail::MissedMail>,
    /// Reset and confirmation links by mail.
    pub account_mail: AccountMail,
    /// Key rotation: starts one, reports progress, resumes an unfinished one at start.
    pub rotation: Arc<crate::rotation::Rotator>,
    /// Work a request leaves running after its answer (mails), so a test can wait for it
    /// to finish instead of sleeping.
    pub background: tokio_util::task::TaskTracker,
    /// When this process started serving, for the admin dashboard's uptime.
    pub started: std::time::Instant,
}
