use sea_orm::entity::prelude::*;

/// An open call (oproep) to join the network as inspiratieregio or aandeelhouder.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    /// inspiratieregio or aandeelhouder
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub introduction: String,
    pub opens_at: DateTimeUtc,
    /// The deadline, exact to the minute; none when the call is open all year.
    pub closes_at: Option<DateTimeUtc>,
    pub places: Option<i32>,
    pub decision_on: Option<Date>,
    /// The questions an application answers: `[{key, title, help}]`.
    pub questions: Json,
    /// Words for the whole application.
    pub word_limit: Option<i32>,
    pub attachments_allowed: bool,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// What reviewers score, in the shape of the questions: `[{key, title, help}]`.
    pub criteria: Json,
    /// Scores run from 1 to this.
    pub scale_max: i32,
    /// The tranche of the network an accepted inspiratieregio joins.
    pub tranche: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
