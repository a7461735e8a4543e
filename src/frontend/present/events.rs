//! What the server sends: each event rendered once per format, the same bytes then go to
//! every socket of the room.

use minijinja::context;
use serde_json::json;

use crate::domain::{Emoji, MessageId, ReactionGroup, RoomId, StoredMessage, User};
use crate::frontend::present::templates::Templates;
use crate::frontend::present::view::{MessageView, ReactionView};
use crate::frontend::present::wire::{ReactionOut, message_json};
use crate::hub::{Notice, Presence, RoomEvent};

/// A new message, for browsers (appended to `#messages`) and programs.
pub fn render_message(
    templates: &Templates,
    room_name: &str,
    message: &StoredMessage,
    view: &MessageView,
) -> Result<RoomEvent, minijinja::Error> {
    message_event(
        templates,
        "partials/message_oob.html",
        "message",
        room_name,
        message,
        view,
    )
    .map(|event| RoomEvent {
        message_id: Some(message.id),
        ..event
    })
}

/// A message's fragment from `template` and its JSON event of type `kind`.
fn message_event(
    templates: &Templates,
    template: &str,
    kind: &str,
    room_name: &str,
    message: &StoredMessage,
    view: &MessageView,
) -> Result<RoomEvent, minijinja::Error> {
    let html = templates
        .render(
            template,
            context! { message => minijinja::Value::from(minijinja::value::Serde(view)) },
        )
        .map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })?;
    let json = json!({ "type": kind, "message": message_json(room_name, message, &view.text) });
    Ok(event(html, json))
}

/// A reaction added or removed: browsers get the message's whole reaction row (app.js
/// moves it into the message and marks the viewer's own), programs `reaction_added` or
/// `reaction_removed` with the message's reactions after.
pub fn render_reaction(
    templates: &Templates,
    room_name: &str,
    id: MessageId,
    emoji: &Emoji,
    user: &User,
    added: bool,
    reactions: &[ReactionGroup],
) -> RoomEvent {
    let html = templates
        .render(
            "partials/reaction_update_oob.html",
            context! {
                id => id.0,
                reactions => minijinja::Value::from(minijinja::value::Serde(ReactionView::all(reactions))),
            },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "reaction fragment failed to render");
            String::new()
        });
    let json = json!({
        "type": if added { "reaction_added" } else { "reaction_removed" },
        "group": room_name,
        "message": id.0,
        "emoji": emoji.as_str(),
        "user": { "id": user.id.0, "username": user.username, "display_name": user.display_name },
        "reactions": ReactionOut::all(reactions),
    });
    event(html, json)
}

/// The people of `presence` as the online list shows them: by name, username on hover.
pub fn online(presence: &Presence) -> Vec<minijinja::Value> {
    presence
        .usernames
        .iter()
        .zip(&presence.names)
        .map(|(username, name)| context! { username => username, name => name })
        .collect()
}

/// Who is online, as the hub reports it.
pub fn render_presence(templates: &Templates, presence: &Presence) -> RoomEvent {
    let html = templates
        .render(
            "partials/presence_oob.html",
            context! { online => online(presence), online_total => presence.online_total },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "presence fragment failed to render");
            String::new()
        });
    let json = json!({
        "type": "presence",
        "online": presence.usernames.len(),
        "users": presence.usernames,
        "names": presence.names,
        "online_total": presence.online_total,
    });
    event(html, json)
}

/// An edited message: browsers replace `#message-{id}` out of band, programs get
/// `message_edited`. No `message_id`, so a socket that resumed past it still receives it.
pub fn render_edited(
    templates: &Templates,
    room_name: &str,
    message: &StoredMessage,
    view: &MessageView,
) -> Result<RoomEvent, minijinja::Error> {
    message_event(
        templates,
        "partials/message_edited_oob.html",
        "message_edited",
        room_name,
        message,
        view,
    )
}

/// A deleted message: browsers drop `#message-{id}` (htmx 2's `delete` swap), programs get
/// `message_deleted`.
pub fn render_deleted(id: MessageId) -> RoomEvent {
    let html = format!(
        r#"<article id="message-{}" hx-swap-oob="delete"></article>"#,
        id.0
    );
    let json = json!({ "type": "message_deleted", "id": id.0 });
    event(html, json)
}

/// Someone is typing: ephemeral, never stored. Browsers show it for a few seconds; the
/// typist's own sockets skip it (`from`).
pub fn render_typing(templates: &Templates, user: &User) -> RoomEvent {
    let html = templates
        .render(
            "partials/typing_oob.html",
            context! { user => user.username.as_str(), name => user.shown_name() },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "typing fragment failed to render");
            String::new()
        });
    let json =
        json!({ "type": "typing", "user": user.username.as_str(), "name": user.shown_name() });
    RoomEvent {
        from: Some(user.id),
        ..event(html, json)
    }
}

/// A new message in `room`, for its members' sockets in other rooms: browsers move the
/// sidebar entry up and count it unread (app.js), programs get `room_activity`. The same
/// bytes go to every member, so nothing in it depends on who reads it.
pub fn render_activity(
    templates: &Templates,
    room: RoomId,
    room_name: &str,
    message: &StoredMessage,
) -> Notice {
    let author = message.author.as_ref().map(|a| a.username.as_str());
    // Who is mentioned, so their pages can count it apart from the unread.
    let mentions: Vec<String> = message
        .mentions
        .iter()
        .map(|m| m.username.clone())
        .collect();
    let html = templates
        .render(
            "partials/room_activity_oob.html",
            context! { room => room_name, id => message.id.0, author => author, mentions => &mentions },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "activity fragment failed to render");
            String::new()
        });
    let json = json!({
        "type": "room_activity",
        "room": room_name,
        "id": message.id.0,
        "author": author,
        "mentions": mentions,
    });
    Notice {
        room,
        event: event(html, json),
    }
}

/// An event every socket of the room gets, in both formats.
fn event(html: String, json: serde_json::Value) -> RoomEvent {
    RoomEvent {
        message_id: None,
        html: html.into(),
        json: json.to_string().into(),
        from: None,
    }
}
