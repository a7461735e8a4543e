//! How things are shown, the same for every entrance: views of domain records for the
//! templates, the live events' fragments and JSON, and the JSON objects programs read.
//! Imports nothing above it: no entrance, no service.

pub mod events;
pub mod markdown;
pub mod media;
pub mod templates;
pub mod view;
pub mod wire;
