//! What every handler can reach, built once at start.

use std::sync::Arc;

use crate::config::Settings;
use crate::crypto::Sealer;
use crate::hub::Hub;
use crate::mail::Mailer;
use crate::storage::Storage;

use super::limits::Limiters;
use super::origin::AllowedOrigins;
use super::read_marks::ReadMarks;
use super::templates::Templates;

pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub hub: Arc<dyn Hub>,
    pub sealer: Arc<Sealer>,
    pub templates: Arc<Templates>,
    pub settings: Arc<Settings>,
    pub limits: Limiters,
    pub origins: AllowedOrigins,
    pub mailer: Arc<Mailer>,
    /// New messages' group commit and live delivery.
    pub outbox: super::outbox::Outbox,
    /// Open sockets' read marks, written in batches.
    pub read_marks: ReadMarks,
    /// Key rotation: starts one, reports progress, resumes an unfinished one at start.
    pub rotation: Arc<crate::rotation::Rotator>,
    /// When this process started serving, for the admin dashboard's uptime.
    pub started: std::time::Instant,
}
