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

/// Which renderer laid out a stored message's HTML. Raise it when the HTML for the same
/// words changes, and older messages are re-rendered from their words when opened.
pub const RENDERER_VERSION: u16 = 1;

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
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .add_clean_content_tags(["script", "style"])
        .url_schemes(LINK_SCHEMES.into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true);
    builder
});

/// `text` (a message's words, as typed) as sanitised HTML, without surrounding whitespace.
pub fn to_html(text: &str) -> String {
    let events = Subset::new(text).events();
    let mut html = String::with_capacity(text.len() + text.len() / 2 + 16);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let clean = SANITISER.clean(&html).to_string();
    clean.trim().to_owned()
}

/// The filter between the parser and the HTML writer.
struct Subset<'a> {
    source: &'a str,
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
            out: Vec::new(),
            in_code: false,
            in_link: 0,
            links: Vec::new(),
            skip_depth: 0,
        }
    }

    fn events(mut self) -> Vec<Event<'a>> {
        let parser = Parser::new_ext(self.source, Options::ENABLE_STRIKETHROUGH);
        for (event, range) in parser.into_offset_iter() {
            self.take(event, range);
        }
        self.out
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
            Event::Text(text) if !self.in_code && self.in_link == 0 => self.linkify(text),
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
            self.linkify(CowStr::Borrowed(line.trim_end_matches('\r')));
        }
    }

    fn literal_block(&mut self, range: Range<usize>) {
        self.out.push(Event::Start(Tag::Paragraph));
        self.literal(range);
        self.out.push(Event::End(TagEnd::Paragraph));
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
