//! Encoding and decoding of the values that cross the wire, with the strict check that a
//! decoded value encodes back to what was sent.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::storage::StorageError;

/// How much of a value an error message quotes.
const QUOTE: usize = 200;

/// `value` as JSON. A value that cannot be encoded (no type of the protocol is one) is
/// encoded as the `Internal` error saying so, which every reply can carry.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|error| {
        let refusal: Result<(), _> = Err(StorageError::Internal(format!("unencodable: {error}")));
        serde_json::to_vec(&refusal).unwrap_or_default()
    })
}

/// Decodes `bytes` as a `T`. When `strict`, also requires that the value encodes back to
/// the same JSON: a type that drops, renames or normalises something on the way fails
/// here instead of handing the other end a value that is not what was sent.
pub fn decode<T: Serialize + DeserializeOwned>(bytes: &[u8], strict: bool) -> Result<T, String> {
    let value: T = serde_json::from_slice(bytes)
        .map_err(|error| format!("undecodable ({error}): {}", quote(bytes)))?;
    if strict {
        let sent: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
        let again = serde_json::to_value(&value).map_err(|error| error.to_string())?;
        if sent != again {
            return Err(format!(
                "does not round-trip: sent {}, decoded as {}",
                quote(sent.to_string().as_bytes()),
                quote(again.to_string().as_bytes())
            ));
        }
    }
    Ok(value)
}

fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(QUOTE) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::storage::{Conflict, StorageResult};

    /// A type that loses a field on the way in, as a `#[serde(skip)]` or a lossy number
    /// would: it decodes without complaint, to something else.
    #[derive(Debug, Serialize, Deserialize)]
    struct Lossy {
        kept: u32,
        #[serde(skip_deserializing)]
        lost: u32,
    }

    #[test]
    fn a_value_that_does_not_round_trip_is_refused_when_strict() {
        let bytes = encode(&Lossy { kept: 1, lost: 2 });
        let loose: Lossy = decode(&bytes, false).expect("a lax decode takes it");
        assert_eq!((loose.kept, loose.lost), (1, 0), "and loses a field");
        let strict = decode::<Lossy>(&bytes, true);
        assert!(
            strict
                .as_ref()
                .is_err_and(|e| e.contains("does not round-trip")),
            "{strict:?}"
        );
    }

    #[test]
    fn a_value_of_another_shape_is_refused() {
        let bytes = encode(&"text");
        assert!(decode::<StorageResult<u64>>(&bytes, false).is_err());
    }

    #[test]
    fn errors_cross_as_they_are() {
        for error in [
            StorageError::NotFound,
            StorageError::Conflict(Conflict::LastAdmin),
            StorageError::Internal("disk full".into()),
        ] {
            let sent: StorageResult<u64> = Err(error.clone());
            let back: StorageResult<u64> = decode(&encode(&sent), true).expect("decodes");
            assert_eq!(back, Err(error));
        }
        assert_eq!(
            String::from_utf8(encode(&StorageError::Conflict(Conflict::LastAdmin))).ok(),
            Some(r#"{"Conflict":"last_admin"}"#.to_owned()),
            "a conflict names its enum variant on the wire"
        );
    }
}
