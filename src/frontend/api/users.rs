//! `/api/users/`: public fields of accounts, page-number paginated; one's own detail adds
//! the email. Never a hash, never another person's email.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::ApiUser;
use super::error::ApiError;
use super::{ApiState, absolute_path};
use crate::domain::{User, UserId};
use crate::frontend::state::AppState;

#[derive(Debug, Serialize)]
pub struct UserOut {
    id: i64,
    username: String,
    display_name: String,
    avatar: Option<String>,
    date_joined: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

impl UserOut {
    /// The public fields; `email` only when `viewer` is the account itself.
    fn of(user: User, viewer: UserId) -> Self {
        let own = user.id == viewer;
        Self {
            id: user.id.0,
            username: user.username,
            display_name: user.display_name,
            avatar: user.avatar,
            date_joined: user.created,
            email: own.then_some(user.email),
        }
    }
}

/// DRF's `PageNumberPagination` envelope.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

/// Which page `?page=` asks for, 1-based: a number from 1 to the last, or `last`;
/// anything else is `InvalidPage`. An empty list still has page 1.
fn page_number(request: &HttpRequest, count: u64, size: u64) -> Result<(u64, u64), ApiError> {
    let pages = count.div_ceil(size).max(1);
    let query = web::Query::<PageQuery>::from_query(request.query_string())
        .map_err(|_| ApiError::InvalidPage)?;
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some("last") => pages,
        Some(raw) => raw.parse::<u64>().map_err(|_| ApiError::InvalidPage)?,
    };
    if page == 0 || page > pages {
        return Err(ApiError::InvalidPage);
    }
    Ok((page, pages))
}

/// `GET /api/users/`
#[tracing::instrument(skip_all, fields(user = %viewer.id))]
pub async fn users_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    ApiUser(viewer): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let size = api.page_size;
    let count = state.storage.count_users().await?;
    let (page, pages) = page_number(&request, count, size)?;
    let (users, count) = state.storage.list_users((page - 1) * size, size).await?;
    let base = absolute_path(&request);
    let next = (page < pages).then(|| format!("{base}?page={}", page + 1));
    let previous = match page {
        1 => None,
        2 => Some(base.clone()),
        _ => Some(format!("{base}?page={}", page - 1)),
    };
    Ok(HttpResponse::Ok().json(Page {
        count,
        next,
        previous,
        results: users
            .into_iter()
            .map(|u| UserOut::of(u, viewer.id))
            .collect(),
    }))
}

/// `GET /api/users/{id}/`
#[tracing::instrument(skip_all, fields(user = %viewer.id))]
pub async fn user_get(
    state: web::Data<AppState>,
    path: web::Path<String>,
    ApiUser(viewer): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let id = path.parse::<i64>().map_err(|_| ApiError::NotFound)?;
    let user = state.storage.user_by_id(UserId(id)).await?;
    Ok(HttpResponse::Ok().json(UserOut::of(user, viewer.id)))
}
