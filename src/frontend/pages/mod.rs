//! Server-rendered pages and their htmx partials, one file per area.

pub mod accounts;
pub mod chat;
pub mod email_verification;
pub mod files;
pub mod history;
pub mod home;
pub mod password_reset;
pub mod profiles;
pub mod room_admin;
pub mod rooms;
pub mod settings;
pub mod view;

use actix_session::Session;
use minijinja::{Value, context};

use crate::domain::User;
use crate::frontend::auth::csrf;
use crate::frontend::error::AppError;

/// Field name → messages, as Django forms report them; every form page uses this shape.
pub type FieldErrors = std::collections::BTreeMap<&'static str, Vec<String>>;

/// What every page's layout needs: who is signed in and the session's CSRF token.
pub fn base_context(session: &Session, user: Option<&User>) -> Result<Value, AppError> {
    let me = user.map(view::UserView::from);
    Ok(context! {
        me => Value::from(minijinja::value::Serde(&me)),
        is_admin => user.is_some_and(|u| u.is_admin),
        csrf_token => csrf::token(session)?,
    })
}

/// `303 See Other` to `location`: where a page goes after a form was handled.
pub fn see_other(location: impl Into<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.into()))
        .finish()
}
