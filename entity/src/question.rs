use sea_orm::entity::prelude::*;

/// A question put to the programme office: by anyone through the form or the API (confirmed
/// by mail first when asked without an account), by a member, or entered by the office on
/// the asker's behalf. The asker's contact details are kept here, not only on an account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub role: String,
    pub province: Option<String>,
    pub municipality: String,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    #[sea_orm(column_type = "Text")]
    pub context: String,
    #[sea_orm(column_type = "Text")]
    pub tried: String,
    pub needed_by: Option<Date>,
    /// The asker agrees that the question, anonymised, may join the public archive.
    pub share_anonymised: bool,
    /// nieuw, in_behandeling, gekoppeld, beantwoord or afgesloten (see `questions::Status`).
    pub status: String,
    /// The office member handling the question.
    pub handler_id: Option<i32>,
    /// The member who asked, when they asked signed in.
    pub asker_user_id: Option<i32>,
    /// form, member, office or api.
    pub source: String,
    /// SHA-256 of the opt-in link's token, until it is used.
    pub confirm_token_hash: Option<String>,
    pub confirm_expires_at: Option<DateTimeUtc>,
    /// Empty until the asker confirmed their address; unconfirmed questions are not in the queue.
    pub confirmed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The anonymised text the office publishes in the archive.
    #[sea_orm(column_type = "Text", nullable)]
    pub public_text: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    /// The archived question's title.
    pub public_title: Option<String>,
    /// How the question was answered, anonymised, for the archive.
    #[sea_orm(column_type = "Text", nullable)]
    pub public_answer: Option<String>,
    /// When the asker's personal data was removed (after the retention time, or when their
    /// account was deleted); only the anonymised archive texts remain then.
    pub personal_data_removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
