//! Signing and checking the API's JWTs, in simplejwt's shape: HS256 only, claims
//! `token_type`, `exp`, `iat`, `jti`, `user_id`. The key is derived from the server secret
//! under its own label, so it differs from the cookie key.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::ApiSettings;
use crate::domain::UserId;

/// What the derived key is for; changing it invalidates every token ever issued.
const KEY_LABEL: &[u8] = b"hearth/api/jwt/hs256/v1";

/// The JWT signing key for a server secret: HMAC-SHA-256 of a fixed label under the secret.
pub fn derive_key(secret: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length, so this cannot fail; the fallback keeps clippy calm.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(KEY_LABEL);
    mac.finalize().into_bytes().into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: TokenType,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub user_id: i64,
}

/// A signed token with what storage needs to know about it.
pub struct Signed {
    pub token: String,
    pub jti: String,
    pub expires: DateTime<Utc>,
}

/// Why a token was refused; the caller decides the wording.
#[derive(Debug, thiserror::Error)]
#[error("token not valid: {0}")]
pub struct Invalid(String);

/// Signs and checks tokens; built once at start.
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_lifetime: Duration,
    refresh_lifetime: Duration,
}

impl Jwt {
    pub fn new(secret: &[u8], settings: &ApiSettings) -> Self {
        let key = derive_key(secret);
        let mut validation = Validation::new(Algorithm::HS256);
        // simplejwt's default: an expired token is expired, no grace.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "jti"]);
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
            access_lifetime: Duration::minutes(settings.access_minutes.into()),
            refresh_lifetime: Duration::days(settings.refresh_days.into()),
        }
    }

    pub fn sign(&self, kind: TokenType, user: UserId) -> Result<Signed, Invalid> {
        let now = Utc::now();
        let expires = now
            + match kind {
                TokenType::Access => self.access_lifetime,
                TokenType::Refresh => self.refresh_lifetime,
            };
        let claims = Claims {
            token_type: kind,
            exp: expires.timestamp(),
            iat: now.timestamp(),
            jti: new_jti(),
            user_id: user.0,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Invalid(e.to_string()))?;
        Ok(Signed {
            token,
            jti: claims.jti,
            expires,
        })
    }

    /// The claims of a well-signed, unexpired HS256 token of `kind`; anything else is
    /// `Invalid` (another algorithm, `alg: none`, a bad signature, the other kind).
    pub fn verify(&self, token: &str, kind: TokenType) -> Result<Claims, Invalid> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| Invalid(e.to_string()))?;
        if data.claims.token_type != kind {
            return Err(Invalid("wrong token type".into()));
        }
        Ok(data.claims)
    }
}

/// 128 random bits, hex: unique without coordination.
fn new_jti() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt() -> Jwt {
        Jwt::new(&[7; 32], &ApiSettings::default())
    }

    #[test]
    fn a_token_verifies_only_as_its_own_kind() {
        let jwt = jwt();
        let Ok(access) = jwt.sign(TokenType::Access, UserId(3)) else {
            panic!("signs")
        };
        assert!(
            jwt.verify(&access.token, TokenType::Access)
                .is_ok_and(|c| c.user_id == 3)
        );
        assert!(jwt.verify(&access.token, TokenType::Refresh).is_err());
    }

    #[test]
    fn the_jwt_key_differs_from_the_secret_and_follows_it() {
        assert_ne!(derive_key(&[7; 32]).to_vec(), vec![7u8; 32]);
        assert_ne!(derive_key(&[7; 32]), derive_key(&[8; 32]));
        let other = Jwt::new(&[8; 32], &ApiSettings::default());
        let Ok(token) = jwt().sign(TokenType::Access, UserId(1)) else {
            panic!("signs")
        };
        assert!(other.verify(&token.token, TokenType::Access).is_err());
    }
}
