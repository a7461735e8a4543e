//! A browser's Web Push subscription: where the push service waits for this person's
//! notifications on one device, and the keys (RFC 8291) that only that browser can open
//! them with.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Invalid, UserId};

/// Longest endpoint kept; the push services' are well under 600 characters.
pub const MAX_ENDPOINT: usize = 1024;
/// Longest device label kept (taken from the browser's user agent).
pub const MAX_DEVICE: usize = 120;
/// Most devices one person may have subscribed at once.
pub const MAX_PUSH_DEVICES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscription {
    pub id: i64,
    pub user: UserId,
    pub endpoint: String,
    /// The browser's P-256 public key, base64url without padding (65 bytes, uncompressed).
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url without padding.
    pub auth: String,
    pub device: String,
    pub created: DateTime<Utc>,
}

/// A subscription checked at the edge, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPushSubscription {
    pub user: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub device: String,
}

impl NewPushSubscription {
    /// Checks what a browser's `PushSubscription.toJSON()` carries: an http(s) URL and
    /// keys that decode to a point on P-256 and a 16-byte secret. The keys are kept
    /// re-encoded, so stored keys always have one spelling.
    pub fn parse(
        user: UserId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        device: &str,
    ) -> Result<Self, Invalid> {
        let endpoint = endpoint.trim();
        if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT {
            return Err(Invalid::new(format!(
                "The endpoint must be a URL of at most {MAX_ENDPOINT} characters."
            )));
        }
        let url = Url::parse(endpoint).map_err(|_| Invalid::new("The endpoint is not a URL."))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(Invalid::new("The endpoint must be an https URL."));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Invalid::new("The endpoint must not carry credentials."));
        }
        let key = decode(p256dh)
            .filter(|bytes| bytes.len() == 65)
            .filter(|bytes| web_push_native::p256::PublicKey::from_sec1_bytes(bytes).is_ok())
            .ok_or_else(|| Invalid::new("keys.p256dh is not a P-256 public key."))?;
        let secret = decode(auth)
            .filter(|bytes| bytes.len() == 16)
            .ok_or_else(|| Invalid::new("keys.auth is not a 16-byte secret."))?;
        let device: String = device
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_DEVICE)
            .collect();
        Ok(Self {
            user,
            endpoint: url.to_string(),
            p256dh: URL_SAFE_NO_PAD.encode(key),
            auth: URL_SAFE_NO_PAD.encode(secret),
            device: device.trim().to_owned(),
        })
    }
}

/// Browsers send base64url without padding; some libraries pad it.
fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A real key pair's public half, as Chromium would send it.
    fn public_key() -> String {
        let secret = web_push_native::p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        );
        URL_SAFE_NO_PAD.encode(point.as_bytes())
    }

    #[test]
    fn a_browsers_subscription_is_kept_in_one_spelling() {
        let key = public_key();
        let padded_auth = URL_SAFE.encode([7u8; 16]);
        let new = NewPushSubscription::parse(
            UserId(1),
            " https://push.example/send/abc ",
            &key,
            &padded_auth,
            "Firefox on Linux\n",
        )
        .unwrap();
        assert_eq!(new.endpoint, "https://push.example/send/abc");
        assert_eq!(new.p256dh, key);
        assert_eq!(new.auth, URL_SAFE_NO_PAD.encode([7u8; 16]));
        assert_eq!(new.device, "Firefox on Linux");
    }

    #[test]
    fn malformed_subscriptions_are_refused() {
        let key = public_key();
        let auth = URL_SAFE_NO_PAD.encode([1u8; 16]);
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT));
        for (endpoint, p256dh, auth) in [
            ("", key.as_str(), auth.as_str()),
            ("not a url", &key, &auth),
            ("ftp://push.example/x", &key, &auth),
            ("https://user:pw@push.example/x", &key, &auth),
            (long.as_str(), &key, &auth),
            ("https://push.example/x", "AAAA", &auth),
            (
                "https://push.example/x",
                &URL_SAFE_NO_PAD.encode([4u8; 65]),
                &auth,
            ),
            ("https://push.example/x", &key, "short"),
            ("https://push.example/x", &key, "!!!!"),
        ] {
            assert!(
                NewPushSubscription::parse(UserId(1), endpoint, p256dh, auth, "").is_err(),
                "{endpoint} {p256dh} {auth}"
            );
        }
    }
}
