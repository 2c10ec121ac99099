use sea_orm::entity::prelude::*;

/// A harvest document ("oogstdocument"): an uploaded or imported file and its text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub organisation_id: Option<i32>,
    pub practice_id: Option<i32>,
    pub published_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// oogstdocument, presentatie, verslag, plan-van-aanpak or overig.
    pub kind: String,
    /// JSON array of theme slugs.
    pub themes: Json,
    /// SHA-256 of the uploaded file; the file lives under `files/` by this hash.
    pub file_hash: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub file_size: Option<i64>,
    /// ok, or no_text when the file has no extractable text (a scan).
    pub text_status: String,
    pub news_id: Option<i32>,
    /// The event it is an attachment of.
    pub event_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
