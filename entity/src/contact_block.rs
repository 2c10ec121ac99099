use sea_orm::entity::prelude::*;

/// A recipient refuses messages relayed from one sender, or (`sender_user_id` empty) from
/// everyone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_blocks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recipient_user_id: i32,
    pub sender_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
