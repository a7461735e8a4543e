//! `/api/token/` and `/api/token/refresh/`: simplejwt's bodies and its token pair.

use serde::Serialize;
use utoipa::ToSchema;

/// `POST /api/token/`'s body. The handler reads the JSON field by field (for DRF's
/// per-field errors) into this type.
#[derive(Debug, ToSchema)]
pub struct TokenRequest {
    /// A username or an email address.
    pub username: String,
    pub password: String,
}

/// `POST /api/token/refresh/`'s body, read like `TokenRequest`.
#[derive(Debug, ToSchema)]
pub struct RefreshRequest {
    /// A refresh token not used before.
    pub refresh: String,
}

/// simplejwt's pair: a short-lived access token and a single-use refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
}
