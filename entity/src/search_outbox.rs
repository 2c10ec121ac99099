use sea_orm::entity::prelude::*;

/// "Item changed, re-index it": written in the same transaction as the change itself,
/// consumed by the index worker. The index is a cache of the database; this table is how
/// the cache learns what is stale, also across crashes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// "practice" or "document".
    pub item_kind: String,
    pub item_id: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
