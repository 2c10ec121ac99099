use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "themes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl Related<super::practice::Entity> for Entity {
    fn to() -> RelationDef {
        super::practice_theme::Relation::Practice.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::practice_theme::Relation::Theme.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
