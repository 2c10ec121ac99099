use sea_orm::entity::prelude::*;

/// A news item of the programme office; public from `published_at` on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "news")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub published_at: DateTimeUtc,
    pub author_id: Option<i32>,
    pub author_name: String,
    /// JSON array of theme slugs.
    pub themes: Json,
    /// JSON array of related practice slugs.
    pub practices: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
