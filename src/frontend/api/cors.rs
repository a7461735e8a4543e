//! CORS on `/api` (actix-cors): only the origins in `api.cors_origins` may call the API
//! from a browser page; with none listed the API is same-origin only. Programs send no
//! `Origin` and are unaffected.

use actix_cors::Cors;
use actix_web::http::{Method, header};

use crate::config::ApiSettings;

/// The `/api` scope's CORS policy: a preflight from a listed origin is answered with the
/// methods and headers the API takes; any other origin's preflight is refused (400) and
/// its requests carry no `Access-Control-Allow-Origin`, so the browser withholds them.
pub fn api_cors(settings: &ApiSettings) -> Cors {
    settings
        .cors_origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER])
        .max_age(3600)
}
