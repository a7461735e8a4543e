//! `/admin`: the built-in admin pages, one file per area. Every handler takes
//! [`AdminUser`], so anyone but an active admin gets 404 on every admin path.

pub mod audit_log;
pub mod backup;
pub mod dashboard;
pub mod gate;
pub mod keys;
pub mod registration;
pub mod rooms;
pub mod users;

use actix_web::web;

pub use gate::AdminUser;

/// Registers every admin route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    dashboard::configure(cfg);
    users::configure(cfg);
    rooms::configure(cfg);
    audit_log::configure(cfg);
    registration::configure(cfg);
    keys::configure(cfg);
    backup::configure(cfg);
}
