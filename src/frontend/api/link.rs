//! Request/response encryption on `/api`: a body sent as `Content-Type: application/fernet`
//! is a Fernet token of the JSON under `api.link_key`; it is opened before the handler
//! sees it, and the answer is sealed the same way (also for `Accept: application/fernet`).
//! With no key configured such bodies answer 415.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::ApiState;
use super::error::ApiError;

pub const MEDIA_TYPE: &str = "application/fernet";

const INVALID: &str =
    "Fernet token is invalid: malformed, tampered with, or sealed under another key.";

/// The configured key and how old a request token may be.
pub struct Link {
    fernet: fernet::Fernet,
    ttl_secs: u64,
}

impl Link {
    /// `None` when `key` is empty or not a Fernet key (config validation refuses the latter).
    pub fn new(key: &str, ttl_secs: u64) -> Option<Self> {
        fernet::Fernet::new(key.trim()).map(|fernet| Self { fernet, ttl_secs })
    }

    /// The plaintext of `token`, telling a stale token from a forged or foreign one.
    fn open(&self, token: &str) -> Result<Vec<u8>, ApiError> {
        let token = token.trim();
        if self.fernet.decrypt(token).is_err() {
            return Err(ApiError::LinkToken(INVALID));
        }
        self.fernet
            .decrypt_with_ttl(token, self.ttl_secs)
            .map_err(|_| ApiError::LinkToken("Fernet token has expired."))
    }
}

fn wants(request: &ServiceRequest, name: header::HeaderName) -> bool {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|part| part.trim().starts_with(MEDIA_TYPE)))
}

/// Middleware on the `/api` scope.
pub async fn layer(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let sealed_body = request.content_type() == MEDIA_TYPE;
    let sealed_answer = sealed_body || wants(&request, header::ACCEPT);
    if !sealed_answer {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let api = request
        .app_data::<web::Data<ApiState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("api state missing".into()))?;
    let Some(link) = api.link.as_ref() else {
        if sealed_body {
            return Err(ApiError::UnsupportedMediaType.into());
        }
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    if sealed_body {
        let raw = request.extract::<web::Bytes>().await.map_err(|e| {
            match e.as_response_error().status_code().as_u16() {
                413 => ApiError::PayloadTooLarge {
                    limit: api.max_body,
                },
                _ => ApiError::Parse(e.to_string()),
            }
        })?;
        let token = std::str::from_utf8(&raw).map_err(|_| ApiError::LinkToken(INVALID))?;
        let plain = link.open(token)?;
        let headers = request.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(plain.len()));
        request.set_payload(Payload::from(web::Bytes::from(plain)));
    }
    let response = next.call(request).await?;
    let (request, response) = response.into_parts();
    let (mut head, answer) = response.into_parts();
    let plain = body::to_bytes(answer)
        .await
        .map_err(|_| ApiError::Internal("response body unreadable".into()))?;
    if plain.is_empty() {
        return Ok(ServiceResponse::new(
            request,
            head.set_body(BoxBody::new(())),
        ));
    }
    let sealed = link.fernet.encrypt(&plain);
    head.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    head.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(
        request,
        head.set_body(BoxBody::new(sealed)),
    ))
}
