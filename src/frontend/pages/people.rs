//! `/people/`: everyone with an active account, searched by username or display name and
//! paged, each a link to their profile with "Message" to start a private chat.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use super::chat::room_links;
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::present::view::UserView;
use crate::frontend::state::AppState;

/// People shown per page.
const PAGE: u64 = 30;
/// Longest search accepted, in characters: display names are at most 50.
const MAX_QUERY: usize = 100;

#[derive(Debug, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

/// `GET /people/?q=TEXT&page=N`
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn people_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PeopleQuery>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let search = query.q.trim();
    if search.chars().count() > MAX_QUERY {
        return Err(AppError::BadRequest(format!(
            "A search is at most {MAX_QUERY} characters."
        )));
    }
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::BadRequest("page must be a number from 1.".into()))?,
    };
    let (found, total) = state
        .storage
        .find_people(search, (page - 1) * PAGE, PAGE)
        .await?;
    let people: Vec<UserView> = found.iter().map(UserView::from).collect();
    let pages = total.div_ceil(PAGE).max(1);
    let rooms = room_links(&state, &user).await?;
    let context = context! {
        people => Value::from(minijinja::value::Serde(&people)),
        q => search,
        page => page,
        pages => pages,
        total => total,
        rooms => Value::from(minijinja::value::Serde(&rooms)),
        current => "people",
        ..base_context(&session, Some(&user))?
    };
    state.templates.page(&request, "pages/people.html", context)
}
