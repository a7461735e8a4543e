//! `/static/...`: CSS, JS and images embedded in the binary, so no page loads anything
//! from another host.

use actix_web::http::header::{self, CacheControl, CacheDirective, ContentType};
use actix_web::{HttpResponse, web};
use rust_embed::RustEmbed;

use super::error::AppError;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "css/node_modules/*"]
#[exclude = "css/package*.json"]
#[exclude = "css/*.sh"]
#[exclude = "*.md"]
struct AssetFiles;

/// `GET /static/{path}`
pub async fn asset_get(
    path: web::Path<String>,
    request: actix_web::HttpRequest,
) -> Result<HttpResponse, AppError> {
    let file = AssetFiles::get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(3600),
        ]));
    if fresh {
        return Ok(response.finish());
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.contains("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    Ok(response
        .insert_header(ContentType(content_type.parse().unwrap_or(mime_octet())))
        .body(file.data.into_owned()))
}

fn mime_octet() -> actix_web::mime::Mime {
    actix_web::mime::APPLICATION_OCTET_STREAM
}
