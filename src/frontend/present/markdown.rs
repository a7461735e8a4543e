//! A message's words as HTML: the safe Markdown subset chat people expect (bold, italic,
//! strikethrough, inline code, fenced code, block quotes, lists) with clickable http, https
//! and mailto links, and nothing else. Runs once per message, when it is stored or edited.
//!
//! Two walls, either of which alone would hold. The parser's events are filtered so only
//! the subset becomes markup: raw HTML, images, headings and rules come out as the literal
//! text that was typed, and a link to any other scheme as its words. Then ammonia cleans
//! the HTML against an allow-list of tags and of one attribute (`href`), so a bug in the
//! first wall still cannot produce a script, a style, a frame, an event handler or a
//! `javascript:`/`data:` URL.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::domain::MAX_MENTIONS;

/// Which renderer laid out a stored message's HTML. Raise it when the HTML for the same
/// words changes, and older messages are re-rendered from their words when opened.
pub const RENDERER_VERSION: u16 = 2;

/// What `@everyone` is typed as.
pub const EVERYONE: &str = "everyone";

/// Schemes a link may have; anything else stays text.
const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// What a link in a message says about itself: a new tab, no referrer, no opener, and no
/// endorsement by this site.
const LINK_REL: &str = "noopener noreferrer nofollow ugc";

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
        ])
        .add_tags(["span"])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("span", ["data-user"])
        .add_allowed_classes("span", ["mention"])
        .add_tag_attributes("ol", ["start"])
        .add_clean_content_tags(["script", "style"])
        .url_schemes(LINK_SCHEMES.into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true);
    builder
});

/// `text` (a message's words, as typed) as sanitised HTML, without surrounding whitespace;
/// no `@name` is a mention.
pub fn to_html(text: &str) -> String {
    render(text, &|_| false).html
}

/// A message rendered, and whom it mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The usernames (or [`EVERYONE`]) its mentions name, distinct, in the order written,
    /// at most [`MAX_MENTIONS`].
    pub mentioned: Vec<String>,
}

/// `text` as sanitised HTML, with each `@name` for which `mentionable` says yes (given
/// the name in lower case, [`EVERYONE`] included) marked as a mention.
pub fn render(text: &str, mentionable: &dyn Fn(&str) -> bool) -> Rendered {
    let mut subset = Subset::new(text);
    subset.mentionable = Some(mentionable);
    let (events, mentioned) = subset.events();
    let mut html = String::with_capacity(text.len() + text.len() / 2 + 16);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let clean = SANITISER.clean(&html).to_string();
    Rendered {
        html: clean.trim().to_owned(),
        mentioned,
    }
}

/// Every `@name` in `text` that could be a mention, in lower case, distinct, at most
/// [`MAX_MENTIONS`] + 1 (so [`EVERYONE`] among them is never crowded out): which of them
/// are is the caller's to find out before [`render`].
pub fn mention_candidates(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, name) in mention_spans(text) {
        if found.len() > MAX_MENTIONS {
            break;
        }
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// Each `@name` of `text`: its byte range and the name in lower case. An `@` counts only
/// at the start or after a character that cannot be part of a name or address, so
/// `ann@example.org` is no mention.
fn mention_spans(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices('@').filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| name_char(c) || c == '.' || c == '@') {
            return None;
        }
        let rest = &text[at + 1..];
        let length = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
        let name = &rest[..length];
        // A trailing '-' or '_' is punctuation far more often than part of a name.
        let name = name.trim_end_matches(['-', '_']);
        if name.is_empty() || name.len() > 30 {
            return None;
        }
        Some((at..at + 1 + name.len(), name.to_ascii_lowercase()))
    })
}

/// The filter between the parser and the HTML writer.
struct Subset<'a> {
    source: &'a str,
    /// Which names are mentions; `None` marks none.
    mentionable: Option<&'a dyn Fn(&str) -> bool>,
    mentioned: Vec<String>,
    out: Vec<Event<'a>>,
    /// Inside a code block: its text is shown as is, never linked.
    in_code: bool,
    /// Inside a link that was kept: no links within it.
    in_link: u32,
    /// For each open link, whether it was kept (so its end is kept or dropped alike).
    links: Vec<bool>,
    /// Inside an element that was replaced by its source text: skip until its end.
    skip_depth: u32,
}

