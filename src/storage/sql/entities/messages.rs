use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub room_id: i64,
    pub author_id: Option<i64>,
    pub body_sealed: String,
    pub created: DateTimeUtc,
    pub edited: Option<DateTimeUtc>,
    pub file_id: Option<i64>,
    pub body_format: i16,
    pub reply_to: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
