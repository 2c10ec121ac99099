use sea_orm::entity::prelude::*;

/// A mail to send, written in the same transaction as the action that causes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across retries, so a receiver can recognise a duplicate.
    #[sea_orm(unique)]
    pub message_id: String,
    pub to_address: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    /// pending, sending, sent or failed.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// While set and in the future, one worker owns the row.
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// An iCalendar invitation sent along as `uitnodiging.ics`.
    #[sea_orm(column_type = "Text", nullable)]
    pub calendar: Option<String>,
    /// Where replies go when not the site's own reply address: the sender of a relayed
    /// message.
    pub reply_to: Option<String>,
    /// Delete the row once delivered or given up: a relayed message's text is kept only as
    /// long as delivery needs it.
    pub purge_after_delivery: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
