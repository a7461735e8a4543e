//! `/api/users/`: public fields of accounts, page-number paginated; one's own detail adds
//! the email (`shapes::UserOut` decides which fields). Never a hash, never another
//! person's email.

use actix_web::{HttpRequest, HttpResponse, web};

use super::ApiState;
use super::auth::ApiUser;
use super::error::ApiError;
use super::pagination::page_number;
use super::shapes::{ErrorDetail, Page, UserOut, UserPage};
use crate::domain::UserId;
use crate::frontend::state::AppState;

/// `GET /api/users/`
#[utoipa::path(
    get,
    path = "/api/users/",
    tag = "users",
    params(("page" = Option<String>, Query, description = "1-based page number, or `last`")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = UserPage),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "`Invalid page.`", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %viewer.id))]
pub async fn users_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    api: web::Data<ApiState>,
    ApiUser(viewer): ApiUser,
) -> Result<HttpResponse, ApiError> {
    let size = api.page_size;
    let count = state.storage.count_users().await?;
    let page = page_number(&request, count, size)?;
    let (users, count) = state.storage.list_users((page - 1) * size, size).await?;
    let results = users
        .into_iter()
        .map(|u| UserOut::of(u, viewer.id))
        .collect();
    Ok(HttpResponse::Ok().json(UserPage(Page::numbered(
        &request, count, size, page, results,
    ))))
}

/// `GET /api/users/{id}/`
#[utoipa::path(
    get,
    path = "/api/users/{id}/",
    tag = "users",
    params(("id" = i64, Path, description = "The account's id")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The account; with `email` when it is the caller's", body = UserOut),
        (status = 401, description = "No, bad or expired credentials", body = ErrorDetail),
        (status = 404, description = "Missing, or not the caller's to see", body = ErrorDetail),
        (status = 429, description = "Throttled; `Retry-After` says when to retry", body = ErrorDetail, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
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
