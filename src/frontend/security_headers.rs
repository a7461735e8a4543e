//! Headers every response carries: pages, API, errors, assets.

use actix_web::middleware::DefaultHeaders;

/// `default-src 'self'` with no inline script or eval; `connect-src` allows the WebSocket
/// back to this same host (`'self'` covers ws: in current browsers; kept explicit for older).
pub fn default_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
