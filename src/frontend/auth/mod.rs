//! Who is asking: server-side sessions (actix-session over our `SessionStore`), the
//! signed-in user extractors, the CSRF guard, and the JWTs programs present.

pub mod credentials;
pub mod csrf;
pub mod jwt;
pub mod remember;
pub mod session_store;
pub mod user;

pub use user::{CurrentUser, MaybeUser};
