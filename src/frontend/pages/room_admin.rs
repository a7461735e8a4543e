//! `/chat/room/{name}/settings/` and its actions: a group's admin renames it, adds and
//! removes members, deletes it; a member leaves. Non-members get 404, members acting
//! beyond their rights 403.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::domain::room::parse_title;
use crate::domain::{Room, RoomKind, User, Username};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::{base_context, see_other};
use crate::frontend::present::view::UserView;
use crate::frontend::state::AppState;
use crate::storage::StorageError;

const NOT_ADMIN: &str = "Only this group's admin can do that.";

#[derive(Debug, Deserialize)]
pub struct TitleForm {
    #[serde(default)]
    title: String,
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    username: String,
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// The add-member field sends itself as `username`.
    #[serde(default, alias = "username")]
    q: String,
}

fn settings_location(room: &Room) -> String {
    format!("/chat/room/{}/settings/", room.name)
}

/// The group called `name` if `user` is in it; settings exist for groups only.
async fn group_for(state: &AppState, name: &str, user: &User) -> Result<Room, AppError> {
    let room = state.chat.room_for(name, user).await?;
    if room.kind == RoomKind::Group {
        Ok(room)
    } else {
        Err(AppError::NotFound)
    }
}

/// Like [`group_for`], and `user` must be its admin.
async fn administered_group(state: &AppState, name: &str, user: &User) -> Result<Room, AppError> {
    let room = group_for(state, name, user).await?;
    if room.admin == Some(user.id) {
        Ok(room)
    } else {
        Err(AppError::Forbidden(NOT_ADMIN.into()))
    }
}

async fn render_settings(
    request: &HttpRequest,
    state: &AppState,
    session: &Session,
    me: &User,
    room: &Room,
    problem: Option<(&'static str, String)>,
) -> Result<HttpResponse, AppError> {
    let members: Vec<UserView> = state
        .storage
        .members_of(room.id)
        .await?
        .iter()
        .map(UserView::from)
        .collect();
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let (field, message) = problem.unzip();
    let context = context! {
        room => context! { name => room.name.as_str(), title => room.title.clone(), admin => room.admin.map(|a| a.0) },
        is_admin => room.admin == Some(me.id),
        members => Value::from(minijinja::value::Serde(&members)),
        error_field => field,
        error => message,
        ..base_context(session, Some(me))?
    };
    state
        .templates
        .page_with_status(request, "pages/room_settings.html", context, status)
}

/// `GET /chat/room/{name}/settings/`
pub async fn settings_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = group_for(&state, &name, &me).await?;
    render_settings(&request, &state, &session, &me, &room, None).await
}

/// `POST /chat/room/{name}/rename/`
#[tracing::instrument(skip_all, fields(user = %me.id, room = %name))]
pub async fn rename_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    CurrentUser(me): CurrentUser,
    form: web::Form<TitleForm>,
) -> Result<HttpResponse, AppError> {
    let room = administered_group(&state, &name, &me).await?;
    match parse_title(&form.title) {
        Ok(title) => {
            let room = state.storage.rename_room(room.id, title).await?;
            Ok(see_other(settings_location(&room)))
        }
        Err(problem) => {
            render_settings(
                &request,
                &state,
                &session,
                &me,
                &room,
                Some(("title", problem.0)),
            )
            .await
        }
    }
}

/// `POST /chat/room/{name}/members/add/`
#[tracing::instrument(skip_all, fields(user = %me.id, room = %name))]
pub async fn member_add_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    name: web::Path<String>,
    CurrentUser(me): CurrentUser,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let room = administered_group(&state, &name, &me).await?;
    let refuse = |message: &str| Some(("username", message.to_owned()));
    let found = match Username::parse(&form.username) {
        Ok(username) => match state.storage.user_by_username(&username).await {
            Ok(user) if user.is_active => Ok(user),
            Ok(_) | Err(StorageError::NotFound) => Err(refuse("No one has that username.")),
            Err(e) => return Err(e.into()),
        },
        Err(_) => Err(refuse("No one has that username.")),
    };
    match found {
        Ok(user) => {
            state.storage.add_member(room.id, user.id).await?;
            Ok(see_other(settings_location(&room)))
        }
        Err(problem) => render_settings(&request, &state, &session, &me, &room, problem).await,
    }
}

/// `POST /chat/room/{name}/members/{username}/remove/`
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn member_remove_post(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let (name, username) = path.into_inner();
    let room = administered_group(&state, &name, &me).await?;
    let username = Username::parse(&username).map_err(|_| AppError::NotFound)?;
    let member = state.storage.user_by_username(&username).await?;
    if Some(member.id) == room.admin {
        return Err(AppError::Forbidden(
            "The admin stays in the group; delete it instead.".into(),
        ));
    }
    state.chat.remove_member(room.id, member.id).await?;
    Ok(see_other(settings_location(&room)))
}

/// `POST /chat/room/{name}/leave/`
#[tracing::instrument(skip_all, fields(user = %me.id, room = %name))]
pub async fn leave_post(
    state: web::Data<AppState>,
    name: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = group_for(&state, &name, &me).await?;
    if room.admin == Some(me.id) {
        return Err(AppError::Forbidden(
            "The admin cannot leave; delete the group instead.".into(),
        ));
    }
    state.chat.remove_member(room.id, me.id).await?;
    Ok(see_other("/chat/"))
}

/// `POST /chat/room/{name}/delete/`
#[tracing::instrument(skip_all, fields(user = %me.id, room = %name))]
pub async fn delete_post(
    state: web::Data<AppState>,
    name: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let room = administered_group(&state, &name, &me).await?;
    state.chat.delete_room(room.id).await?;
    Ok(see_other("/chat/"))
}

/// `GET /chat/users/search/?q=`: `<option>`s for the add-member field's datalist.
pub async fn user_search_get(
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let found = state.storage.search_usernames(&query.q, 8).await?;
    let people: Vec<UserView> = found
        .iter()
        .filter(|u| u.id != me.id)
        .map(UserView::from)
        .collect();
    let html = state.templates.render(
        "partials/user_options.html",
        context! { people => Value::from(minijinja::value::Serde(&people)) },
    )?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
