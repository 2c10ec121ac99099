//! Applying to a call without an account: the applicant gives an e-mail address and gets a
//! private link to their application by mail (following it proves the address is theirs),
//! and keeps a draft behind that link. Asking again for the same call mails a new link to
//! the same application; the old link stops working.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

use entity::{application, application_attachment, call};

use super::attachments::{self, AttachmentView};
use super::{phase, questions, view, CallKind, CallView, Phase, Question};
use crate::db;
use crate::dutch_time::moment;
use crate::link_token;
use crate::mail::{self, Mail, MailError, MailSettings};
use crate::taxonomy;
use crate::validation::{email_is_plausible, has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

const MAX_DETAIL_CHARS: usize = 300;
const MAX_ANSWER_CHARS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("Deze oproep is nog niet open.")]
    NotOpenYet,
    #[error("De deadline van deze oproep is verstreken: aanmelden kan niet meer.")]
    Closed,
    #[error("Deze link naar een aanmelding werkt niet (meer). Vraag op de pagina van de oproep een nieuwe link aan.")]
    LinkInvalid,
    #[error("Deze aanmelding is ingediend of ingetrokken en kan niet meer veranderen.")]
    Final,
    #[error("Alleen een ingediende aanmelding kan worden ingetrokken.")]
    NotSubmitted,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A link was mailed; nothing saved through it yet.
    Unconfirmed,
    Draft,
    Submitted,
    Withdrawn,
}

impl Status {
    pub fn slug(self) -> &'static str {
        match self {
            Status::Unconfirmed => "unconfirmed",
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Withdrawn => "withdrawn",
        }
    }

    fn parse(text: &str) -> Status {
        [Status::Draft, Status::Submitted, Status::Withdrawn]
            .into_iter()
            .find(|status| status.slug() == text)
            .unwrap_or(Status::Unconfirmed)
    }

    fn is_final(self) -> bool {
        matches!(self, Status::Submitted | Status::Withdrawn)
    }
}

/// Who applies, as they state it. Numbers are kept as typed once they read as numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    /// The municipality, region or organisation that applies.
    pub organisation: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// For an inspiratieregio: the municipalities taking part, as typed.
    pub municipalities: String,
    /// Inhabitants of the region.
    pub inhabitants: String,
    /// Area in km².
    pub area_km2: String,
    /// For an inspiratieregio: its province, as spelled in `taxonomy::PROVINCES`.
    pub province: String,
}

impl Details {
    /// Inhabitants as a number, when given ("37.000" reads as 37000).
    pub fn inhabitants_number(&self) -> Option<u64> {
        self.inhabitants.trim().replace('.', "").parse().ok()
    }

    /// Area in km² as a number, when given ("215,6" reads as 215.6).
    pub fn area_number(&self) -> Option<f64> {
        self.area_km2.trim().replace(',', ".").parse().ok().filter(|area: &f64| area.is_finite() && *area > 0.0)
    }
}

/// A draft as the applicant's form sends it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub details: Details,
    /// Question key → answer; keys of other questions are ignored.
    pub answers: BTreeMap<String, String>,
}

