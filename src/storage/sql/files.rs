use async_trait::async_trait;

use super::SqlStorage;
use crate::storage::files::FileStore;

#[async_trait]
impl FileStore for SqlStorage {}
