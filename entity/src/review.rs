use sea_orm::entity::prelude::*;

/// One reviewer's scores for one application, per criterion of its call.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub reviewer_id: i32,
    /// Criterion key → score.
    pub scores: Json,
    /// Criterion key → remark.
    pub remarks: Json,
    /// A declared conflict of interest: this reviewer gives no scores.
    pub conflict: bool,
    /// None while a draft; others' scores show once it is set.
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