impl Draft {
    /// The draft as it may be stored: every field checked, answers only to the call's questions.
    fn checked(self, questions: &[Question]) -> Result<Draft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let details = &self.details;
        for (field, text) in [
            ("organisation", &details.organisation),
            ("contact_name", &details.contact_name),
            ("contact_phone", &details.contact_phone),
            ("municipalities", &details.municipalities),
            ("inhabitants", &details.inhabitants),
            ("area_km2", &details.area_km2),
        ] {
            if text.chars().count() > MAX_DETAIL_CHARS {
                errors.add(field, format!("Dit veld is langer dan {MAX_DETAIL_CHARS} tekens."));
            } else if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        if !details.inhabitants.trim().is_empty() && details.inhabitants_number().is_none() {
            errors.add("inhabitants", "Vul het aantal inwoners in als getal, zoals 35000.");
        }
        if !details.area_km2.trim().is_empty() && details.area_number().is_none() {
            errors.add("area_km2", "Vul de oppervlakte in als getal in km², zoals 215,6.");
        }
        let province = match details.province.trim() {
            "" => Some(""),
            name => taxonomy::province(name),
        };
        if province.is_none() {
            errors.add("province", "Kies een van de twaalf provincies.");
        }
        let mut answers = BTreeMap::new();
        for question in questions {
            let answer = self.answers.get(&question.key).map(|answer| answer.trim()).unwrap_or_default();
            let field = format!("answer_{}", question.key);
            if answer.chars().count() > MAX_ANSWER_CHARS {
                errors.add(&field, format!("Dit antwoord is langer dan {MAX_ANSWER_CHARS} tekens."));
            } else if has_forbidden_chars(answer) {
                errors.add(&field, FORBIDDEN_CHARS_MESSAGE);
            }
            answers.insert(question.key.clone(), answer.to_string());
        }
        errors.into_result()?;
        let trimmed = |text: &str| text.trim().to_string();
        let details = Details {
            organisation: trimmed(&details.organisation),
            contact_name: trimmed(&details.contact_name),
            contact_phone: trimmed(&details.contact_phone),
            municipalities: trimmed(&details.municipalities),
            inhabitants: trimmed(&details.inhabitants),
            area_km2: trimmed(&details.area_km2),
            province: province.unwrap_or_default().to_string(),
        };
        Ok(Draft { details, answers })
    }

    /// What a submitted application holds besides a checked draft: who applies, an answer to
    /// every question, and no more words than the call allows.
    fn complete(&self, call: &call::Model) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let details = &self.details;
        let mut required = vec![
            ("organisation", &details.organisation, "Vul in wie zich aanmeldt."),
            ("contact_name", &details.contact_name, "Vul de naam van de contactpersoon in."),
        ];
        if call.kind == CallKind::Inspiratieregio.slug() {
            required.extend([
                ("municipalities", &details.municipalities, "Vul in welke gemeenten meedoen."),
                ("province", &details.province, "Kies de provincie."),
                ("inhabitants", &details.inhabitants, "Vul het aantal inwoners in."),
                ("area_km2", &details.area_km2, "Vul de oppervlakte in km² in."),
            ]);
        }
        for (field, text, message) in required {
            if text.is_empty() {
                errors.add(field, message);
            }
        }
        for (key, answer) in &self.answers {
            if answer.is_empty() {
                errors.add(&format!("answer_{key}"), "Beantwoord deze vraag voordat u indient.");
            }
        }
        let words: usize = self.answers.values().map(|answer| word_count(answer)).sum();
        if let Some(limit) = call.word_limit.filter(|limit| words > *limit as usize) {
            errors.add("word-count", format!(
                "Uw antwoorden tellen samen {words} woorden, meer dan de {limit} die de oproep toestaat. Maak ze korter."
            ));
        }
        errors.into_result()
    }
}

/// Words in a text, as a word processor counts them: what stands between spaces, when it
/// holds a letter or digit (a dash on its own is no word).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|word| word.chars().any(char::is_alphanumeric)).count()
}

/// What `start` needs besides the database.
pub struct Desk<'a> {
    pub db: &'a DatabaseConnection,
    pub mail: &'a MailSettings,
}

