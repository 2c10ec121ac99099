use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// One of `OrganisationKind` in the domain layer, stored by its slug.
    pub kind: String,
    pub province: Option<String>,
    /// JSON array of municipality names.
    pub municipalities: Json,
    pub website: Option<String>,
    pub description: String,
    /// One of `NetworkRole`, stored by its slug.
    pub network_role: String,
    pub tranche: Option<i32>,
    /// The beheerder who is the organisation's "vast contactpersoon" in the network.
    pub network_contact_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::practice::Entity")]
    Practice,
}

impl Related<super::practice::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Practice.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
