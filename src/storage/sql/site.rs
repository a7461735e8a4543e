use async_trait::async_trait;

use super::SqlStorage;
use crate::storage::site::SiteStore;

#[async_trait]
impl SiteStore for SqlStorage {}
