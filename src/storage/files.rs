//! Uploaded files: their metadata here, their sealed bytes in the data dir's files folder.

use async_trait::async_trait;

#[async_trait]
pub trait FileStore: Send + Sync {}
