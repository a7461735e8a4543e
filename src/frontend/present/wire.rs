//! The JSON shapes programs see, shared by the REST API and the JSON WebSocket so the
//! two can never drift apart.

use serde_json::{Value, json};

use super::media::file_url;
use crate::domain::StoredMessage;
use crate::frontend::present::view::iso;

/// A message object: `{"id","group","author":{"id","username","display_name"},"body",
/// "file","created","edited"}`; `group` is the room's name, `author` null once the account
/// is gone, `file` the URL of the file the message carries (null when none).
pub fn message_json(room_name: &str, message: &StoredMessage, body: &str) -> Value {
    let author = message
        .author
        .as_ref()
        .map(|a| json!({ "id": a.id, "username": a.username, "display_name": a.display_name }));
    json!({
        "id": message.id,
        "group": room_name,
        "author": author,
        "body": body,
        "file": message.file.as_ref().map(file_url),
        "created": iso(message.created),
        "edited": message.edited.map(iso),
    })
}
