//! `/profile/…`: a person's page, and editing one's own (details and avatar) through htmx;
//! `/media/avatars/…`: avatars, public.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::value::merge_maps;
use minijinja::{Value, context};
use serde::Deserialize;

use super::upload_form::{read_upload, refusal};
use crate::domain::{Bio, DisplayName, ProfileUpdate, User, Username};
use crate::frontend::auth::CurrentUser;
use crate::frontend::error::AppError;
use crate::frontend::layout::{FieldErrors, base_context};
use crate::frontend::present::templates::is_htmx;
use crate::frontend::present::view::{UserView, iso};
use crate::frontend::service::uploads::UploadError;
use crate::frontend::state::AppState;
use crate::media;

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
}

fn profile_value(user: &User) -> Value {
    context! {
        person => Value::from(minijinja::value::Serde(UserView::from(user))),
        display_name => user.display_name.clone(),
        bio => user.bio.clone(),
        member_since => iso(user.created),
        member_since_text => user.created.format("%B %Y").to_string(),
    }
}

/// `GET /profile/{username}/`
#[tracing::instrument(skip_all, fields(viewer = %viewer.id))]
pub async fn profile_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    username: web::Path<String>,
    CurrentUser(viewer): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&username).map_err(|_| AppError::NotFound)?;
    let person = state.storage.user_by_username(&username).await?;
    if !person.is_active {
        return Err(AppError::NotFound);
    }
    let context = context! {
        own => person.id == viewer.id,
        ..merge_maps([profile_value(&person), base_context(&session, Some(&viewer))?])
    };
    state
        .templates
        .page(&request, "pages/profile.html", context)
}

/// `GET /profile/edit/`: the edit form, as a fragment for htmx or a page.
pub async fn profile_edit_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let context = context! {
        errors => Value::from(minijinja::value::Serde(FieldErrors::new())),
        ..merge_maps([profile_value(&me), base_context(&session, Some(&me))?])
    };
    state
        .templates
        .page(&request, "pages/profile_edit.html", context)
}

/// `POST /profile/edit/`: saves, then shows the updated card (htmx) or the profile page.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn profile_edit_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(me): CurrentUser,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let display_name = DisplayName::parse(&form.display_name)
        .map_err(|e| errors.entry("display_name").or_default().push(e.0))
        .ok();
    let bio = Bio::parse(&form.bio)
        .map_err(|e| errors.entry("bio").or_default().push(e.0))
        .ok();
    let (Some(display_name), Some(bio)) = (display_name, bio) else {
        let mut shown = me.clone();
        shown.display_name = form.display_name.clone();
        shown.bio = form.bio.clone();
        let context = context! {
            errors => Value::from(minijinja::value::Serde(errors)),
            ..merge_maps([profile_value(&shown), base_context(&session, Some(&me))?])
        };
        // htmx swaps 422 (see the htmx-config meta in base.html) but not 400.
        let status = if is_htmx(&request) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        return state.templates.page_with_status(
            &request,
            "pages/profile_edit.html",
            context,
            status,
        );
    };
    let updated = state
        .storage
        .update_profile(me.id, ProfileUpdate { display_name, bio })
        .await?;
    if is_htmx(&request) {
        let context = context! { own => true, ..merge_maps([profile_value(&updated), base_context(&session, Some(&updated))?]) };
        let card = state
            .templates
            .render("partials/profile_card.html", context)?;
        return Ok(HttpResponse::Ok()
            .content_type(ContentType::html())
            .body(card));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/profile/{}/", updated.username)))
        .finish())
}

/// `POST /profile/avatar/` (multipart, through htmx): replaces one's avatar with the image
/// sent, re-encoded as a square PNG. A refused upload changes nothing.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn avatar_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    const TARGET: &str = "avatar-status";
    let max = state.settings.accounts.max_avatar_bytes;
    let upload = match read_upload(payload, "avatar", max).await {
        Ok(upload) => upload,
        Err(e) => return Ok(refusal(&e, &request, TARGET)),
    };
    let bytes = upload.bytes;
    // Decoding and resizing is CPU work: off the async workers.
    let converted = web::block(move || {
        let kind = media::sniff(&bytes)?;
        if !kind.is_image() {
            return Err(UploadError::Image(media::ImageError::NotImage));
        }
        Ok(media::avatar_png(&bytes, kind)?)
    })
    .await
    .map_err(|e| AppError::Internal(format!("avatar worker: {e}")))?;
    let png = match converted {
        Ok(png) => png,
        Err(e) => return Ok(refusal(&e, &request, TARGET)),
    };
    state.storage.replace_avatar(me.id, png, "png").await?;
    let to = format!("/profile/{}/", me.username);
    if is_htmx(&request) {
        return Ok(HttpResponse::Ok()
            .insert_header(("HX-Redirect", to))
            .finish());
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish())
}

/// `GET /media/avatars/{name}`: public, like the profile it belongs to; names are random
/// and never reused, so it may be cached for good.
pub async fn avatar_get(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let bytes = state.storage.avatar_content(&name).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(bytes))
}
