use sea_orm::entity::prelude::*;

/// Paths of deleted files still to remove from disk (filled by a trigger).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_trash")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub path: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
