use sea_orm::entity::prelude::*;

/// A practice that helped with a question: sent by the office in a reply, shown with the
/// question in the public archive.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question_practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::question::Entity", from = "Column::QuestionId", to = "super::question::Column::Id")]
    Question,
    #[sea_orm(belongs_to = "super::practice::Entity", from = "Column::PracticeId", to = "super::practice::Column::Id")]
    Practice,
}

impl Related<super::practice::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Practice.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
