//! Uploads as a browser sends them, test images, and what lies on disk.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, RgbImage};

use super::Client;

/// A multipart body of `(field, filename, bytes)` parts and its Content-Type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "hearth-test-boundary-4f1c2a";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: image/png\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts `parts` to `path` as htmx would (CSRF header) unless `csrf` is false.
pub async fn post_multipart(
    client: &Client,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
    csrf: bool,
) -> reqwest::Response {
    let token = client.csrf_token("/profile/edit/").await;
    let (content_type, body) = multipart(parts);
    let mut request = client
        .http
        .post(client.url(path))
        .header("Content-Type", content_type)
        .body(body);
    if csrf {
        request = request.header("X-CSRF-Token", token);
    }
    request.send().await.expect("POST")
}

/// A `width`×`height` test image encoded as `format`.
pub fn image_bytes(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 120])
    }));
    let image = if format == ImageFormat::WebP {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        image
    };
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}
