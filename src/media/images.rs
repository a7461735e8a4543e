//! Decoding under limits and encoding anew: what comes out holds pixels only.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::Kind;

/// Longest side of a thumbnail, in pixels.
const THUMB_SIDE: u32 = 320;
/// Side of an avatar, in pixels.
const AVATAR_SIDE: u32 = 256;
/// Largest width or height decoded; bigger images are refused before their pixels exist.
const MAX_SIDE: u32 = 12_000;
/// Most memory one decode may take.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Why an image could not be used; the text is fit to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("This is not an image in PNG, JPEG, GIF or WebP format.")]
    NotImage,
    #[error("The image could not be read: it is damaged or too large.")]
    Corrupt,
    #[error("The image could not be converted.")]
    Encode,
}

fn decode(bytes: &[u8], kind: Kind) -> Result<DynamicImage, ImageError> {
    let format = kind.image_format().ok_or(ImageError::NotImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|_| ImageError::Corrupt)
}

fn png(image: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(image.to_rgba8())
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|_| ImageError::Encode)?;
    Ok(out)
}

/// Checks that `bytes` decode as the image `kind` says, and returns a PNG that fits in
/// [`THUMB_SIDE`] (never enlarged).
pub fn thumbnail_png(bytes: &[u8], kind: Kind) -> Result<Vec<u8>, ImageError> {
    let image = decode(bytes, kind)?;
    let image = if image.width() > THUMB_SIDE || image.height() > THUMB_SIDE {
        image.resize(THUMB_SIDE, THUMB_SIDE, FilterType::Triangle)
    } else {
        image
    };
    png(&image)
}

/// A square PNG of [`AVATAR_SIDE`] cut from the centre of the image in `bytes`.
pub fn avatar_png(bytes: &[u8], kind: Kind) -> Result<Vec<u8>, ImageError> {
    let image = decode(bytes, kind)?;
    let side = image.width().min(image.height());
    let x = (image.width() - side) / 2;
    let y = (image.height() - side) / 2;
    let square = image.crop_imm(x, y, side, side).resize_exact(
        AVATAR_SIDE,
        AVATAR_SIDE,
        FilterType::Lanczos3,
    );
    png(&square)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 99])
        }));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), format)
            .unwrap_or_else(|e| panic!("encode: {e}"));
        out
    }

    #[test]
    fn thumbnails_fit_and_avatars_are_square() {
        let big = sample(1000, 500, ImageFormat::Jpeg);
        let thumb = thumbnail_png(&big, Kind::Jpeg).unwrap_or_else(|e| panic!("{e}"));
        let thumb = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
        let avatar = avatar_png(&big, Kind::Jpeg).unwrap_or_else(|e| panic!("{e}"));
        let avatar = image::load_from_memory(&avatar).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((avatar.width(), avatar.height()), (256, 256));
    }

    #[test]
    fn damaged_images_are_refused() {
        let mut png = sample(10, 10, ImageFormat::Png);
        png.truncate(40);
        assert_eq!(thumbnail_png(&png, Kind::Png), Err(ImageError::Corrupt));
        assert_eq!(avatar_png(b"%PDF-", Kind::Pdf), Err(ImageError::NotImage));
    }
}