impl Desk<'_> {
    /// Mails a private link to the application of `email` for `call`, made if it has none.
    /// The answer is the same whether the address applied before or not.
    pub async fn start(&self, call: &call::Model, email: &str) -> Result<(), ApplyError> {
        let email = email.trim().to_lowercase();
        if !email_is_plausible(&email) || has_forbidden_chars(&email) {
            let mut errors = FieldErrors::default();
            errors.add("email", "Vul een geldig e-mailadres in, zoals naam@gemeente.nl.");
            return Err(ApplyError::Invalid(errors));
        }
        refuse_unless_open(call)?;
        let token = link_token::new();
        let now = Utc::now();
        let transaction = db::begin_write(self.db).await?;
        let existing = application::Entity::find()
            .filter(application::Column::CallId.eq(call.id))
            .filter(application::Column::Email.eq(&email))
            .one(&transaction)
            .await?;
        match existing {
            Some(found) => {
                let mut model: application::ActiveModel = found.into();
                model.token_hash = Set(link_token::digest(&token));
                model.updated_at = Set(now);
                model.update(&transaction).await?;
            }
            None => {
                application::ActiveModel {
                    call_id: Set(call.id),
                    email: Set(email.clone()),
                    token_hash: Set(link_token::digest(&token)),
                    status: Set(Status::Unconfirmed.slug().into()),
                    confirmed_at: Set(None),
                    details: Set(serde_json::json!({})),
                    answers: Set(serde_json::json!({})),
                    submitted_at: Set(None),
                    withdrawn_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&transaction)
                .await?;
            }
        }
        let data = serde_json::json!({
            "call": call.title,
            "link": self.mail.link(&application_path(&token)),
            "deadline": call.closes_at.map(crate::dutch_time::moment),
        });
        let subject = format!("Uw aanmelding: {}", call.title);
        mail::enqueue(
            &transaction,
            self.mail,
            Mail { to: &email, subject, template: "application_link", data, calendar: None },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}

/// Where the private link of an application leads.
pub fn application_path(token: &str) -> String {
    format!("/meedoen/aanmelding/{token}")
}

fn refuse_unless_open(call: &call::Model) -> Result<(), ApplyError> {
    match phase(call, Utc::now()) {
        Phase::Open => Ok(()),
        Phase::Upcoming => Err(ApplyError::NotOpenYet),
        Phase::Closed => Err(ApplyError::Closed),
    }
}

/// The application behind a private link, with its call.
pub async fn by_link(db: &impl ConnectionTrait, token: &str) -> Result<(call::Model, application::Model), ApplyError> {
    let found = application::Entity::find()
        .filter(application::Column::TokenHash.eq(link_token::digest(token)))
        .one(db)
        .await?
        .ok_or(ApplyError::LinkInvalid)?;
    let call = call::Entity::find_by_id(found.call_id).one(db).await?.ok_or(ApplyError::LinkInvalid)?;
    Ok((call, found))
}

/// Saves the draft behind a private link; the first save confirms the address. A submitted
/// or withdrawn application no longer changes.
pub async fn save_draft(db: &DatabaseConnection, token: &str, draft: Draft) -> Result<application::Model, ApplyError> {
    let transaction = db::begin_write(db).await?;
    let (call, found) = changeable_by_link(&transaction, token).await?;
    let draft = draft.checked(&questions(&call)).map_err(ApplyError::Invalid)?;
    let saved = store_draft(&transaction, found, &draft).await?;
    transaction.commit().await?;
    Ok(saved)
}

/// The application behind a link while it is a draft (or not even that yet).
pub(super) async fn changeable_by_link(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<(call::Model, application::Model), ApplyError> {
    let (call, found) = by_link(db, token).await?;
    if Status::parse(&found.status).is_final() {
        return Err(ApplyError::Final);
    }
    Ok((call, found))
}

async fn store_draft(
    db: &impl ConnectionTrait,
    found: application::Model,
    draft: &Draft,
) -> Result<application::Model, DbErr> {
    let now = Utc::now();
    let confirmed_at = found.confirmed_at.unwrap_or(now);
    let mut model: application::ActiveModel = found.into();
    model.status = Set(Status::Draft.slug().into());
    model.confirmed_at = Set(Some(confirmed_at));
    model.details = Set(serde_json::to_value(&draft.details).unwrap_or_default());
    model.answers = Set(serde_json::to_value(&draft.answers).unwrap_or_default());
    model.updated_at = Set(now);
    model.update(db).await
}

/// Submits the application behind a private link with what the form holds, and mails a
/// confirmation with a copy. What was typed is saved as the draft first, so a submission
/// that is incomplete or comes too late loses nothing. It counts when the transaction's
/// moment lies before the deadline; the check and the change are one conditional UPDATE,
/// so a deadline moved at the same time cannot slip through either.
pub async fn submit(
    db: &DatabaseConnection,
    mail: &MailSettings,
    token: &str,
    draft: Draft,
) -> Result<application::Model, ApplyError> {
    let transaction = db::begin_write(db).await?;
    let (call, found) = changeable_by_link(&transaction, token).await?;
    let draft = draft.checked(&questions(&call)).map_err(ApplyError::Invalid)?;
    let id = found.id;
    store_draft(&transaction, found, &draft).await?;
    if let Err(errors) = draft.complete(&call) {
        transaction.commit().await?;
        return Err(ApplyError::Invalid(errors));
    }
    let now = Utc::now();
    let open_calls = Query::select()
        .column(call::Column::Id)
        .from(call::Entity)
        .and_where(call::Column::OpensAt.lte(now))
        .cond_where(Condition::any().add(call::Column::ClosesAt.is_null()).add(call::Column::ClosesAt.gt(now)))
        .to_owned();
    let submitted = application::Entity::update_many()
        .col_expr(application::Column::Status, Expr::value(Status::Submitted.slug()))
        .col_expr(application::Column::SubmittedAt, Expr::value(now))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Status.is_in([Status::Unconfirmed.slug(), Status::Draft.slug()]))
        .filter(application::Column::CallId.in_subquery(open_calls))
        .exec(&transaction)
        .await?;
    if submitted.rows_affected == 0 {
        // The draft is kept; the applicant hears why it was not submitted.
        transaction.commit().await?;
        return Err(match phase(&call, now) {
            Phase::Upcoming => ApplyError::NotOpenYet,
            _ => ApplyError::Closed,
        });
    }
    let stored = application::Entity::find_by_id(id).one(&transaction).await?.ok_or(ApplyError::LinkInvalid)?;
    let copy = ApplicationView::of(&call, &stored).with_attachments(&attachments::of(&transaction, id).await?);
    let subject = format!("Bevestiging: uw aanmelding voor {}", call.title);
    let data = serde_json::json!({
        "application": copy,
        "submitted": moment(now),
        "link": mail.link(&application_path(token)),
    });
    mail::enqueue(
        &transaction,
        mail,
        Mail { to: &stored.email, subject, template: "application_submitted", data, calendar: None },
    )
    .await?;
    transaction.commit().await?;
    Ok(stored)
}

/// Withdraws a submitted application, and confirms it by mail. A withdrawn application
/// stays readable behind its link but takes no further part.
pub async fn withdraw(db: &DatabaseConnection, mail: &MailSettings, token: &str) -> Result<(), ApplyError> {
    let transaction = db::begin_write(db).await?;
    let (call, found) = by_link(&transaction, token).await?;
    let now = Utc::now();
    let withdrawn = application::Entity::update_many()
        .col_expr(application::Column::Status, Expr::value(Status::Withdrawn.slug()))
        .col_expr(application::Column::WithdrawnAt, Expr::value(now))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(found.id))
        .filter(application::Column::Status.eq(Status::Submitted.slug()))
        .exec(&transaction)
        .await?;
    if withdrawn.rows_affected == 0 {
        return Err(ApplyError::NotSubmitted);
    }
    let subject = format!("Uw aanmelding voor {} is ingetrokken", call.title);
    let data = serde_json::json!({ "call": call.title, "withdrawn": moment(now) });
    mail::enqueue(
        &transaction,
        mail,
        Mail { to: &found.email, subject, template: "application_withdrawn", data, calendar: None },
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// One question with its answer, as the application page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct AnsweredQuestion {
    pub key: String,
    pub title: String,
    pub help: String,
    pub answer: String,
    pub words: usize,
}

/// An application as its private page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub call: CallView,
    pub email: String,
    pub status: Status,
    pub details: Details,
    pub questions: Vec<AnsweredQuestion>,
    /// The details filled in, labelled, as a copy of the application lists them.
    pub detail_lines: Vec<DetailLine>,
    /// Words of all answers together, against the call's limit.
    pub words: usize,
    pub over_limit: bool,
    pub can_change: bool,
    /// When it was submitted (Dutch time).
    pub submitted: Option<String>,
    pub can_withdraw: bool,
    pub attachments: Vec<AttachmentView>,
    /// Whether a file can be attached now.
    pub can_attach: bool,
}

