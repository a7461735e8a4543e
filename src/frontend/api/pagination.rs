//! DRF's two paginations: page numbers (`?page=`, users and groups) and an opaque cursor
//! (`?cursor=`, messages, keyset by message id so a page never shifts under new posts).
//! The envelopes themselves are `shapes::pages`; this module reads the query and writes
//! their links.

use actix_web::{HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::absolute_path;
use super::error::ApiError;
use super::shapes::{CursorPage, Page};
use crate::domain::MessageId;

#[derive(Debug, Deserialize)]
struct PageQuery {
    page: Option<String>,
    cursor: Option<String>,
}

fn query(request: &HttpRequest) -> Option<PageQuery> {
    web::Query::<PageQuery>::from_query(request.query_string())
        .ok()
        .map(web::Query::into_inner)
}

/// Which page `?page=` asks for, 1-based: a number from 1 to the last, or `last`;
/// anything else is `InvalidPage`. An empty list still has page 1.
pub fn page_number(request: &HttpRequest, count: u64, size: u64) -> Result<u64, ApiError> {
    let pages = count.div_ceil(size).max(1);
    let query = query(request).ok_or(ApiError::InvalidPage)?;
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some("last") => pages,
        Some(raw) => raw.parse::<u64>().map_err(|_| ApiError::InvalidPage)?,
    };
    if page == 0 || page > pages {
        return Err(ApiError::InvalidPage);
    }
    Ok(page)
}

impl<T> Page<T> {
    /// Page `page` of `count` items holding `results`, with DRF's links (page 1's link
    /// carries no `?page=`).
    pub fn numbered(
        request: &HttpRequest,
        count: u64,
        size: u64,
        page: u64,
        results: Vec<T>,
    ) -> Self {
        let pages = count.div_ceil(size).max(1);
        let base = absolute_path(request);
        let next = (page < pages).then(|| format!("{base}?page={}", page + 1));
        let previous = match page {
            1 => None,
            2 => Some(base.clone()),
            _ => Some(format!("{base}?page={}", page - 1)),
        };
        Self {
            count,
            next,
            previous,
            results,
        }
    }
}

/// Where a page of a newest-first list starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The newest messages.
    Start,
    /// Messages older than this one (the next page).
    Before(MessageId),
    /// Messages newer than this one (the previous page).
    After(MessageId),
}

impl Cursor {
    /// The cursor `?cursor=` names; `InvalidCursor` for anything this server did not write.
    pub fn from_request(request: &HttpRequest) -> Result<Self, ApiError> {
        let query = query(request).ok_or(ApiError::InvalidCursor)?;
        let Some(raw) = query.cursor else {
            return Ok(Self::Start);
        };
        let decoded = URL_SAFE_NO_PAD
            .decode(raw.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or(ApiError::InvalidCursor)?;
        let id = |text: &str| {
            text.parse::<i64>()
                .map(MessageId)
                .map_err(|_| ApiError::InvalidCursor)
        };
        match decoded.split_once('=') {
            Some(("b", n)) => Ok(Self::Before(id(n)?)),
            Some(("a", n)) => Ok(Self::After(id(n)?)),
            _ => Err(ApiError::InvalidCursor),
        }
    }

    fn encode(self) -> Option<String> {
        let plain = match self {
            Self::Start => return None,
            Self::Before(id) => format!("b={}", id.0),
            Self::After(id) => format!("a={}", id.0),
        };
        Some(URL_SAFE_NO_PAD.encode(plain))
    }
}

impl<T> CursorPage<T> {
    /// `results` with links to the pages `next` (older) and `previous` (newer), if any.
    pub fn new(request: &HttpRequest, next: Cursor, previous: Cursor, results: Vec<T>) -> Self {
        let base = absolute_path(request);
        let link = |cursor: Cursor| cursor.encode().map(|c| format!("{base}?cursor={c}"));
        Self {
            next: link(next),
            previous: link(previous),
            results,
        }
    }
}
