//! The question desk: anyone asks the programme office a question. People without an account
//! confirm their address first by the link in a mail (double opt-in, as for event
//! registrations); a signed-in member's question counts at once, and the office enters
//! questions it received by phone or mail on the asker's behalf. Confirmed questions form the
//! office's queue (`queue`), where the office sets who handles a question and its status.
//! Every write, with its mail (through the outbox) and audit entry, is one transaction.

pub mod archive;
pub mod figures;
pub mod followup;
pub mod input;
pub mod introductions;
pub mod privacy;
pub mod queue;
pub mod replies;
pub mod worker;

use crate::link_token;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumMessage, IntoStaticStr};

use entity::{question, question_theme, theme, user};

use crate::actor::{policy, Actor, Role};
use crate::audit;
use crate::db;
use crate::mail::{self, Mail, MailError, MailSettings};
use crate::validation::FieldErrors;
use crate::vocabulary::Vocabulary;

pub use input::{NewQuestion, QuestionInput};

/// Where a question stands in the office's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, IntoStaticStr, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[strum(serialize = "nieuw", message = "Nieuw")]
    Nieuw,
    #[strum(serialize = "in_behandeling", message = "In behandeling")]
    InBehandeling,
    #[strum(serialize = "gekoppeld", message = "Gekoppeld")]
    Gekoppeld,
    #[strum(serialize = "beantwoord", message = "Beantwoord")]
    Beantwoord,
    #[strum(serialize = "afgesloten", message = "Afgesloten")]
    Afgesloten,
}
impl Vocabulary for Status {}

/// How a question came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, IntoStaticStr)]
pub enum Source {
    #[strum(serialize = "form", message = "Formulier")]
    Form,
    #[strum(serialize = "member", message = "Lid, ingelogd")]
    Member,
    #[strum(serialize = "office", message = "Ingevoerd door het programmabureau")]
    Office,
    #[strum(serialize = "api", message = "API")]
    Api,
}
impl Vocabulary for Source {}

/// Who puts the question.
#[derive(Debug, Clone, Copy)]
pub enum AskedBy<'a> {
    /// Someone without an account: counts after the link in the confirmation mail.
    Anonymous,
    /// A signed-in member, asking with their account's name and address: counts at once.
    Member(&'a Actor),
    /// The programme office, on the asker's behalf: counts at once.
    Office(&'a Actor),
}

/// Through which door the question came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Api,
}

#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    #[error("{0}")]
    Invalid(FieldErrors),
    /// No such question, one not yet confirmed, or one the viewer may not see: all alike.
    #[error("Deze vraag bestaat niet.")]
    NotFound,
    /// Only the programme office enters questions for someone else.
    #[error("not allowed")]
    Forbidden,
    #[error(
        "Deze bevestigingslink is verlopen of al gebruikt. Was uw vraag nog niet bevestigd? Stel haar dan opnieuw."
    )]
    LinkInvalid,
    /// A request to an expert or a follow-up link that was answered already or expired.
    #[error("Deze link is al gebruikt of verlopen. Neem contact op met het programmabureau als u nog wilt reageren.")]
    RequestClosed,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl QuestionError {
    fn field(field: &str, message: impl Into<String>) -> QuestionError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        QuestionError::Invalid(errors)
    }
}

/// The answer to asking: the question's number, and whether it counts already or waits for
/// the asker's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Asked {
    pub id: i32,
    pub confirmed: bool,
}

/// A theme as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ThemeRef {
    pub slug: String,
    pub name: String,
}

/// A question in full, as the office sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionView {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub role: String,
    pub province: Option<String>,
    pub municipality: String,
    pub question: String,
    pub context: String,
    pub tried: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub needed_by: Option<chrono::NaiveDate>,
    pub share_anonymised: bool,
    pub status: Status,
    pub status_label: &'static str,
    pub handler_id: Option<i32>,
    pub handler: Option<String>,
    /// form, member, office or api.
    pub source: String,
    pub source_label: String,
    pub themes: Vec<ThemeRef>,
    pub days_open: i64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the asker's personal data was removed (see `privacy`).
    pub personal_data_removed_at: Option<DateTime<Utc>>,
}

