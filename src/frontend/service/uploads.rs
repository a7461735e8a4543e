//! Files posted into rooms: the type read from the bytes, a thumbnail for images, both
//! sealed, stored as a message and delivered live; and read back for whoever may read the
//! room.

use actix_web::http::StatusCode;

use super::Chat;
use crate::domain::{FileId, FileRef, MessageBody, NewFile, Room, StoredMessage, User};
use crate::frontend::error::AppError;
use crate::frontend::present::view::MessageView;
use crate::media::{self, ImageError, Kind, Refused};

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
    /// Not a refusal: storing or sealing failed. Logged; shown opaque.
    #[error("The file could not be saved; try again.")]
    NotStored(String),
}

impl UploadError {
    /// The HTTP status that says why.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Refused(Refused::Empty) | Self::Form(_) => StatusCode::BAD_REQUEST,
            Self::Refused(_) | Self::Image(ImageError::NotImage) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Image(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotStored(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A file someone sent, as read from their form.
pub struct NewUpload {
    pub bytes: Vec<u8>,
    /// Already cleaned for keeping and showing.
    pub filename: String,
    pub caption: String,
}

impl Chat {
    /// Stores `upload` as `author`'s file message in `room` and delivers it live. Nothing
    /// is stored when the file or its caption is refused.
    pub async fn post_file(
        &self,
        room: &Room,
        author: &User,
        upload: NewUpload,
    ) -> Result<StoredMessage, UploadError> {
        let caption = upload.caption.trim().to_owned();
        if !caption.is_empty() {
            MessageBody::parse(&caption).map_err(|e| UploadError::Form(e.0))?;
        }
        // Decoding, resizing and sealing megabytes is CPU work: off the async workers.
        let sealer = self.sealer.clone();
        let bytes = upload.bytes;
        let (kind, size, sealed, sealed_thumb) = tokio::task::spawn_blocking(move || {
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
        .map_err(|e| UploadError::NotStored(format!("upload worker: {e}")))??;
        let new = NewFile {
            room: room.id,
            uploader: author.id,
            name: upload.filename,
            mime: kind.mime().to_owned(),
            size,
            sealed,
            sealed_thumb,
        };
        let (sealed_caption, text, _) = super::bodies::seal(&self.sealer, &caption, &|_| false);
        let stored = self
            .storage
            .create_file_message(new, sealed_caption)
            .await
            .map_err(|e| UploadError::NotStored(e.to_string()))?;
        let view = MessageView::new(&stored, text);
        self.deliver_new(room, &stored, &view).await;
        Ok(stored)
    }

    /// File `id` of `room` (or its thumbnail), opened. The caller has checked that the
    /// reader may read `room`; `NotFound` for a file of another room.
    pub async fn file_content(
        &self,
        room: &Room,
        id: FileId,
        thumb: bool,
    ) -> Result<(FileRef, Vec<u8>), AppError> {
        let file = self.storage.file_by_id(room.id, id).await?;
        let sealed = self.storage.file_content(room.id, file.id, thumb).await?;
        let bytes = self.sealer.open(&sealed)?;
        Ok((file, bytes))
    }
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
