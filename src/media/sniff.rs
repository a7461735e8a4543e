//! Content sniffing against an allow-list: PNG, JPEG, GIF, WebP, PDF, ZIP, UTF-8 text.

/// An accepted kind of upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Zip,
    Text,
}

impl Kind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Zip => "application/zip",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Gif | Self::Webp)
    }

    pub(super) fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Self::Png => Some(image::ImageFormat::Png),
            Self::Jpeg => Some(image::ImageFormat::Jpeg),
            Self::Gif => Some(image::ImageFormat::Gif),
            Self::Webp => Some(image::ImageFormat::WebP),
            _ => None,
        }
    }
}

/// Why bytes were refused; the text is fit to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("The file is empty.")]
    Empty,
    #[error(
        "This kind of file is not accepted. Allowed: images (PNG, JPEG, GIF, WebP), PDF, ZIP and plain text."
    )]
    Kind,
    #[error("HTML, SVG and XML documents are not accepted.")]
    Markup,
}

/// What `bytes` are, judged by their content alone.
pub fn sniff(bytes: &[u8]) -> Result<Kind, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Kind::Jpeg
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Kind::Gif
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Kind::Webp
    } else if bytes.starts_with(b"%PDF-") {
        Kind::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else {
        return text(bytes);
    };
    Ok(kind)
}

/// Plain text: valid UTF-8 without control characters other than whitespace, and not
/// markup a browser could be talked into rendering.
fn text(bytes: &[u8]) -> Result<Kind, Refused> {
    let text = std::str::from_utf8(bytes).map_err(|_| Refused::Kind)?;
    let controls = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    if controls {
        return Err(Refused::Kind);
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') {
        return Err(Refused::Markup);
    }
    Ok(Kind::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(Kind::Png));
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(Kind::Pdf));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(Kind::Webp));
        assert_eq!(sniff("héllo\nworld\n".as_bytes()), Ok(Kind::Text));
        assert_eq!(sniff(b""), Err(Refused::Empty));
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), Err(Refused::Kind));
        assert_eq!(sniff(b"MZ\x90\0"), Err(Refused::Kind));
        assert_eq!(sniff(b"\xff\xfe\0<"), Err(Refused::Kind));
        assert_eq!(sniff(b"  <svg onload=alert(1)>"), Err(Refused::Markup));
        assert_eq!(sniff(b"\xef\xbb\xbf<!DOCTYPE html>"), Err(Refused::Markup));
    }
}
