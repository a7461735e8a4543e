//! Sending one Web Push message: the payload encrypted for the device (RFC 8291, by
//! `web-push-native`), signed with the server's VAPID key (RFC 8292), POSTed with a
//! timeout, and the push service's answer read as kept, gone or failed.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use web_push_native::jwt_simple::algorithms::ES256KeyPair;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::{Auth, WebPushBuilder};

use crate::domain::PushSubscription;

/// How long one push service may take to answer before the message is given up on.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a push service keeps an undelivered message for a device that is off.
const TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// What the service worker shows: who and where, never the message's words.
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    /// The room to open on a click, a path on this site.
    pub url: String,
    /// Notifications of one room replace each other rather than pile up.
    pub tag: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// 404 or 410: the subscription is gone for good and is forgotten.
    Gone,
    Failed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum PushSetupError {
    #[error("the VAPID key does not load: {0}")]
    Key(String),
    #[error("the push client could not be built: {0}")]
    Client(String),
}

pub struct PushSender {
    key: ES256KeyPair,
    /// The public half, uncompressed, base64url.
    public_key: String,
    contact: String,
    client: reqwest::Client,
}

impl PushSender {
    /// `vapid` is the private key's 32 bytes; `contact` a mailto: or https: URL.
    pub fn new(vapid: &[u8], contact: String) -> Result<Self, PushSetupError> {
        let key =
            ES256KeyPair::from_bytes(vapid).map_err(|e| PushSetupError::Key(e.to_string()))?;
        let public_key = web_push_native::p256::SecretKey::from_slice(vapid)
            .map_err(|e| PushSetupError::Key(e.to_string()))?
            .public_key()
            .to_encoded_point(false);
        let public_key = URL_SAFE_NO_PAD.encode(public_key.as_bytes());
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // A push service answers; it never sends the server somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Hearth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PushSetupError::Client(e.to_string()))?;
        Ok(Self {
            key,
            public_key,
            contact,
            client,
        })
    }

    /// The public half browsers subscribe with (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    pub async fn send(&self, device: &PushSubscription, payload: &Payload) -> Outcome {
        let request = match self.request(device, payload) {
            Ok(request) => request,
            Err(why) => return Outcome::Failed(why),
        };
        match self.client.execute(request).await {
            Ok(response) => match response.status().as_u16() {
                200..=299 => Outcome::Accepted,
                404 | 410 => Outcome::Gone,
                status => Outcome::Failed(format!("the push service answered {status}")),
            },
            Err(error) if error.is_timeout() => {
                Outcome::Failed("the push service timed out".into())
            }
            Err(error) => Outcome::Failed(format!("the push service was not reached: {error}")),
        }
    }

    fn request(
        &self,
        device: &PushSubscription,
        payload: &Payload,
    ) -> Result<reqwest::Request, String> {
        let endpoint = device
            .endpoint
            .parse()
            .map_err(|_| "bad endpoint".to_owned())?;
        let p256dh = URL_SAFE_NO_PAD
            .decode(&device.p256dh)
            .ok()
            .and_then(|bytes| web_push_native::p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or("bad p256dh key")?;
        let auth = URL_SAFE_NO_PAD
            .decode(&device.auth)
            .ok()
            .filter(|bytes| bytes.len() == 16)
            .ok_or("bad auth secret")?;
        let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
        let request = WebPushBuilder::new(endpoint, p256dh, Auth::clone_from_slice(&auth))
            .with_valid_duration(TTL)
            .with_vapid(&self.key, &self.contact)
            .build(body)
            .map_err(|e| e.to_string())?;
        reqwest::Request::try_from(request).map_err(|e| e.to_string())
    }
}
