use async_trait::async_trait;

use super::SqlStorage;
use crate::storage::admin::AdminStore;

#[async_trait]
impl AdminStore for SqlStorage {}
