use sea_orm::entity::prelude::*;

/// An application to a call: the applicant's details and answers, a draft behind a private
/// link until submitted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub email: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// unconfirmed, draft, submitted or withdrawn
    pub status: String,
    /// When the applicant first saved through the mailed link (the address is theirs).
    pub confirmed_at: Option<DateTimeUtc>,
    /// Organisation, contact person and, for an inspiratieregio, municipalities, inhabitants
    /// and area, as the applicant states them.
    pub details: Json,
    /// Question key → answer.
    pub answers: Json,
    pub submitted_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Marked by the programme office on the selection board.
    pub selected: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
