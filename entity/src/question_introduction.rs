use sea_orm::entity::prelude::*;

/// The office asks an expert (a profile) to help with a question. The expert accepts or
/// declines by the link in the request mail; only the SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question_introductions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub question_id: i32,
    pub profile_id: i32,
    /// requested, accepted, declined or expired (see `questions::introductions::State`).
    pub status: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The office's words to the expert, sent along with the question.
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub requested_by: Option<i32>,
    pub requested_at: DateTimeUtc,
    /// Without an answer by then the request expires and the office is told.
    pub answer_by: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decline_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::question::Entity", from = "Column::QuestionId", to = "super::question::Column::Id")]
    Question,
    #[sea_orm(belongs_to = "super::profile::Entity", from = "Column::ProfileId", to = "super::profile::Column::Id")]
    Profile,
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
