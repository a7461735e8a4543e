//! What the server sends: each event rendered once per format, the same bytes then go to
//! every socket of the room.

use bytestring::ByteString;
use minijinja::context;
use serde_json::json;

use super::protocol::Refusal;
use crate::domain::{MessageId, StoredMessage};
use crate::frontend::pages::view::MessageView;
use crate::frontend::templates::Templates;
use crate::frontend::wire::message_json;
use crate::hub::{Presence, RoomEvent};

/// A new message, for browsers (appended to `#messages`) and programs.
pub fn render_message(
    templates: &Templates,
    room_name: &str,
    message: &StoredMessage,
    view: &MessageView,
) -> Result<RoomEvent, minijinja::Error> {
    let html = templates
        .render(
            "partials/message_oob.html",
            context! { message => minijinja::Value::from(minijinja::value::Serde(view)) },
        )
        .map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })?;
    let json =
        json!({ "type": "message", "message": message_json(room_name, message, &view.body) });
    Ok(RoomEvent {
        message_id: Some(message.id),
        html: html.into(),
        json: json.to_string().into(),
    })
}

/// Who is online, as the hub reports it.
pub fn render_presence(templates: &Templates, presence: &Presence) -> RoomEvent {
    let html = templates
        .render(
            "partials/presence_oob.html",
            context! { online => presence.usernames.clone() },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "presence fragment failed to render");
            String::new()
        });
    let json = json!({ "type": "presence", "online": presence.usernames.len(), "users": presence.usernames });
    RoomEvent {
        message_id: None,
        html: html.into(),
        json: json.to_string().into(),
    }
}

/// A refusal, for the one socket that caused it.
pub fn render_refusal(templates: &Templates, refusal: &Refusal, json_format: bool) -> ByteString {
    if json_format {
        return json!({ "type": "error", "code": refusal.code, "detail": refusal.detail })
            .to_string()
            .into();
    }
    templates
        .render(
            "partials/ws_error_oob.html",
            context! { code => refusal.code, detail => refusal.detail.clone() },
        )
        .unwrap_or_default()
        .into()
}

/// An edited message: browsers replace `#message-{id}` out of band, programs get
/// `message_edited`. No `message_id`, so a socket that resumed past it still receives it.
pub fn render_edited(
    templates: &Templates,
    room_name: &str,
    message: &StoredMessage,
    view: &MessageView,
) -> Result<RoomEvent, minijinja::Error> {
    let html = templates
        .render(
            "partials/message_edited_oob.html",
            context! { message => minijinja::Value::from(minijinja::value::Serde(view)) },
        )
        .map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })?;
    let json = json!({
        "type": "message_edited",
        "message": message_json(room_name, message, &view.body),
    });
    Ok(RoomEvent {
        message_id: None,
        html: html.into(),
        json: json.to_string().into(),
    })
}

/// A deleted message: browsers drop `#message-{id}` (htmx 2's `delete` swap), programs get
/// `message_deleted`.
pub fn render_deleted(id: MessageId) -> RoomEvent {
    let html = format!(
        r#"<article id="message-{}" hx-swap-oob="delete"></article>"#,
        id.0
    );
    let json = json!({ "type": "message_deleted", "id": id.0 });
    RoomEvent {
        message_id: None,
        html: html.into(),
        json: json.to_string().into(),
    }
}