/// A detail of an application with its label.
#[derive(Debug, Clone, Serialize)]
pub struct DetailLine {
    pub label: &'static str,
    pub value: String,
}

/// The details that apply to a call's kind and are filled in, labelled as the form labels them.
fn detail_lines(kind: CallKind, details: &Details) -> Vec<DetailLine> {
    let region = kind == CallKind::Inspiratieregio;
    let organisation = if region { "Gemeente of regio" } else { "Organisatie" };
    let lines = [
        (organisation, &details.organisation, true),
        ("Gemeenten die meedoen", &details.municipalities, region),
        ("Provincie", &details.province, region),
        ("Aantal inwoners", &details.inhabitants, region),
        ("Oppervlakte in km²", &details.area_km2, region),
        ("Contactpersoon", &details.contact_name, true),
        ("Telefoonnummer", &details.contact_phone, true),
    ];
    lines
        .into_iter()
        .filter(|(_, value, applies)| *applies && !value.is_empty())
        .map(|(label, value, _)| DetailLine { label, value: value.clone() })
        .collect()
}

impl ApplicationView {
    pub fn of(call: &call::Model, found: &application::Model) -> ApplicationView {
        let details: Details = serde_json::from_value(found.details.clone()).unwrap_or_default();
        let answers: BTreeMap<String, String> = serde_json::from_value(found.answers.clone()).unwrap_or_default();
        ApplicationView::with(call, found, details, &answers)
    }

