//! The chat service: what every entrance (pages, API, WebSocket, admin) shares — access
//! checks, posting through the outbox, editing, groups, read marks, uploads, opening a
//! stored message. Entrances call it and never each other; it shows things through
//! `present` and keeps things through `storage` and the `Hub`.

pub mod access;
pub mod account_mail;
pub mod bodies;
pub mod groups;
pub mod members;
pub mod mentions;
pub mod messages;
pub mod missed_mail;
pub mod outbox;
pub mod reactions;
pub mod read_marks;
pub mod registration;
pub mod uploads;

use std::sync::Arc;

use crate::crypto::Sealer;
use crate::frontend::present::templates::Templates;
use crate::frontend::reach::Reach;
use crate::hub::Hub;
use crate::storage::Storage;

use members::Members;
use outbox::{Delivery, Outbox};
use read_marks::ReadMarks;

/// The service's context: only what it uses, so it can be built and reasoned about
/// without the rest of the app's state.
pub struct Chat {
    storage: Arc<dyn Storage>,
    hub: Arc<dyn Hub>,
    sealer: Arc<Sealer>,
    /// Member lists, remembered: every membership write below forgets what it touched.
    members: Arc<Members>,
    delivery: Delivery,
    outbox: Outbox,
    read_marks: ReadMarks,
}

impl Chat {
    /// Starts the service's background tasks (the outbox, the read-mark writer) on the
    /// current runtime, each supervised: one that fails is logged and started again.
    pub fn start(
        storage: Arc<dyn Storage>,
        hub: Arc<dyn Hub>,
        sealer: Arc<Sealer>,
        templates: Arc<Templates>,
        reach: Arc<Reach>,
    ) -> Self {
        let members = Arc::new(Members::new(Arc::clone(&storage)));
        let delivery = Delivery {
            hub: Arc::clone(&hub),
            members: Arc::clone(&members),
            storage: Arc::clone(&storage),
            templates,
            reach,
        };
        Self {
            outbox: Outbox::start(delivery.clone()),
            read_marks: ReadMarks::start(Arc::clone(&storage)),
            storage,
            hub,
            sealer,
            members,
            delivery,
        }
    }
}
