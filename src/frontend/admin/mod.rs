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

pub use gate::AdminUser;
