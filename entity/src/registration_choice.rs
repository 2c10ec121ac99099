use sea_orm::entity::prelude::*;

/// The workshop a registration chose for one time slot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_choices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
