use sea_orm::entity::prelude::*;

/// A meeting of the network: werksessie, kick-off, heidag, …
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    /// werksessie, kick-off, heidag, verdiepingsochtend, webinar or werkbezoek.
    pub kind: String,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub location: String,
    pub address: String,
    pub online_url: Option<String>,
    pub organisation_id: Option<i32>,
    pub members_only: bool,
    pub capacity: i32,
    /// Places taken by confirmed registrations.
    pub confirmed: i32,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// Revision of the event, raised by every change: the SEQUENCE of its calendar entries.
    pub sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
