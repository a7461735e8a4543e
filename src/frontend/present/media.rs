//! Where stored files and avatars are served, and how a file is shown in a message.

use serde::Serialize;

use crate::domain::FileRef;

/// The public address of the avatar stored as `name`.
pub fn avatar_url(name: &str) -> String {
    format!("/media/avatars/{name}")
}

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

pub fn human_size(bytes: u64) -> String {
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
