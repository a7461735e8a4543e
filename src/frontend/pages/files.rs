//! Files in rooms: `POST /chat/room/{name}/files/` (multipart, through htmx) posts a file
//! as a message; `GET …/files/{id}/` and `…/files/{id}/thumb/` serve it to whoever may
//! read the room, and answer 404 to everyone else.

use actix_multipart::Multipart;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};

use super::upload_form::{read_upload, refusal};
use crate::domain::FileId;
use crate::frontend::auth::MaybeUser;
use crate::frontend::error::AppError;
use crate::frontend::present::templates::is_htmx;
use crate::frontend::state::AppState;

/// `POST /chat/room/{name}/files/`
#[tracing::instrument(skip_all, fields(room = %name))]
pub async fn upload_post(
    request: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    MaybeUser(user): MaybeUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let user = user.ok_or(AppError::NotFound)?;
    let room = state.chat.room_for(&name, &user).await?;
    let posted = match read_upload(payload, "file", state.settings.chat.max_upload_bytes).await {
        Ok(upload) => state.chat.post_file(&room, &user, upload).await,
        Err(e) => Err(e),
    };
    if let Err(e) = posted {
        return Ok(refusal(&e, &request, "upload-status"));
    }
    if is_htmx(&request) {
        return Ok(HttpResponse::Ok()
            .content_type(ContentType::html())
            .body("<p id=\"upload-status\" class=\"text-sm\" role=\"status\"></p>"));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/chat/room/{}/", room.name.as_str()),
        ))
        .finish())
}

/// `GET /chat/room/{name}/files/{id}/`
pub async fn file_get(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse, AppError> {
    serve(&state, path.into_inner(), user, false).await
}

/// `GET /chat/room/{name}/files/{id}/thumb/`
pub async fn thumb_get(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse, AppError> {
    serve(&state, path.into_inner(), user, true).await
}

async fn serve(
    state: &AppState,
    (name, id): (String, i64),
    user: Option<crate::domain::User>,
    thumb: bool,
) -> Result<HttpResponse, AppError> {
    // A visitor gets the same 404 as a stranger: no log-in page that confirms the file.
    let user = user.ok_or(AppError::NotFound)?;
    let room = state.chat.room_for(&name, &user).await?;
    let (file, bytes) = state.chat.file_content(&room, FileId(id), thumb).await?;
    let (mime, inline, filename) = if thumb {
        (
            "image/png".to_owned(),
            true,
            format!("{}.thumb.png", file.name),
        )
    } else {
        let image = file.mime.starts_with("image/");
        (file.mime.clone(), image, file.name.clone())
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(inline, &filename),
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(bytes))
}

/// RFC 6266: an ASCII `filename` fallback and the exact name as `filename*` (RFC 5987).
pub fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_both_ways() {
        assert_eq!(
            content_disposition(false, "a \"b\"; é.txt"),
            "attachment; filename=\"a _b__ _.txt\"; filename*=UTF-8''a%20%22b%22%3B%20%C3%A9.txt"
        );
    }
}
