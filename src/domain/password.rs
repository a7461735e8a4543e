//! Django-compatible password rules: a port of the four validators in Django's default
//! `AUTH_PASSWORD_VALIDATORS` (`django/contrib/auth/password_validation.py`, Django 6.1.3,
//! unchanged in substance since 5.x), with Django's English messages, so that people moving
//! from a Django deployment meet the same rules. Python's string semantics (`len`, `lower`,
//! `strip`, `isdigit`, `re`'s `\w`) are reproduced where Rust's differ.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

const MIN_LENGTH: usize = 8;
const MAX_SIMILARITY: f64 = 0.7;

/// Django's own list (20 000 leaked passwords, lower-cased), shipped byte-for-byte.
static COMMON_GZ: &[u8] = include_bytes!("common-passwords.txt.gz");

/// Checks `password` against all four rules; returns every failing rule's message in Django's
/// order, i.e. the order of the default `AUTH_PASSWORD_VALIDATORS` in Django's project template
/// (similarity, length, common, numeric), or `Ok(())` when it passes.
pub fn validate_password(password: &str, username: &str, email: &str) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    // Django's verbose names of `User.username` and `User.email`.
    let attributes = [("username", username), ("email address", email)];
    if let Some(verbose_name) = too_similar(password, &attributes) {
        errors.push(format!(
            "The password is too similar to the {verbose_name}."
        ));
    }
    // Python's `len` counts code points, not bytes.
    if password.chars().count() < MIN_LENGTH {
        errors.push(format!(
            "This password is too short. It must contain at least {MIN_LENGTH} characters."
        ));
    }
    if common_passwords().contains(py_strip(&password.to_lowercase())) {
        errors.push("This password is too common.".to_owned());
    }
    if !password.is_empty() && password.chars().all(py_isdigit) {
        errors.push("This password is entirely numeric.".to_owned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The verbose name of the first attribute the password is too similar to.
fn too_similar<'a>(password: &str, attributes: &[(&'a str, &str)]) -> Option<&'a str> {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    for &(verbose_name, value) in attributes {
        if value.is_empty() {
            continue;
        }
        let value = value.to_lowercase();
        // Comparing the parts too catches a password built from one half of an email address.
        let mut parts = re_split_non_word(&value);
        parts.push(&value);
        for part in parts {
            let part: Vec<char> = part.chars().collect();
            if exceeds_maximum_length_ratio(password.len(), part.len()) {
                continue;
            }
            if quick_ratio(&password, &part) >= MAX_SIMILARITY {
                return Some(verbose_name);
            }
        }
    }
    None
}

/// Django's shortcut: a part this much shorter than the password can't reach the threshold
/// (the ratio is at most 2/11), so comparing it would only cost time.
fn exceeds_maximum_length_ratio(password_len: usize, value_len: usize) -> bool {
    let length_bound_similarity = MAX_SIMILARITY / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < length_bound_similarity
}

/// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: the multiset overlap, ignoring order.
/// Junk heuristics don't apply, since `quick_ratio` counts the raw `b`.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let mut available: HashMap<char, usize> = HashMap::new();
    for &c in b {
        *available.entry(c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a {
        if let Some(left) = available.get_mut(c)
            && *left > 0
        {
            *left -= 1;
            matches += 1;
        }
    }
    let length = a.len() + b.len();
    if length == 0 {
        1.0
    } else {
        2.0 * matches as f64 / length as f64
    }
}

/// `re.split(r"\W+", s)`: runs of separators count once, but a leading or trailing run still
/// yields an empty part, which Django then compares (it matters only to an empty password).
fn re_split_non_word(s: &str) -> Vec<&str> {
    let pieces: Vec<&str> = s.split(|c: char| !py_is_word(c)).collect();
    let last = pieces.len().saturating_sub(1);
    pieces
        .into_iter()
        .enumerate()
        .filter(|&(i, piece)| !piece.is_empty() || i == 0 || i == last)
        .map(|(_, piece)| piece)
        .collect()
}

/// Python's `\w` is `str.isalnum() or '_'`. Rust's `is_alphanumeric` also admits combining
/// marks with the Other_Alphabetic property (e.g. Devanagari vowel signs), which Python
/// splits on; matching that would need a ~240-range table, and usernames here are ASCII.
fn py_is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `str.strip()`: Python also strips the ASCII separators U+001C..U+001F, Rust's `trim` doesn't.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// `str.isdigit()` per character: Numeric_Type Decimal or Digit, so superscripts and circled
/// digits count but fractions and Roman numerals (which `char::is_numeric` admits) don't.
/// Table generated from Python 3.13's `unicodedata` (Unicode 15.1).
fn py_isdigit(c: char) -> bool {
    let c = u32::from(c);
    DIGIT_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

#[rustfmt::skip]
const DIGIT_RANGES: [(u32, u32); 83] = [
    (0x0030, 0x0039), (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x0660, 0x0669), (0x06F0, 0x06F9),
    (0x07C0, 0x07C9), (0x0966, 0x096F), (0x09E6, 0x09EF), (0x0A66, 0x0A6F), (0x0AE6, 0x0AEF),
    (0x0B66, 0x0B6F), (0x0BE6, 0x0BEF), (0x0C66, 0x0C6F), (0x0CE6, 0x0CEF), (0x0D66, 0x0D6F),
    (0x0DE6, 0x0DEF), (0x0E50, 0x0E59), (0x0ED0, 0x0ED9), (0x0F20, 0x0F29), (0x1040, 0x1049),
    (0x1090, 0x1099), (0x1369, 0x1371), (0x17E0, 0x17E9), (0x1810, 0x1819), (0x1946, 0x194F),
    (0x19D0, 0x19DA), (0x1A80, 0x1A89), (0x1A90, 0x1A99), (0x1B50, 0x1B59), (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49), (0x1C50, 0x1C59), (0x2070, 0x2070), (0x2074, 0x2079), (0x2080, 0x2089),
    (0x2460, 0x2468), (0x2474, 0x247C), (0x2488, 0x2490), (0x24EA, 0x24EA), (0x24F5, 0x24FD),
    (0x24FF, 0x24FF), (0x2776, 0x277E), (0x2780, 0x2788), (0x278A, 0x2792), (0xA620, 0xA629),
    (0xA8D0, 0xA8D9), (0xA900, 0xA909), (0xA9D0, 0xA9D9), (0xA9F0, 0xA9F9), (0xAA50, 0xAA59),
    (0xABF0, 0xABF9), (0xFF10, 0xFF19), (0x104A0, 0x104A9), (0x10A40, 0x10A43), (0x10D30, 0x10D39),
    (0x10E60, 0x10E68), (0x11052, 0x1105A), (0x11066, 0x1106F), (0x110F0, 0x110F9), (0x11136, 0x1113F),
    (0x111D0, 0x111D9), (0x112F0, 0x112F9), (0x11450, 0x11459), (0x114D0, 0x114D9), (0x11650, 0x11659),
    (0x116C0, 0x116C9), (0x11730, 0x11739), (0x118E0, 0x118E9), (0x11950, 0x11959), (0x11C50, 0x11C59),
    (0x11D50, 0x11D59), (0x11DA0, 0x11DA9), (0x11F50, 0x11F59), (0x16A60, 0x16A69), (0x16AC0, 0x16AC9),
    (0x16B50, 0x16B59), (0x1D7CE, 0x1D7FF), (0x1E140, 0x1E149), (0x1E2F0, 0x1E2F9), (0x1E4F0, 0x1E4F9),
    (0x1E950, 0x1E959), (0x1F100, 0x1F10A), (0x1FBF0, 0x1FBF9),
];

/// Decompressed on first use rather than at startup: most requests never set a password.
fn common_passwords() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut text = String::new();
        if let Err(err) = flate2::read::GzDecoder::new(COMMON_GZ).read_to_string(&mut text) {
            // Only reachable if the embedded file is corrupted at build time; the other three
            // rules still apply, so degrade rather than refuse every password.
            tracing::error!(%err, "embedded common-password list is unreadable");
            return HashSet::new();
        }
        text.lines().map(|line| py_strip(line).to_owned()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: &str = "This password is too short. It must contain at least 8 characters.";
    const COMMON: &str = "This password is too common.";
    const NUMERIC: &str = "This password is entirely numeric.";
    const LIKE_USER: &str = "The password is too similar to the username.";
    const LIKE_EMAIL: &str = "The password is too similar to the email address.";
    const NONE: [&str; 0] = [];

    fn errors(password: &str, username: &str, email: &str) -> Vec<String> {
        validate_password(password, username, email)
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn strong_passphrase_passes() {
        let ok = validate_password("correct horse battery staple", "alice", "alice@example.com");
        assert_eq!(ok, Ok(()));
        assert_eq!(errors("Tr0ub4dor&3x", "bob", "bob@example.org"), NONE);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(errors("xK9#qZ2", "", ""), [SHORT]);
        assert_eq!(errors("xK9#qZ2!", "", ""), NONE);
        assert_eq!(errors("ßçðøþæå", "", ""), [SHORT]); // 14 bytes, 7 characters
    }

    #[test]
    fn common_list_is_lowercased_and_stripped() {
        assert_eq!(common_passwords().len(), 19_640);
        assert_eq!(errors("password", "", ""), [COMMON]);
        assert_eq!(errors("  PassWord\t", "", ""), [COMMON]);
        assert_eq!(errors("\u{1f}password\u{a0}", "", ""), [COMMON]);
        assert_eq!(errors("pass word", "", ""), NONE);
    }

    #[test]
    fn numeric_uses_python_isdigit() {
        assert_eq!(errors("90210873465", "", ""), [NUMERIC]);
        assert_eq!(errors("12345678901", "", ""), [COMMON, NUMERIC]);
        assert_eq!(errors("١٢٣٤٥٦٧٨٩٠٥", "", ""), [NUMERIC]);
        assert_eq!(errors("²³⁴⁵⁶⁷⁸⁹①②", "", ""), [NUMERIC]);
        // Fractions and Roman numerals are numeric to Rust but not digits to Python.
        assert_eq!(errors("½¼¾ⅫⅪⅩⅨⅧ", "", ""), NONE);
        assert_eq!(errors("8675309x42q1", "", ""), NONE);
    }

    #[test]
    fn several_failures_come_in_django_order() {
        assert_eq!(errors("123", "", ""), [SHORT, COMMON, NUMERIC]);
        assert_eq!(errors("alice", "alice", ""), [LIKE_USER, SHORT, COMMON]);
        assert_eq!(errors("", "", ""), [SHORT]);
    }

    #[test]
    fn similar_to_username() {
        assert_eq!(errors("ecila-78", "alice", "a@example.com"), [LIKE_USER]);
        assert_eq!(errors("ALICE123", "alice", ""), [LIKE_USER, COMMON]);
        // 2 * 5 / (10 + 5) = 0.67 < 0.7: Django accepts this, and so must we.
        assert_eq!(errors("alice_1234", "alice", ""), NONE);
        assert_eq!(errors("alice_loves_quokkas", "alice", ""), NONE);
    }

    #[test]
    fn similar_to_a_part_of_the_email() {
        assert_eq!(errors("smithbob", "zed", "bob.smith@ex.com"), [LIKE_EMAIL]);
        assert_eq!(errors("example!?", "zed", "zz@example.com"), [LIKE_EMAIL]);
        assert_eq!(errors("zz@ex.com", "zed", "zz@ex.com"), [LIKE_EMAIL]);
        // Only the whole address is close enough here, neither the username nor a part.
        assert_eq!(errors("carolcarol", "carol", "carol@c.org"), [LIKE_EMAIL]);
        // The username is checked first and only one similarity message is given.
        assert_eq!(errors("carol-42", "carol", "carol@carol.org"), [LIKE_USER]);
    }

    #[test]
    fn helpers_match_python() {
        let parts = re_split_non_word("bob.smith@ex.com");
        assert_eq!(parts, ["bob", "smith", "ex", "com"]);
        assert_eq!(re_split_non_word("..a--b."), ["", "a", "b", ""]);
        assert_eq!(re_split_non_word("snake_case"), ["snake_case"]);
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert!((quick_ratio(&chars("abcd"), &chars("bcde")) - 0.75).abs() < 1e-12);
        assert!((quick_ratio(&chars("A"), &chars(&"A".repeat(10))) - 2.0 / 11.0).abs() < 1e-12);
        assert_eq!(quick_ratio(&[], &[]), 1.0);
        assert!(exceeds_maximum_length_ratio(40, 4));
        assert!(!exceeds_maximum_length_ratio(40, 5));
        assert!(!exceeds_maximum_length_ratio(0, 0));
        // Django quirk kept: an empty password is "similar" to a value with an edge separator.
        assert_eq!(errors("", "alice-", ""), [LIKE_USER, SHORT]);
    }
}
