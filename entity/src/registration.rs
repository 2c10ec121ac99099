use sea_orm::entity::prelude::*;

/// Someone's registration for an event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub event_id: i32,
    pub user_id: Option<i32>,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub role: String,
    #[sea_orm(column_type = "Text")]
    pub remarks: String,
    /// unconfirmed (opt-in link not yet clicked), confirmed, waitlisted or cancelled.
    pub status: String,
    /// SHA-256 of the opt-in link's token, until it is used.
    pub confirm_token_hash: Option<String>,
    pub confirm_expires_at: Option<DateTimeUtc>,
    /// SHA-256 of the cancel link token mailed before cancel links were signed (see
    /// `events::registration::cancel_link`); empty for registrations made since.
    pub cancel_token_hash: String,
    pub confirmed_at: Option<DateTimeUtc>,
    pub waitlisted_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub reminded_at: Option<DateTimeUtc>,
    pub attended: Option<bool>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
