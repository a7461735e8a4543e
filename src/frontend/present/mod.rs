//! How things are shown, the same for every entrance: views of domain records for the
//! templates, the live events' fragments and JSON, the JSON objects programs read, and the
//! emoji picker's data.
//! Imports nothing above it: no entrance, no service.

pub mod emoji;
pub mod events;
pub mod markdown;
pub mod media;
pub mod templates;
pub mod view;
pub mod wire;
