//! Reading multipart upload forms (room files, avatars): bounded in fields and bytes, read
//! no further than the limit; and how a refused upload is answered.

use actix_multipart::{Field, Multipart};
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::TryStreamExt;

use crate::frontend::present::media::human_size;
use crate::frontend::present::templates::is_htmx;
use crate::frontend::service::uploads::{NewUpload, UploadError};

/// Longest caption or other text field read from an upload form, in bytes.
const MAX_TEXT_FIELD: usize = 64 * 1024;
/// Most fields an upload form may have (file, caption, token, and a little slack).
const MAX_FIELDS: usize = 8;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// Reads a multipart form with one file field `file_field`, keeping at most `max` bytes of
/// it: past that, reading stops and the upload is refused.
pub async fn read_upload(
    mut payload: Multipart,
    file_field: &str,
    max: usize,
) -> Result<NewUpload, UploadError> {
    let mut upload = NewUpload {
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

/// A refused upload as a fragment for `target_id`; htmx swaps only 422, so that is what
/// it gets.
pub fn refusal(error: &UploadError, request: &HttpRequest, target_id: &str) -> HttpResponse {
    if let UploadError::NotStored(detail) = error {
        tracing::error!(%detail, "upload not stored");
    }
    let status = if is_htmx(request) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        error.status()
    };
    let text = minijinja::HtmlEscape(&error.to_string()).to_string();
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(format!(
            "<p id=\"{target_id}\" class=\"text-sm text-red-600\" role=\"alert\">{text}</p>"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\Users\\x\\évil\n.txt"), "évil.txt");
        assert_eq!(clean_name("../../.."), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(human_size(2048), "2.0 KB");
    }
}
