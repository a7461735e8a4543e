//! A message's plaintext as it is sealed: its words and the HTML they render to, in one
//! token. A page opens one token per message and never renders it again; the words stay
//! the source of truth (editing, the API, re-rendering after the renderer changes).
//!
//! Layout of a body of format n > 0: the words' length in bytes, a newline, the words,
//! then the HTML. Format 0 (messages stored before rendering existed) is the words alone.
//! The format comes from storage's column, never from the plaintext, so no words anyone
//! typed can pass for HTML.

use crate::crypto::{CryptoError, Sealer};
use crate::domain::SealedBody;
use crate::frontend::present::markdown::{self, RENDERER_VERSION};
use crate::frontend::present::view::MessageText;

/// `words` rendered (each `@name` that `mentionable` allows a mention), and sealed with
/// their HTML; also the names mentioned.
pub fn seal(
    sealer: &Sealer,
    words: &str,
    mentionable: &dyn Fn(&str) -> bool,
) -> (SealedBody, MessageText, Vec<String>) {
    let markdown::Rendered { html, mentioned } = markdown::render(words, mentionable);
    let length = words.len().to_string();
    let mut plain = String::with_capacity(length.len() + 1 + words.len() + html.len());
    plain.push_str(&length);
    plain.push('\n');
    plain.push_str(words);
    plain.push_str(&html);
    let body = SealedBody {
        sealed: sealer.seal(plain.as_bytes()),
        format: RENDERER_VERSION,
    };
    let text = MessageText {
        words: words.to_owned(),
        html,
        quote: None,
    };
    (body, text, mentioned)
}

/// The words and HTML of `body`; HTML from another renderer version is made anew.
pub fn open(sealer: &Sealer, body: &SealedBody) -> Result<MessageText, CryptoError> {
    let plain = sealer.open_text(&body.sealed)?;
    if body.format == 0 {
        return Ok(MessageText::rendered(plain));
    }
    let (words, html) = unpack(&plain).ok_or(CryptoError::CannotOpen)?;
    if body.format == RENDERER_VERSION {
        Ok(MessageText {
            words: words.to_owned(),
            html: html.to_owned(),
            quote: None,
        })
    } else {
        Ok(MessageText::rendered(words.to_owned()))
    }
}

fn unpack(plain: &str) -> Option<(&str, &str)> {
    let (length, rest) = plain.split_once('\n')?;
    let length: usize = length.parse().ok()?;
    if !rest.is_char_boundary(length) {
        return None;
    }
    Some(rest.split_at(length))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(&[fernet::Fernet::generate_key()]).unwrap()
    }

    #[test]
    fn words_and_html_come_back_as_sealed() {
        let sealer = sealer();
        let (body, text, _) = seal(&sealer, "a **b**\n12\nc", &|_| false);
        assert_eq!(body.format, RENDERER_VERSION);
        let opened = open(&sealer, &body).unwrap();
        assert_eq!(opened.words, "a **b**\n12\nc");
        assert_eq!(opened.html, text.html);
        assert!(opened.html.contains("<strong>b</strong>"));
    }

    #[test]
    fn bodies_from_before_rendering_are_rendered_when_opened() {
        let sealer = sealer();
        let old = SealedBody {
            sealed: sealer.seal(b"12\n<b>x</b>"),
            format: 0,
        };
        let opened = open(&sealer, &old).unwrap();
        assert_eq!(opened.words, "12\n<b>x</b>");
        assert_eq!(opened.html, "<p>12<br>\n&lt;b&gt;x&lt;/b&gt;</p>");
    }

    #[test]
    fn html_of_another_renderer_version_is_made_anew() {
        let sealer = sealer();
        let stale = SealedBody {
            sealed: sealer.seal(b"4\n*hi*<i>stale</i>"),
            format: RENDERER_VERSION + 1,
        };
        assert_eq!(open(&sealer, &stale).unwrap().html, "<p><em>hi</em></p>");
    }

    #[test]
    fn a_body_whose_layout_does_not_parse_does_not_open() {
        let sealer = sealer();
        for plain in ["no newline", "x\nwords", "99\nshort", "1\né"] {
            let body = SealedBody {
                sealed: sealer.seal(plain.as_bytes()),
                format: RENDERER_VERSION,
            };
            assert!(open(&sealer, &body).is_err(), "{plain:?}");
        }
    }
}
