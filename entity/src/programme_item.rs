use sea_orm::entity::prelude::*;

/// A part of an event's programme: a plenary item, or a workshop people choose per time slot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub event_id: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub title: String,
    /// plenair or workshop.
    pub kind: String,
    /// Places of a workshop; none for a plenary item.
    pub capacity: Option<i32>,
    pub confirmed: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