/// The office's handling of a question: its status and who handles it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Handling {
    /// nieuw, in_behandeling, gekoppeld, beantwoord or afgesloten.
    pub status: String,
    /// An office member's account id; none when nobody handles it yet.
    pub handler_id: Option<i32>,
}

/// What asking needs besides the database.
pub struct Desk<'a> {
    pub db: &'a DatabaseConnection,
    pub mail: &'a MailSettings,
    /// Hours the confirmation link stays valid.
    pub confirm_hours: i64,
}

impl Desk<'_> {
    /// Stores a question with its themes (slugs). Without an account it waits for the link in
    /// the confirmation mail; otherwise it counts at once and the asker gets a receipt.
    pub async fn ask(
        &self,
        mut input: QuestionInput,
        themes: &[String],
        by: AskedBy<'_>,
        channel: Channel,
    ) -> Result<Asked, QuestionError> {
        let source = match (by, channel) {
            (_, Channel::Api) => Source::Api,
            (AskedBy::Anonymous, Channel::Web) => Source::Form,
            (AskedBy::Member(_), Channel::Web) => Source::Member,
            (AskedBy::Office(_), Channel::Web) => Source::Office,
        };
        match by {
            AskedBy::Office(actor) if !policy::can_manage_network(actor) => return Err(QuestionError::Forbidden),
            // A member's question is confirmed at once, so it must carry the account's address.
            AskedBy::Member(actor) => {
                input.email = actor.email.clone();
                if input.name.trim().is_empty() {
                    input.name = actor.name.clone();
                }
            }
            _ => {}
        }
        let parsed = NewQuestion::parse(&input, Utc::now().date_naive()).map_err(QuestionError::Invalid)?;
        let theme_ids = theme_ids(self.db, themes).await?;
        let fields = parsed.fields();
        let now = Utc::now();
        let confirmed = !matches!(by, AskedBy::Anonymous);
        let token = link_token::new();
        let transaction = db::begin_write(self.db).await?;
        let row = question::ActiveModel {
            name: Set(fields.name.clone()),
            email: Set(fields.email.clone()),
            organisation: Set(fields.organisation.clone()),
            role: Set(fields.role.clone()),
            province: Set(Some(fields.province.clone()).filter(|province| !province.is_empty())),
            municipality: Set(fields.municipality.clone()),
            question: Set(fields.question.clone()),
            context: Set(fields.context.clone()),
            tried: Set(fields.tried.clone()),
            needed_by: Set(parsed.needed_by()),
            share_anonymised: Set(fields.share_anonymised),
            status: Set(Status::Nieuw.slug().into()),
            handler_id: Set(None),
            asker_user_id: Set(match by {
                AskedBy::Member(actor) => Some(actor.user_id),
                _ => None,
            }),
            source: Set(source.slug().into()),
            confirm_token_hash: Set((!confirmed).then(|| link_token::digest(&token))),
            confirm_expires_at: Set((!confirmed).then(|| now + Duration::hours(self.confirm_hours))),
            confirmed_at: Set(confirmed.then_some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        if !theme_ids.is_empty() {
            let links = theme_ids
                .iter()
                .map(|&theme_id| question_theme::ActiveModel { question_id: Set(row.id), theme_id: Set(theme_id) });
            question_theme::Entity::insert_many(links).exec_without_returning(&transaction).await?;
        }
        if confirmed {
            self.send_receipt(&transaction, &row).await?;
        } else {
            self.ask_confirmation(&transaction, &row, &token).await?;
        }
        if let AskedBy::Office(actor) = by {
            let summary = format!("Vraag van {} ingevoerd namens de vrager", row.name);
            audit::record(&transaction, actor, "aangemaakt", "vraag", &row.id.to_string(), summary).await?;
        }
        transaction.commit().await?;
        Ok(Asked { id: row.id, confirmed })
    }

    /// Uses a confirmation link: the question joins the office's queue and the asker gets a
    /// receipt. A link works once; a second or late use is refused.
    pub async fn confirm(&self, token: &str) -> Result<question::Model, QuestionError> {
        let transaction = db::begin_write(self.db).await?;
        let found = question::Entity::find()
            .filter(question::Column::ConfirmTokenHash.eq(link_token::digest(token)))
            .filter(question::Column::ConfirmExpiresAt.gt(Utc::now()))
            .one(&transaction)
            .await?
            .ok_or(QuestionError::LinkInvalid)?;
        // Clearing the token is the claim: of two concurrent uses only one changes the row.
        let now = Utc::now();
        let claimed = question::Entity::update_many()
            .col_expr(question::Column::ConfirmTokenHash, Expr::value(Option::<String>::None))
            .col_expr(question::Column::ConfirmedAt, Expr::value(Some(now)))
            .col_expr(question::Column::UpdatedAt, Expr::value(now))
            .filter(question::Column::Id.eq(found.id))
            .filter(question::Column::ConfirmTokenHash.is_not_null())
            .exec(&transaction)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(QuestionError::LinkInvalid);
        }
        self.send_receipt(&transaction, &found).await?;
        transaction.commit().await?;
        Ok(found)
    }

    async fn ask_confirmation(
        &self,
        db: &impl ConnectionTrait,
        row: &question::Model,
        token: &str,
    ) -> Result<(), QuestionError> {
        let data = serde_json::json!({
            "name": row.name,
            "question": row.question,
            "hours": self.confirm_hours,
            "link": self.mail.link(&format!("/vraag-stellen/bevestigen/{token}")),
        });
        let subject = "Bevestig uw vraag aan het programmabureau".to_string();
        mail::enqueue(
            db,
            self.mail,
            Mail { to: &row.email, subject, template: "question_confirm", data, calendar: None },
        )
        .await?;
        Ok(())
    }

    /// Tells the asker the office has their question.
    async fn send_receipt(&self, db: &impl ConnectionTrait, row: &question::Model) -> Result<(), QuestionError> {
        let data = serde_json::json!({ "name": row.name, "question": row.question, "id": row.id });
        let subject = format!("Uw vraag is ontvangen (nummer {})", row.id);
        mail::enqueue(
            db,
            self.mail,
            Mail { to: &row.email, subject, template: "question_received", data, calendar: None },
        )
        .await?;
        Ok(())
    }
}

