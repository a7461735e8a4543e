//! Site state an admin changes at run time: the registration policy, invite links, key rotation progress.

use async_trait::async_trait;

#[async_trait]
pub trait SiteStore: Send + Sync {}