impl<'a> Subset<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            mentionable: None,
            mentioned: Vec::new(),
            out: Vec::new(),
            in_code: false,
            in_link: 0,
            links: Vec::new(),
            skip_depth: 0,
        }
    }

    fn events(mut self) -> (Vec<Event<'a>>, Vec<String>) {
        let parser = Parser::new_ext(self.source, Options::ENABLE_STRIKETHROUGH);
        for (event, range) in parser.into_offset_iter() {
            self.take(event, range);
        }
        (self.out, self.mentioned)
    }

    fn take(&mut self, event: Event<'a>, range: Range<usize>) {
        if self.skip_depth > 0 {
            match event {
                Event::Start(_) => self.skip_depth += 1,
                Event::End(_) => self.skip_depth -= 1,
                _ => {}
            }
            return;
        }
        match event {
            // Outside the subset: shown as typed, as a paragraph of its own.
            Event::Start(Tag::Heading { .. }) => {
                self.skip_depth = 1;
                self.literal_block(range);
            }
            Event::Rule => self.literal_block(range),
            // Inline outside the subset: shown as typed, in place.
            Event::Start(Tag::Image { .. }) => {
                self.skip_depth = 1;
                self.literal(range);
            }
            Event::Html(_) | Event::InlineHtml(_) => self.literal(range),
            Event::Start(Tag::HtmlBlock) => self.out.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => self.out.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::CodeBlock(kind)) => {
                self.in_code = true;
                self.out.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.out.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let kept = link_type == LinkType::Email || allowed_link(&dest_url);
                self.links.push(kept);
                if kept {
                    self.in_link += 1;
                    self.out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if self.links.pop().unwrap_or(false) {
                    self.in_link -= 1;
                    self.out.push(Event::End(TagEnd::Link));
                }
            }
            // A line break typed in a chat is a line break shown.
            Event::SoftBreak => self.out.push(Event::HardBreak),
            Event::Text(text) if !self.in_code && self.in_link == 0 => self.mentions(text),
            other => self.out.push(other),
        }
    }

    /// The source of `range` as text, line breaks kept.
    fn literal(&mut self, range: Range<usize>) {
        let text = self.source.get(range).unwrap_or_default().trim_end();
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push(Event::HardBreak);
            }
            self.mentions(CowStr::Borrowed(line.trim_end_matches('\r')));
        }
    }

    fn literal_block(&mut self, range: Range<usize>) {
        self.out.push(Event::Start(Tag::Paragraph));
        self.literal(range);
        self.out.push(Event::End(TagEnd::Paragraph));
    }

    /// Plain text with its mentions marked, and links made of the rest.
    fn mentions(&mut self, text: CowStr<'a>) {
        let Some(mentionable) = self.mentionable else {
            return self.linkify(text);
        };
        let mut written = 0;
        for (range, name) in mention_spans(&text) {
            let known = self.mentioned.contains(&name);
            if !known && (self.mentioned.len() >= MAX_MENTIONS || !mentionable(&name)) {
                continue;
            }
            if !known {
                self.mentioned.push(name.clone());
            }
            if range.start > written {
                self.linkify(text[written..range.start].to_owned().into());
            }
            // `name` is [a-z0-9_-] only: nothing in it needs escaping.
            self.out.push(Event::InlineHtml(
                format!(r#"<span class="mention" data-user="{name}">@{name}</span>"#).into(),
            ));
            written = range.end;
        }
        if written == 0 {
            self.linkify(text);
        } else if written < text.len() {
            self.linkify(text[written..].to_owned().into());
        }
    }

    /// Plain text with the URLs and addresses in it made links.
    fn linkify(&mut self, text: CowStr<'a>) {
        let finder = link_finder();
        if !finder.links(&text).any(|link| linkable(&link)) {
            self.out.push(Event::Text(text));
            return;
        }
        for span in finder.spans(&text) {
            let piece = span.as_str().to_owned();
            let link = span.kind().and_then(|kind| match kind {
                linkify::LinkKind::Url if allowed_link(&piece) => Some(piece.clone()),
                linkify::LinkKind::Email => Some(format!("mailto:{piece}")),
                _ => None,
            });
            match link {
                Some(dest) => {
                    self.out.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: dest.into(),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    }));
                    self.out.push(Event::Text(piece.into()));
                    self.out.push(Event::End(TagEnd::Link));
                }
                None => self.out.push(Event::Text(piece.into())),
            }
        }
    }
}

fn link_finder() -> linkify::LinkFinder {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url, linkify::LinkKind::Email]);
    finder
}

