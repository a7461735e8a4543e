//! Who is asking: server-side sessions (actix-session over our `SessionStore`), the
//! signed-in user extractors, and the CSRF guard.

pub mod credentials;
pub mod csrf;
pub mod remember;
pub mod session_store;
pub mod user;

pub use user::{CurrentUser, MaybeUser};
