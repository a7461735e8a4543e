//! The two error bodies: `{"detail": …}` (with simplejwt's `code` on refused tokens) and
//! DRF's field errors `{"field": ["…"]}`.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// Every error but field errors.
// `code` is declared first: these bodies used to be `json!` maps, which sort their keys,
// and a client comparing bytes sees the same answer as before.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `token_not_valid` for a refused token, as simplejwt adds it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<&'static str>,
    pub detail: String,
}

/// Field errors: each refused field with its reasons (`non_field_errors` for the whole).
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<&'static str, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Just `message` on `field`.
    pub fn one(field: &'static str, message: String) -> Self {
        Self(BTreeMap::from([(field, vec![message])]))
    }

    /// Adds `message` to the reasons `field` is refused.
    pub fn push(&mut self, field: &'static str, message: String) {
        self.0.entry(field).or_default().push(message);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
