//! The wire: what clients send, parsed into commands.

use serde::Deserialize;

use crate::domain::MessageId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
}

/// A client's request, after parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Send { body: String },
    Resume { after: MessageId },
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
}

/// Parses a text frame. The htmx ws extension sends the form's fields plus `HEADERS`
/// and no `type`, which means "message".
pub fn parse(text: &str) -> Result<Command, Refusal> {
    let incoming: Incoming = serde_json::from_str(text)
        .map_err(|_| Refusal::new("malformed", "The frame is not a JSON object."))?;
    match incoming.kind.as_deref() {
        None | Some("message") => match incoming.body {
            Some(serde_json::Value::String(body)) => Ok(Command::Send { body }),
            Some(_) => Err(Refusal::new("invalid", "body must be a string.")),
            None => Err(Refusal::new("invalid", "body is required.")),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htmx_form_frames_and_json_commands_parse() {
        let htmx = r#"{"body":"hi","HEADERS":{"HX-Request":"true"}}"#;
        assert_eq!(parse(htmx), Ok(Command::Send { body: "hi".into() }));
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
            parse(r#"{"type":"dance"}"#).map_err(|r| r.code),
            Err("unknown_type")
        );
    }
}