/// The ids of the themes named by slug; an unknown slug is the asker's mistake.
async fn theme_ids(db: &impl ConnectionTrait, slugs: &[String]) -> Result<Vec<i32>, QuestionError> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let found = theme::Entity::find().filter(theme::Column::Slug.is_in(slugs.iter().cloned())).all(db).await?;
    if let Some(unknown) = slugs.iter().find(|slug| !found.iter().any(|theme| &&theme.slug == slug)) {
        return Err(QuestionError::field("themes", format!("Het thema '{unknown}' bestaat niet; kies uit de lijst.")));
    }
    Ok(found.into_iter().map(|theme| theme.id).collect())
}

/// A confirmed question, for the office only; anyone else learns nothing (not found).
pub async fn for_office(db: &DatabaseConnection, actor: &Actor, id: i32) -> Result<QuestionView, QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let row = confirmed(db, id).await?;
    let mut views = queue::views(db, vec![row]).await?;
    views.pop().ok_or(QuestionError::NotFound)
}

async fn confirmed(db: &impl ConnectionTrait, id: i32) -> Result<question::Model, QuestionError> {
    question::Entity::find_by_id(id)
        .filter(question::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
        .ok_or(QuestionError::NotFound)
}

/// Moves a question to `status`.
async fn set_status(db: &impl ConnectionTrait, id: i32, status: Status) -> Result<(), DbErr> {
    question::Entity::update_many()
        .col_expr(question::Column::Status, Expr::value(status.slug()))
        .col_expr(question::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(question::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The accounts that may handle questions: the programme office, by name.
pub async fn office_members(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Role.eq(Role::Beheerder.slug()))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await
}

/// Sets a question's status and handler, with an audit entry naming what changed.
pub async fn set_handling(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    handling: &Handling,
) -> Result<(), QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let status = Status::from_slug(&handling.status)
        .ok_or_else(|| QuestionError::field("status", "Kies een status uit de lijst."))?;
    let transaction = db::begin_write(db).await?;
    let handler = match handling.handler_id {
        None => None,
        Some(handler_id) => Some(
            office_members(&transaction)
                .await?
                .into_iter()
                .find(|member| member.id == handler_id)
                .ok_or_else(|| QuestionError::field("handler_id", "Kies iemand van het programmabureau."))?,
        ),
    };
    let row = confirmed(&transaction, id).await?;
    let mut changes = Vec::new();
    if row.status != status.slug() {
        changes.push(format!("status {} → {}", Status::label_of(&row.status), status.label()));
    }
    if row.handler_id != handling.handler_id {
        let name = handler.as_ref().map_or("niemand", |member| member.name.as_str());
        changes.push(format!("behandelaar: {name}"));
    }
    if changes.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let was_closed = row.closed_at;
    let mut model = row.into_active_model();
    model.status = Set(status.slug().into());
    model.handler_id = Set(handling.handler_id);
    model.closed_at = Set(if status == Status::Afgesloten { was_closed.or(Some(now)) } else { None });
    model.updated_at = Set(now);
    model.update(&transaction).await?;
    audit::record(&transaction, actor, "bewerkt", "vraag", &id.to_string(), changes.join("; ")).await?;
    transaction.commit().await?;
    Ok(())
}

/// Deletes the questions whose confirmation link expired unused: their askers never showed
/// the address was theirs.
pub async fn purge_unconfirmed(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let deleted = question::Entity::delete_many()
        .filter(question::Column::ConfirmedAt.is_null())
        .filter(question::Column::ConfirmExpiresAt.lt(Utc::now()))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Days from asking to closing, or to now while open.
pub fn days_open(row: &question::Model, now: DateTime<Utc>) -> i64 {
    (row.closed_at.unwrap_or(now) - row.created_at).num_days()
}

/// The form as a signed-in member first sees it: filled from their account and profile, so
/// asking takes one click once the question is written.
pub async fn prefill_for(db: &impl ConnectionTrait, actor: &Actor) -> Result<QuestionInput, DbErr> {
    let mut input = QuestionInput { name: actor.name.clone(), email: actor.email.clone(), ..QuestionInput::default() };
    if let Some(stored) = crate::profiles::of_user(db, actor.user_id).await? {
        input.organisation = stored.organisation.map(|organisation| organisation.name).unwrap_or_default();
        input.role = stored.profile.job_title;
        input.province = stored.profile.province.unwrap_or_default();
    }
    Ok(input)
}

impl Status {
    /// Every status for a select list, the one with slug `selected` marked.
    pub fn iter_labels(selected: &str) -> Vec<serde_json::Value> {
        use strum::IntoEnumIterator;
        Status::iter()
            .map(|status| {
                serde_json::json!({
                    "slug": status.slug(), "label": status.label(), "selected": status.slug() == selected,
                })
            })
            .collect()
    }
}

/// A free text checked at the boundary: trimmed, at most `max` characters, no control
/// characters; empty is allowed.
fn checked_text(field: &str, label: &str, text: &str, max: usize) -> Result<String, QuestionError> {
    let text = text.trim();
    let length = text.chars().count();
    if length > max {
        return Err(QuestionError::field(field, format!("Houd {label} korter dan {max} tekens (nu {length}).")));
    }
    if crate::validation::has_forbidden_chars(text) {
        return Err(QuestionError::field(field, crate::validation::FORBIDDEN_CHARS_MESSAGE));
    }
    Ok(text.to_string())
}