fn linkable(link: &linkify::Link<'_>) -> bool {
    match link.kind() {
        linkify::LinkKind::Url => allowed_link(link.as_str()),
        _ => true,
    }
}

/// Whether `url` is absolute with one of [`LINK_SCHEMES`], as a browser would parse it.
fn allowed_link(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|parsed| LINK_SCHEMES.contains(&parsed.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_becomes_markup() {
        assert_eq!(to_html("**bold**"), "<p><strong>bold</strong></p>");
        assert_eq!(to_html("*it* _it_"), "<p><em>it</em> <em>it</em></p>");
        assert_eq!(to_html("~~gone~~"), "<p><del>gone</del></p>");
        assert_eq!(to_html("`a < b`"), "<p><code>a &lt; b</code></p>");
        assert_eq!(
            to_html("```\nfn main() {}\n```"),
            "<pre><code>fn main() {}\n</code></pre>"
        );
        assert_eq!(
            to_html("> quoted"),
            "<blockquote>\n<p>quoted</p>\n</blockquote>"
        );
        assert_eq!(to_html("- a\n- b"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
        assert_eq!(
            to_html("line one\nline two"),
            "<p>line one<br>\nline two</p>"
        );
    }

    #[test]
    fn urls_become_links_that_open_apart() {
        let html = to_html("see https://example.org/a?b=1&c=2.");
        assert_eq!(
            html,
            "<p>see <a href=\"https://example.org/a?b=1&amp;c=2\" target=\"_blank\" \
             rel=\"noopener noreferrer nofollow ugc\">https://example.org/a?b=1&amp;c=2</a>.</p>"
        );
        assert!(to_html("mail ann@example.org").contains("href=\"mailto:ann@example.org\""));
        assert!(to_html("[docs](https://example.org)").contains("href=\"https://example.org\""));
    }

    #[test]
    fn outside_the_subset_is_shown_as_typed() {
        assert_eq!(to_html("# title"), "<p># title</p>");
        assert_eq!(to_html("---"), "<p>---</p>");
        assert_eq!(
            to_html("![x](https://example.org/x.png)"),
            "<p>![x](<a href=\"https://example.org/x.png\" target=\"_blank\" \
             rel=\"noopener noreferrer nofollow ugc\">https://example.org/x.png</a>)</p>"
        );
        assert_eq!(to_html("<b>hi</b>"), "<p>&lt;b&gt;hi&lt;/b&gt;</p>");
    }

    #[test]
    fn mentions_are_marked_only_for_those_who_may_be_named() {
        let members = |name: &str| ["bob", "ann-b", EVERYONE].contains(&name);
        let rendered = render(
            "hi @Bob and @ann-b, @eve, mail x@bob.org `@bob` @bob",
            &members,
        );
        assert_eq!(
            rendered.html,
            "<p>hi <span class=\"mention\" data-user=\"bob\">@bob</span> and \
             <span class=\"mention\" data-user=\"ann-b\">@ann-b</span>, @eve, mail \
             <a href=\"mailto:x@bob.org\" target=\"_blank\" rel=\"noopener noreferrer nofollow ugc\">x@bob.org</a> \
             <code>@bob</code> <span class=\"mention\" data-user=\"bob\">@bob</span></p>"
        );
        assert_eq!(rendered.mentioned, ["bob", "ann-b"]);
        assert_eq!(render("@everyone look", &members).mentioned, [EVERYONE]);
        assert!(
            to_html("@bob").contains("<p>@bob</p>"),
            "no mentions without a room"
        );
    }

    #[test]
    fn a_flood_of_mentions_marks_at_most_the_bound() {
        let names: Vec<String> = (0..500).map(|n| format!("@p{n}")).collect();
        let text = names.join(" ");
        let rendered = render(&text, &|_| true);
        assert_eq!(rendered.mentioned.len(), MAX_MENTIONS);
        assert_eq!(
            rendered.html.matches("class=\"mention\"").count(),
            MAX_MENTIONS
        );
        assert_eq!(mention_candidates(&text).len(), MAX_MENTIONS + 1);
    }

    #[test]
    fn links_to_other_schemes_keep_only_their_words() {
        assert_eq!(to_html("[click](javascript:alert(1))"), "<p>click</p>");
        assert_eq!(to_html("[x](data:text/html,hi)"), "<p>x</p>");
        assert_eq!(to_html("[x](/relative)"), "<p>x</p>");
        assert_eq!(
            to_html("<javascript:alert(1)>"),
            "<p>javascript:alert(1)</p>"
        );
    }
}
