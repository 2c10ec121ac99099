use sea_orm::entity::prelude::*;

/// What stays of a message relayed between members: who sent it, to whom, when; never its
/// subject or text. The references empty when an account or practice is deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sender_user_id: Option<i32>,
    pub recipient_user_id: Option<i32>,
    /// profile or practice: what the sender wrote to.
    pub recipient_kind: String,
    pub practice_id: Option<i32>,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
