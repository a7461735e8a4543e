use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_rotations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub target: String,
    pub source: String,
    pub last_id: i64,
    pub done: i64,
    pub total: i64,
    pub started: DateTimeUtc,
    pub finished: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
