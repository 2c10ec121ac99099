use sea_orm::entity::prelude::*;

/// A person's profile in the member directory; one per account. Which field whom may see
/// is decided in the `oogst` crate's `profiles` module, from `visibility`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub user_id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub display_name: String,
    pub job_title: String,
    pub province: Option<String>,
    /// JSON array of municipality names.
    pub municipalities: Json,
    /// JSON array of theme slugs.
    pub themes: Json,
    /// JSON array of advice slugs.
    pub advices: Json,
    /// JSON array of free words.
    pub keywords: Json,
    /// praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere.
    pub expertise_kind: Option<String>,
    /// Markdown source; rendered and sanitized on the way out.
    #[sea_orm(column_type = "Text")]
    pub bio: String,
    /// JSON array of languages spoken.
    pub languages: Json,
    /// Open to requests as a sparring partner.
    pub available: bool,
    pub max_requests_per_month: Option<i32>,
    /// The owner's consent to appear in the directory; false until they opt in.
    pub listed: bool,
    /// When the owner last opted in or out: the consent record.
    pub listed_changed_at: Option<DateTimeUtc>,
    /// The programme office took the profile out of the directory.
    pub hidden_by_office: bool,
    /// JSON object: field name → public, members or office.
    pub visibility: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
