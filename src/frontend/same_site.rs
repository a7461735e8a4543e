//! Where a page may send the browser next (`?next=` after log-in): only a path on this
//! site, decided by parsing it as a URL, never by looking at its first characters.
//!
//! Browsers drop tabs and newlines inside a URL and read `\` as `/`, so `/\t/evil.example`
//! and `/\evil.example` both mean `//evil.example`, another host. Parsing the candidate
//! the way a browser does (WHATWG URL, the `url` crate) and keeping it only when it stays
//! on this origin closes every such spelling at once; what is kept is re-serialised, so it
//! is percent-encoded visible ASCII and always a valid header value.

use url::Url;

/// Where a browser goes when `next` is absent or refused.
pub const DEFAULT_NEXT: &str = "/chat/";

/// A stand-in origin to resolve against; `.invalid` can never be a real host (RFC 6761).
const BASE: &str = "http://hearth.invalid/";

/// Longer `next` values are refused: nothing Hearth links to comes near this.
const MAX_LEN: usize = 2048;

/// `raw` as a same-site path (with its query and fragment), or [`DEFAULT_NEXT`].
pub fn next_or_default(raw: Option<&str>) -> String {
    raw.and_then(same_site_path)
        .unwrap_or_else(|| DEFAULT_NEXT.to_owned())
}

/// `raw` re-serialised as a path on this site, or `None` when it names anything else:
/// another scheme or host, a scheme-relative `//host`, or a path that a browser would
/// read as one.
pub fn same_site_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_LEN || !raw.starts_with('/') {
        return None;
    }
    let base = Url::parse(BASE).ok()?;
    let url = base.join(raw).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    // `/.//evil.example` resolves to the path `//evil.example`, which as a Location is
    // another host again.
    if url.path().starts_with("//") {
        return None;
    }
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_kept_with_their_query() {
        assert_eq!(
            same_site_path("/chat/room/x/?a=b#m1").as_deref(),
            Some("/chat/room/x/?a=b#m1")
        );
        assert_eq!(same_site_path("/").as_deref(), Some("/"));
    }

    #[test]
    fn spellings_of_another_host_fall_back() {
        for hostile in [
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/\r\n/evil.example/x",
            "/ /evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/.//evil.example",
            "/./\t/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            let next = next_or_default(Some(hostile));
            assert!(
                next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'),
                "{hostile:?} gave {next:?}"
            );
            assert!(
                !next.contains("evil.example") || next.starts_with("/%20/"),
                "{hostile:?} gave {next:?}"
            );
        }
        assert_eq!(next_or_default(Some("/\t/evil.example/x")), DEFAULT_NEXT);
        assert_eq!(next_or_default(None), DEFAULT_NEXT);
    }

    #[test]
    fn control_characters_never_reach_the_header() {
        let kept = next_or_default(Some("/chat/\u{7f}x\u{1}y z\u{e9}"));
        assert!(kept.bytes().all(|b| b.is_ascii_graphic()), "{kept:?}");
        assert!(actix_web::http::header::HeaderValue::from_str(&kept).is_ok());
    }
}
