//! `/static/...`: CSS, JS and images embedded in the binary, and the emoji picker's data
//! built from the `emojis` crate, so no page loads anything from another host.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, CacheControl, CacheDirective, ContentType};
use actix_web::middleware::Next;
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
    Ok(file_response(&request, file))
}

fn file_response(request: &actix_web::HttpRequest, file: rust_embed::EmbeddedFile) -> HttpResponse {
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.contains("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    let content_type = content_type.parse().unwrap_or(mime_octet());
    // A release build holds the bytes in the binary: hand them out without a copy.
    let body = match file.data {
        std::borrow::Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
    };
    cached(request, etag, content_type, body)
}

/// The embedded file a `GET` for `path` names, if any: `/static/…`, and the two that live
/// at the root (`/sw.js`, `/manifest.webmanifest`).
fn embedded(path: &str) -> Option<rust_embed::EmbeddedFile> {
    let name = match path {
        "/sw.js" => "js/sw.js",
        "/manifest.webmanifest" => "manifest.webmanifest",
        other => other.strip_prefix("/static/")?,
    };
    AssetFiles::get(name)
}

/// Answers `GET`s for embedded files before the session layers run. An asset is the same
/// for everyone, and loading the session a browser's cookie names would cost a database
/// round trip per file. Anything else (other methods, a path that names no file, the
/// emoji data) goes on to the routes as before.
pub async fn serve_early(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if request.method() == actix_web::http::Method::GET
        && let Some(file) = embedded(request.path())
    {
        let response = file_response(request.request(), file);
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
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
