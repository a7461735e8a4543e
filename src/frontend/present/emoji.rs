//! The emoji picker's data, served from this site (`/static/emoji.json`) so no page asks
//! another host for it: Unicode's emoji in CLDR order, grouped, each with its name and
//! GitHub's shortcodes, from the `emojis` crate. Built once, on first use.
//!
//! The document is compact on purpose (it is fetched by every browser that opens the
//! picker): each emoji is an array `[emoji, name, shortcode…]`, and only the default skin
//! tone is listed.
//!
//! ```json
//! {"groups": [{"id": "smileys-emotion", "name": "Smileys & Emotion", "icon": "😀",
//!              "emojis": [["😀", "grinning face", "grinning"], …]}, …]}
//! ```

use std::sync::LazyLock;

use emojis::{EmojiVersion, Group, SkinTone};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The newest emoji listed. Newer ones show as empty boxes on most systems still (their
/// fonts lag Unicode by a year or more), which makes a picker look broken.
const NEWEST: EmojiVersion = EmojiVersion::new(15, 1);

/// The serialised document and its strong validator, computed together once.
pub struct EmojiDocument {
    /// UTF-8 JSON.
    pub json: Vec<u8>,
    /// A quoted entity tag (`"…"`) naming exactly these bytes.
    pub etag: String,
}

/// The picker's data; the first call builds it, later ones share it.
pub fn document() -> &'static EmojiDocument {
    static DOCUMENT: LazyLock<EmojiDocument> = LazyLock::new(build);
    &DOCUMENT
}

#[derive(Serialize)]
struct Document {
    groups: Vec<GroupOut>,
}

#[derive(Serialize)]
struct GroupOut {
    id: &'static str,
    name: &'static str,
    /// The emoji on the group's tab.
    icon: &'static str,
    /// `[emoji, name, shortcode…]`
    emojis: Vec<Vec<&'static str>>,
}

/// The id (a slug, for ids and anchors), the heading and the tab's emoji of a group.
fn label(group: Group) -> (&'static str, &'static str, &'static str) {
    match group {
        Group::SmileysAndEmotion => ("smileys-emotion", "Smileys & Emotion", "😀"),
        Group::PeopleAndBody => ("people-body", "People & Body", "👋"),
        Group::AnimalsAndNature => ("animals-nature", "Animals & Nature", "🐶"),
        Group::FoodAndDrink => ("food-drink", "Food & Drink", "🍔"),
        Group::TravelAndPlaces => ("travel-places", "Travel & Places", "🚗"),
        Group::Activities => ("activities", "Activities", "⚽"),
        Group::Objects => ("objects", "Objects", "💡"),
        Group::Symbols => ("symbols", "Symbols", "❤️"),
        Group::Flags => ("flags", "Flags", "🏁"),
    }
}

fn build() -> EmojiDocument {
    let groups = Group::iter()
        .map(|group| {
            let (id, name, icon) = label(group);
            let emojis = group
                .emojis()
                .filter(|e| matches!(e.skin_tone(), None | Some(SkinTone::Default)))
                .filter(|e| e.emoji_version() <= NEWEST)
                .map(|e| {
                    let mut entry = vec![e.as_str(), e.name()];
                    entry.extend(e.shortcodes());
                    entry
                })
                .collect();
            GroupOut {
                id,
                name,
                icon,
                emojis,
            }
        })
        .collect();
    // Serialising strings and vectors cannot fail; an empty document would only mean
    // an empty picker, never a failed page.
    let json = serde_json::to_vec(&Document { groups }).unwrap_or_default();
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&json)[..12]));
    EmojiDocument { json, etag }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::Value;

    fn parsed() -> Value {
        serde_json::from_slice(&document().json).expect("JSON")
    }

    fn entries(doc: &Value) -> Vec<Vec<String>> {
        doc["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| g["emojis"].as_array().expect("emojis").iter())
            .map(|e| serde_json::from_value(e.clone()).expect("strings"))
            .collect()
    }

    #[test]
    fn thumbs_up_is_there_with_its_shortcodes() {
        let all = entries(&parsed());
        let thumbs = all.iter().find(|e| e[0] == "👍").expect("👍 listed");
        assert_eq!(thumbs[1], "thumbs up");
        assert!(thumbs[2..].contains(&"+1".to_owned()), "{thumbs:?}");
        assert!(thumbs[2..].contains(&"thumbsup".to_owned()), "{thumbs:?}");
        assert!(
            all.iter()
                .any(|e| e[0] == "🔥" && e[2..].contains(&"fire".into()))
        );
    }

    #[test]
    fn only_the_default_skin_tone_is_listed() {
        let all = entries(&parsed());
        let tones = [
            '\u{1F3FB}',
            '\u{1F3FC}',
            '\u{1F3FD}',
            '\u{1F3FE}',
            '\u{1F3FF}',
        ];
        let toned: Vec<&String> = all
            .iter()
            .map(|e| &e[0])
            .filter(|e| e.contains(tones))
            .collect();
        assert!(toned.is_empty(), "skin-tone variants: {toned:?}");
        assert!(all.iter().any(|e| e[0] == "👋"), "the default 👋 stays");
    }

    #[test]
    fn every_entry_has_an_emoji_and_a_name_and_each_emoji_is_listed_once() {
        let all = entries(&parsed());
        assert!(all.len() > 1500, "{} emoji", all.len());
        let mut seen = std::collections::HashSet::new();
        for entry in &all {
            assert!(entry.len() >= 2 && !entry[0].is_empty(), "{entry:?}");
            assert!(!entry[1].trim().is_empty(), "no name: {entry:?}");
            assert!(seen.insert(entry[0].clone()), "twice: {entry:?}");
        }
    }

    #[test]
    fn groups_come_in_unicode_order_and_none_is_empty() {
        let doc = parsed();
        let names: Vec<&str> = doc["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| {
                assert!(!g["emojis"].as_array().expect("emojis").is_empty());
                g["name"].as_str().expect("name")
            })
            .collect();
        assert_eq!(names.first(), Some(&"Smileys & Emotion"));
        assert_eq!(names.last(), Some(&"Flags"));
        assert_eq!(names.len(), 9);
        let first = &doc["groups"][0]["emojis"][0][0];
        assert_eq!(first, "😀", "CLDR order within a group");
        let all = entries(&doc);
        for group in doc["groups"].as_array().expect("groups") {
            let icon = group["icon"].as_str().expect("icon");
            assert!(all.iter().any(|e| e[0] == icon), "{icon} is listed");
        }
    }

    #[test]
    fn the_etag_names_the_bytes_and_is_built_once() {
        assert!(std::ptr::eq(document(), document()));
        let etag = &document().etag;
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 26);
    }
}
