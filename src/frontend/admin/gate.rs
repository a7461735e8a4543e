//! Who may see `/admin`: a signed-in, active admin. Everyone else, visitors included, gets
//! the same 404 as for a path that does not exist, so the admin pages do not announce
//! themselves.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::domain::User;
use crate::frontend::auth::MaybeUser;
use crate::frontend::error::AppError;

pub struct AdminUser(pub User);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let maybe = MaybeUser::from_request(request, payload);
        Box::pin(async move {
            match maybe.await? {
                MaybeUser(Some(user)) if user.is_admin => Ok(AdminUser(user)),
                _ => Err(AppError::NotFound),
            }
        })
    }
}
