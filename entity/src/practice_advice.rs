use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practice_advices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub advice_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::practice::Entity", from = "Column::PracticeId", to = "super::practice::Column::Id")]
    Practice,
    #[sea_orm(belongs_to = "super::advice::Entity", from = "Column::AdviceId", to = "super::advice::Column::Id")]
    Advice,
}

impl Related<super::advice::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Advice.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
