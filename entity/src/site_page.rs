use sea_orm::entity::prelude::*;

/// A page of the site the programme office has edited; the slug is its address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_pages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body_markdown: String,
    pub updated_at: DateTimeUtc,
    /// Name of who saved it last.
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
