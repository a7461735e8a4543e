//! What every server-rendered page shares, the site's own pages and the admin pages alike:
//! the layout's context, the redirect after a form, and the shape of field errors.

use actix_session::Session;
use minijinja::{Value, context};

use crate::domain::User;
use crate::frontend::auth::csrf;
use crate::frontend::error::AppError;

/// Field name → messages, as Django forms report them; every form page uses this shape.
pub type FieldErrors = std::collections::BTreeMap<&'static str, Vec<String>>;

/// What every page's layout needs: who is signed in and the session's CSRF token.
pub fn base_context(session: &Session, user: Option<&User>) -> Result<Value, AppError> {
    let me = user.map(crate::frontend::present::view::UserView::from);
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
