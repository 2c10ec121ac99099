use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Markdown source; rendered and sanitized on the way out.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub organisation_id: i32,
    pub province: Option<String>,
    /// JSON array of age group slugs ("0-4", "4-12", ...).
    pub age_groups: Json,
    /// JSON array of organisation kind slugs of the partners involved.
    pub partners: Json,
    /// JSON array of `{text, figure}` objects.
    pub results: Json,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_email: Option<String>,
    /// The contact's profile in the network; messages to the practice go to its account.
    pub contact_profile_id: Option<i32>,
    /// The publisher chose to show `contact_email`; otherwise it is only reachable through
    /// the platform's relay.
    pub contact_email_public: bool,
    /// JSON array of `{title, url}` objects.
    pub links: Json,
    /// concept, gepubliceerd or gearchiveerd.
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::theme::Entity> for Entity {
    fn to() -> RelationDef {
        super::practice_theme::Relation::Theme.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::practice_theme::Relation::Practice.def().rev())
    }
}

impl Related<super::advice::Entity> for Entity {
    fn to() -> RelationDef {
        super::practice_advice::Relation::Advice.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::practice_advice::Relation::Practice.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
