//! Server-rendered pages and their htmx partials, one file per area.

pub mod accounts;
pub mod chat;
pub mod email_verification;
pub mod files;
pub mod history;
pub mod home;
pub mod mentions;
pub mod notifications;
pub mod password_reset;
pub mod people;
pub mod profiles;
pub mod room_admin;
pub mod rooms;
pub mod settings;
pub mod unsubscribe;
pub mod upload_form;
