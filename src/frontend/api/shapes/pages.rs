//! DRF's two pagination envelopes, generic over what they list. `pagination` builds them;
//! each listing names its instance (`UserPage`, …) for the document, since utoipa would
//! otherwise call it `Page_UserOut`.

use serde::Serialize;
use utoipa::ToSchema;

/// DRF's `PageNumberPagination` envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// How many items all pages hold together.
    pub count: u64,
    /// The next page's URL, or null on the last.
    #[schema(required = true)]
    pub next: Option<String>,
    /// The previous page's URL, or null on the first.
    #[schema(required = true)]
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// DRF's `CursorPagination` envelope, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CursorPage<T> {
    /// Older items' URL, or null when there are none.
    #[schema(required = true)]
    pub next: Option<String>,
    /// Newer items' URL, or null on the newest page.
    #[schema(required = true)]
    pub previous: Option<String>,
    pub results: Vec<T>,
}
