//! `/static/...`: CSS, JS and images embedded in the binary, and the emoji picker's data
//! built from the `emojis` crate, so no page loads anything from another host.

use actix_web::http::header::{self, CacheControl, CacheDirective, ContentType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use rust_embed::RustEmbed;

use super::error::AppError;
use super::present;

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
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.contains("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    let content_type = content_type.parse().unwrap_or(mime_octet());
    Ok(cached(&request, etag, content_type, file.data.into_owned()))
}

/// `GET /sw.js`: the service worker, at the root so that its scope is the whole site.
pub async fn service_worker_get(request: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    asset_get(web::Path::from("js/sw.js".to_owned()), request).await
}

/// `GET /manifest.webmanifest`: the web app manifest that makes Hearth installable.
pub async fn manifest_get(request: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    asset_get(web::Path::from("manifest.webmanifest".to_owned()), request).await
}

/// `GET /static/emoji.json`: the emoji picker's data, built once from the `emojis` crate.
pub async fn emoji_get(request: actix_web::HttpRequest) -> HttpResponse {
    let document = present::emoji::document();
    cached(
        &request,
        document.etag.clone(),
        actix_web::mime::APPLICATION_JSON,
        Bytes::from_static(&document.json),
    )
}

/// Every static answer alike: an ETag, an hour in any cache, and 304 when the browser
/// already holds these bytes.
fn cached(
    request: &actix_web::HttpRequest,
    etag: String,
    content_type: actix_web::mime::Mime,
    body: impl Into<Bytes>,
) -> HttpResponse {
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
        return response.finish();
    }
    response
        .insert_header(ContentType(content_type))
        .body(body.into())
}

fn mime_octet() -> actix_web::mime::Mime {
    actix_web::mime::APPLICATION_OCTET_STREAM
}
