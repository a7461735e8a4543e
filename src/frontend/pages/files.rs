//! Files in rooms: `POST /chat/room/{name}/files/` (multipart, through htmx) posts a file
//! as a message; `GET …/files/{id}/` and `…/files/{id}/thumb/` serve it to whoever may
//! read the room, and answer 404 to everyone else.

use actix_multipart::{Field, Multipart};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::TryStreamExt;
use serde::Serialize;

use super::view::MessageView;
use crate::domain::{FileId, FileRef, MessageBody, NewFile};
use crate::frontend::access;
use crate::frontend::auth::MaybeUser;
use crate::frontend::error::AppError;
use crate::frontend::messaging::deliver_new;
use crate::frontend::state::AppState;
use crate::frontend::templates::is_htmx;
use crate::media::{self, ImageError, Kind, Refused};

/// Longest caption or other text field read from an upload form, in bytes.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// Most fields an upload form may have (file, caption, token, and a little slack).
const MAX_FIELDS: usize = 8;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// The address of a file (or of its thumbnail).
pub fn file_url(file: &FileRef) -> String {
    format!("/chat/room/{}/files/{}/", file.room_name, file.id.0)
}

/// A file as the message partial shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    pub url: String,
    pub thumb_url: Option<String>,
    pub name: String,
    pub size: String,
    pub is_image: bool,
}

impl From<&FileRef> for FileView {
    fn from(file: &FileRef) -> Self {
        let url = file_url(file);
        Self {
            thumb_url: file.has_thumb.then(|| format!("{url}thumb/")),
            url,
            name: file.name.clone(),
            size: human_size(file.size),
            is_image: file.mime.starts_with("image/"),
        }
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// Why an upload was refused; the text is fit to show. Nothing is stored for any of these.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("The file is too large: at most {0}.")]
    TooLarge(String),
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error("{0}")]
    Form(String),
}

impl UploadError {
    fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Refused(Refused::Empty) | Self::Form(_) => StatusCode::BAD_REQUEST,
            Self::Refused(_) | Self::Image(ImageError::NotImage) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Image(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The error as a fragment; htmx swaps only 422, so that is what it gets.
    pub fn respond(&self, request: &HttpRequest, target_id: &str) -> HttpResponse {
        let status = if is_htmx(request) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            self.status()
        };
        let text = minijinja::HtmlEscape(&self.to_string()).to_string();
        HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(format!(
                "<p id=\"{target_id}\" class=\"text-sm text-red-600\" role=\"alert\">{text}</p>"
            ))
    }
}

/// What an upload form carried.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub caption: String,
}

/// Reads a multipart form with one file field `file_field`, keeping at most `max` bytes of
/// it: past that, reading stops and the upload is refused.
pub async fn read_upload(
    mut payload: Multipart,
    file_field: &str,
    max: usize,
) -> Result<Upload, UploadError> {
    let mut upload = Upload {
        bytes: Vec::new(),
        filename: String::new(),
        caption: String::new(),
    };
    let mut seen_file = false;
    let mut fields = 0;
    while let Some(mut field) = payload.try_next().await.map_err(form_error)? {
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(UploadError::Form("The form has too many fields.".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field && !seen_file {
            seen_file = true;
            upload.filename = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(clean_name)
                .unwrap_or_default();
            upload.bytes = read_field(&mut field, max)
                .await?
                .ok_or_else(|| UploadError::TooLarge(human_size(max as u64)))?;
        } else {
            let text = read_field(&mut field, MAX_TEXT_FIELD)
                .await?
                .ok_or_else(|| UploadError::Form("A form field is too long.".into()))?;
            if name == "caption" {
                upload.caption = String::from_utf8(text)
                    .map_err(|_| UploadError::Form("The caption is not valid text.".into()))?;
            }
        }
    }
    if !seen_file {
        return Err(UploadError::Form("Choose a file to upload.".into()));
    }
    Ok(upload)
}

/// The field's bytes, or `None` once it goes past `max` (the rest is never read).
async fn read_field(field: &mut Field, max: usize) -> Result<Option<Vec<u8>>, UploadError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(form_error)? {
        if bytes.len() + chunk.len() > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

fn form_error(error: actix_multipart::MultipartError) -> UploadError {
    tracing::debug!(%error, "unreadable upload");
    UploadError::Form("The upload could not be read.".into())
}

/// A client's file name made safe to keep and show: its last path part, no control
/// characters, bounded; "file" when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

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
    let room = access::room_for(&state, &name, &user).await?;
    let upload = match read_upload(payload, "file", state.settings.chat.max_upload_bytes).await {
        Ok(upload) => upload,
        Err(e) => return Ok(e.respond(&request, "upload-status")),
    };
    let caption = upload.caption.trim();
    if !caption.is_empty()
        && let Err(e) = MessageBody::parse(caption)
    {
        return Ok(UploadError::Form(e.0).respond(&request, "upload-status"));
    }
    // Decoding, resizing and sealing megabytes is CPU work: off the async workers.
    let sealer = state.sealer.clone();
    let bytes = upload.bytes;
    let inspected = web::block(move || {
        inspect(&bytes).map(|(kind, thumb)| {
            let size = bytes.len() as u64;
            (
                kind,
                size,
                sealer.seal(&bytes),
                thumb.map(|t| sealer.seal(&t)),
            )
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("upload worker: {e}")))?;
    let (kind, size, sealed, sealed_thumb) = match inspected {
        Ok(found) => found,
        Err(e) => return Ok(e.respond(&request, "upload-status")),
    };
    let new = NewFile {
        room: room.id,
        uploader: user.id,
        name: upload.filename,
        mime: kind.mime().to_owned(),
        size,
        sealed,
        sealed_thumb,
    };
    let stored = state
        .storage
        .create_file_message(new, state.sealer.seal(caption.as_bytes()))
        .await?;
    let view = MessageView::new(&stored, caption.to_owned());
    deliver_new(&state, &room, &stored, &view).await;
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

/// The sniffed kind and, for images, a thumbnail (which proves they decode).
fn inspect(bytes: &[u8]) -> Result<(Kind, Option<Vec<u8>>), UploadError> {
    let kind = media::sniff(bytes)?;
    let thumb = if kind.is_image() {
        Some(media::thumbnail_png(bytes, kind)?)
    } else {
        None
    };
    Ok((kind, thumb))
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
    let room = access::room_for(state, &name, &user).await?;
    let file = state.storage.file_by_id(room.id, FileId(id)).await?;
    let sealed = state.storage.file_content(room.id, file.id, thumb).await?;
    let bytes = state.sealer.open(&sealed)?;
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
    fn names_are_cleaned_and_quoted() {
        assert_eq!(clean_name("C:\\Users\\x\\évil\n.txt"), "évil.txt");
        assert_eq!(clean_name("../../.."), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(
            content_disposition(false, "a \"b\"; é.txt"),
            "attachment; filename=\"a _b__ _.txt\"; filename*=UTF-8''a%20%22b%22%3B%20%C3%A9.txt"
        );
        assert_eq!(human_size(2048), "2.0 KB");
    }
}
