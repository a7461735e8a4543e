//! The wire: what clients send, parsed into commands, and the refusals sent back.

use bytestring::ByteString;
use minijinja::context;
use serde::Deserialize;
use serde_json::json;

use crate::domain::MessageId;
use crate::frontend::present::templates::Templates;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
}

/// A client's request, after parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Send {
        body: String,
        /// The message of this room it answers.
        reply_to: Option<MessageId>,
    },
    Resume {
        after: MessageId,
    },
    /// Replace the body of one's own message.
    Edit {
        id: MessageId,
        body: String,
    },
    /// Delete one's own message, or any in a room one administers.
    Delete {
        id: MessageId,
    },
    /// Add (or, with `add` false, remove) one's reaction `emoji` to a message.
    React {
        id: MessageId,
        emoji: String,
        add: bool,
    },
    /// The person is typing: relayed to the room's other sockets, never stored. Browsers
    /// send the same JSON (`{"type":"typing"}`) from app.js through the htmx socket.
    Typing,
}

/// A refused frame: `code` is stable for programs, `detail` is for people.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub detail: String,
}

impl Refusal {
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: Option<String>,
    body: Option<serde_json::Value>,
    after: Option<i64>,
    /// A number from programs; a browser form sends every field as a string.
    id: Option<serde_json::Value>,
    emoji: Option<serde_json::Value>,
    /// Like `id`; a browser form sends "" when the message answers nothing.
    reply_to: Option<serde_json::Value>,
}

fn message_id(id: Option<serde_json::Value>) -> Result<MessageId, Refusal> {
    let id = match id {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match id {
        Some(id) if id > 0 => Ok(MessageId(id)),
        _ => Err(Refusal::new("invalid", "id must be a message id.")),
    }
}

fn body(body: Option<serde_json::Value>) -> Result<String, Refusal> {
    match body {
        Some(serde_json::Value::String(body)) => Ok(body),
        Some(_) => Err(Refusal::new("invalid", "body must be a string.")),
        None => Err(Refusal::new("invalid", "body is required.")),
    }
}

/// Parses a text frame. The htmx ws extension sends the form's fields plus `HEADERS`
/// and no `type`, which means "message".
pub fn parse(text: &str) -> Result<Command, Refusal> {
    let incoming: Incoming = serde_json::from_str(text)
        .map_err(|_| Refusal::new("malformed", "The frame is not a JSON object."))?;
    match incoming.kind.as_deref() {
        None | Some("message") => Ok(Command::Send {
            body: body(incoming.body)?,
            reply_to: match incoming.reply_to {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
                Some(id) => Some(
                    message_id(Some(id))
                        .map_err(|_| Refusal::new("invalid", "reply_to must be a message id."))?,
                ),
            },
        }),
        Some("edit") => Ok(Command::Edit {
            id: message_id(incoming.id)?,
            body: body(incoming.body)?,
        }),
        Some("delete") => Ok(Command::Delete {
            id: message_id(incoming.id)?,
        }),
        Some(kind @ ("react" | "unreact")) => Ok(Command::React {
            id: message_id(incoming.id)?,
            emoji: match incoming.emoji {
                Some(serde_json::Value::String(emoji)) => emoji,
                _ => return Err(Refusal::new("invalid", "emoji must be a string.")),
            },
            add: kind == "react",
        }),
        Some("typing") => Ok(Command::Typing),
        Some("resume") => match incoming.after {
            Some(after) if after >= 0 => Ok(Command::Resume {
                after: MessageId(after),
            }),
            _ => Err(Refusal::new(
                "invalid",
                "resume needs after: a message id ≥ 0.",
            )),
        },
        Some(other) => Err(Refusal::new(
            "unknown_type",
            format!("Unknown type {other:?}."),
        )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htmx_form_frames_and_json_commands_parse() {
        let htmx = r#"{"body":"hi","HEADERS":{"HX-Request":"true"}}"#;
        assert_eq!(
            parse(htmx),
            Ok(Command::Send {
                body: "hi".into(),
                reply_to: None
            })
        );
        let reply = r#"{"body":"yes","reply_to":"12","HEADERS":{"HX-Request":"true"}}"#;
        assert_eq!(
            parse(reply),
            Ok(Command::Send {
                body: "yes".into(),
                reply_to: Some(MessageId(12))
            })
        );
        let unanswered = r#"{"body":"yes","reply_to":""}"#;
        assert!(matches!(
            parse(unanswered),
            Ok(Command::Send { reply_to: None, .. })
        ));
        for bad in [
            r#"{"body":"x","reply_to":"x"}"#,
            r#"{"body":"x","reply_to":-1}"#,
        ] {
            assert_eq!(parse(bad).map_err(|r| r.code), Err("invalid"), "{bad}");
        }
        assert_eq!(
            parse(r#"{"type":"resume","after":5}"#),
            Ok(Command::Resume {
                after: MessageId(5)
            })
        );
        assert_eq!(parse("nope").map_err(|r| r.code), Err("malformed"));
        assert_eq!(parse("[1]").map_err(|r| r.code), Err("malformed"));
        assert_eq!(parse(r#"{"body":5}"#).map_err(|r| r.code), Err("invalid"));
        assert_eq!(
            parse(r#"{"type":"edit","id":7,"body":"new"}"#),
            Ok(Command::Edit {
                id: MessageId(7),
                body: "new".into()
            })
        );
        let form = r#"{"type":"delete","id":"7","HEADERS":{"HX-Request":"true"}}"#;
        assert_eq!(parse(form), Ok(Command::Delete { id: MessageId(7) }));
        for bad in [
            r#"{"type":"delete"}"#,
            r#"{"type":"delete","id":0}"#,
            r#"{"type":"delete","id":"x"}"#,
            r#"{"type":"edit","id":3}"#,
        ] {
            assert_eq!(parse(bad).map_err(|r| r.code), Err("invalid"), "{bad}");
        }
        assert_eq!(parse(r#"{"type":"typing"}"#), Ok(Command::Typing));
        assert_eq!(
            parse(r#"{"type":"unreact","id":"7","emoji":"👍"}"#),
            Ok(Command::React {
                id: MessageId(7),
                emoji: "👍".into(),
                add: false
            })
        );
        for bad in [
            r#"{"type":"react","id":7}"#,
            r#"{"type":"react","id":7,"emoji":1}"#,
            r#"{"type":"react","emoji":"👍"}"#,
        ] {
            assert_eq!(parse(bad).map_err(|r| r.code), Err("invalid"), "{bad}");
        }
        assert_eq!(
            parse(r#"{"type":"dance"}"#).map_err(|r| r.code),
            Err("unknown_type")
        );
    }
}
