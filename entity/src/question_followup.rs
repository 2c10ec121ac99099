use sea_orm::entity::prelude::*;

/// "Heeft dit geholpen?": planned when a question is first helped (an introduction accepted
/// or a reply sent), mailed when due, answered with a score of 1 to 5 and a remark.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question_followups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: i32,
    pub due_at: DateTimeUtc,
    /// SHA-256 of the link's token, from when the mail is sent.
    pub token_hash: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub score: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub remark: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::question::Entity", from = "Column::QuestionId", to = "super::question::Column::Id")]
    Question,
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
