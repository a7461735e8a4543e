//! What only the admin pages ask: counts, searches and moderation across every account and room.

use async_trait::async_trait;

#[async_trait]
pub trait AdminStore: Send + Sync {}
