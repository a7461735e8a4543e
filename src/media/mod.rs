//! What uploaded bytes are and what we make of them: the kind comes from the content
//! (magic bytes), never from a name or a client's claim; images are decoded and encoded
//! anew, so whatever metadata they carried is not copied.

mod images;
mod sniff;

pub use images::{ImageError, avatar_png, thumbnail_png};
pub use sniff::{Kind, Refused, sniff};