    /// The view with the application's attachments listed.
    pub fn with_attachments(mut self, attachments: &[application_attachment::Model]) -> ApplicationView {
        self.attachments = attachments::views(attachments);
        self.can_attach = self.can_change
            && self.call.attachments_allowed
            && (attachments.len() as u64) < attachments::MAX_ATTACHMENTS;
        self
    }

    /// The page again with what was typed, after a draft was refused.
    pub fn as_typed(call: &call::Model, found: &application::Model, draft: &Draft) -> ApplicationView {
        ApplicationView::with(call, found, draft.details.clone(), &draft.answers)
    }

    fn with(
        call: &call::Model,
        found: &application::Model,
        details: Details,
        answers: &BTreeMap<String, String>,
    ) -> ApplicationView {
        let questions: Vec<AnsweredQuestion> = questions(call)
            .into_iter()
            .map(|question| {
                let answer = answers.get(&question.key).cloned().unwrap_or_default();
                AnsweredQuestion {
                    words: word_count(&answer),
                    key: question.key,
                    title: question.title,
                    help: question.help,
                    answer,
                }
            })
            .collect();
        let words = questions.iter().map(|question| question.words).sum();
        let status = Status::parse(&found.status);
        let view = view(call, Utc::now());
        ApplicationView {
            over_limit: call.word_limit.is_some_and(|limit| words > limit as usize),
            can_change: !status.is_final() && view.phase == Phase::Open,
            detail_lines: detail_lines(view.kind, &details),
            submitted: found.submitted_at.filter(|_| status == Status::Submitted).map(moment),
            can_withdraw: status == Status::Submitted,
            attachments: Vec::new(),
            can_attach: false,
            call: view,
            email: found.email.clone(),
            status,
            details,
            questions,
            words,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(key: &str) -> Question {
        Question { key: key.into(), title: format!("Vraag {key}?"), help: String::new() }
    }

    #[test]
    fn words_are_counted_as_a_word_processor_does() {
        assert_eq!(word_count("  Wij willen leren,\nvan elkaar —  en  meer. "), 7);
        assert_eq!(word_count(""), 0);
    }

    #[test]
    fn a_draft_keeps_answers_to_the_call_questions_only_and_checks_numbers() {
        let mut draft = Draft::default();
        draft.details.inhabitants = "35.000".into();
        draft.details.area_km2 = "215,6".into();
        draft.answers.insert("doel".into(), " Minder thuiszitters. ".into());
        draft.answers.insert("onbekend".into(), "weg".into());
        let checked = draft.checked(&[question("doel"), question("risico")]).unwrap();
        assert_eq!(checked.answers["doel"], "Minder thuiszitters.");
        assert_eq!(checked.answers["risico"], "");
        assert!(!checked.answers.contains_key("onbekend"));

        let mut bad = Draft::default();
        bad.details.inhabitants = "veel".into();
        bad.details.area_km2 = "-3".into();
        bad.details.organisation = "Gemeente\u{1b}".into();
        bad.answers.insert("doel".into(), "x".repeat(MAX_ANSWER_CHARS + 1));
        let errors = bad.checked(&[question("doel")]).unwrap_err();
        for field in ["inhabitants", "area_km2", "organisation", "answer_doel"] {
            assert!(errors.first(field).is_some(), "{field}");
        }
    }
}
