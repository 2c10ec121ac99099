//! The public archive, "Eerder gesteld": answered questions whose askers agreed, published
//! by the office under a title, with the question and its answer rewritten without names or
//! other details that identify anyone. The archive shows the practices that helped and the
//! experts who took the question on (those in the member directory), and the search finds
//! archived questions as `kind=question`. Only the anonymised texts are public; the asker's
//! own words and details never leave the office's pages.

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use entity::{practice, profile, question, question_introduction, question_practice, question_theme, theme};

use super::introductions::State;
use super::{confirmed, QuestionError, Status};
use crate::actor::{policy, Actor};
use crate::audit;
use crate::db;
use crate::outbox;
use crate::pagination::PageRequest;
use crate::search::{Audience, IndexItem, ItemKind};
use crate::taxonomy::PracticeStatus;
use crate::validation::FieldErrors;
use crate::vocabulary::Vocabulary;

const TITLE_CHARS: RangeInclusive<usize> = 5..=200;
const TEXT_CHARS: RangeInclusive<usize> = 20..=10_000;
/// How much of the answer a search hit shows.
const SUMMARY_CHARS: usize = 300;

/// What the office publishes: the anonymised title, question and answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArchiveInput {
    pub title: String,
    pub text: String,
    pub answer: String,
}

impl ArchiveInput {
    /// The office's starting point: what it published before, else the asker's question to
    /// rewrite (the office page shows it only to the office).
    pub fn of(row: &question::Model) -> ArchiveInput {
        ArchiveInput {
            title: row.public_title.clone().unwrap_or_default(),
            text: row.public_text.clone().unwrap_or_else(|| row.question.clone()),
            answer: row.public_answer.clone().unwrap_or_default(),
        }
    }

    fn checked(&self) -> Result<ArchiveInput, QuestionError> {
        let mut errors = FieldErrors::default();
        let checked = ArchiveInput {
            title: text_in(&mut errors, "title", "de titel", &self.title, TITLE_CHARS),
            text: text_in(&mut errors, "text", "de vraag", &self.text, TEXT_CHARS),
            answer: text_in(&mut errors, "answer", "het antwoord", &self.answer, TEXT_CHARS),
        };
        errors.into_result().map_err(QuestionError::Invalid)?;
        Ok(checked)
    }
}

/// `value` trimmed, or a message in `errors` when its length is outside `range` or it holds
/// control characters.
fn text_in(errors: &mut FieldErrors, field: &str, label: &str, value: &str, range: RangeInclusive<usize>) -> String {
    let value = value.trim();
    let length = value.chars().count();
    if length < *range.start() {
        errors.add(field, format!("Schrijf {label} in minstens {} tekens.", range.start()));
    } else if length > *range.end() {
        errors.add(field, format!("Houd {label} korter dan {} tekens (nu {length}).", range.end()));
    } else if crate::validation::has_forbidden_chars(value) {
        errors.add(field, crate::validation::FORBIDDEN_CHARS_MESSAGE);
    }
    value.to_string()
}

/// An archived question as the public page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Archived {
    pub id: i32,
    pub title: String,
    pub text: String,
    pub answer: String,
    pub published_at: DateTime<Utc>,
    pub themes: Vec<super::ThemeRef>,
    /// Published practices that helped: (slug, title).
    pub practices: Vec<Linked>,
    /// Experts in the member directory who took the question on: (slug, name).
    pub experts: Vec<Linked>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Linked {
    pub slug: String,
    pub name: String,
}

/// The office publishes the question in the archive, or publishes it again after an edit.
pub async fn publish(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    input: &ArchiveInput,
) -> Result<(), QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let input = input.checked()?;
    let transaction = db::begin_write(db).await?;
    let row = confirmed(&transaction, id).await?;
    if !row.share_anonymised {
        return Err(QuestionError::field("text", "De vrager gaf geen toestemming om de vraag openbaar te maken."));
    }
    let helped = [Status::Gekoppeld, Status::Beantwoord, Status::Afgesloten];
    if !helped.iter().any(|status| status.slug() == row.status) {
        return Err(QuestionError::field("text", "Publiceer een vraag pas als ze gekoppeld of beantwoord is."));
    }
    let first_time = row.published_at.is_none();
    let mut model = row.into_active_model();
    model.public_title = Set(Some(input.title.clone()));
    model.public_text = Set(Some(input.text));
    model.public_answer = Set(Some(input.answer));
    if first_time {
        model.published_at = Set(Some(Utc::now()));
    }
    model.update(&transaction).await?;
    outbox::record_changes(&transaction, ItemKind::Question, &[id]).await?;
    let action = if first_time { "gepubliceerd" } else { "archieftekst bewerkt" };
    audit::record(&transaction, actor, action, "vraag", &id.to_string(), input.title).await?;
    transaction.commit().await?;
    Ok(())
}

/// The office takes the question out of the archive (the texts stay for a later publish).
pub async fn withdraw(db: &DatabaseConnection, actor: &Actor, id: i32) -> Result<(), QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let transaction = db::begin_write(db).await?;
    let row = confirmed(&transaction, id).await?;
    if row.published_at.is_none() {
        return Ok(());
    }
    let mut model = row.into_active_model();
    model.published_at = Set(None);
    model.update(&transaction).await?;
    outbox::record_changes(&transaction, ItemKind::Question, &[id]).await?;
    audit::record(&transaction, actor, "uit archief gehaald", "vraag", &id.to_string(), "").await?;
    transaction.commit().await?;
    Ok(())
}

fn published() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(question::Column::PublishedAt.is_not_null())
        .add(question::Column::PublicTitle.is_not_null())
        .add(question::Column::ShareAnonymised.eq(true))
}

/// How many questions the archive holds.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    question::Entity::find().filter(published()).count(db).await
}

/// An archived question, for its public page.
pub async fn find_published(db: &impl ConnectionTrait, id: i32) -> Result<Option<Archived>, DbErr> {
    let Some(row) = question::Entity::find_by_id(id).filter(published()).one(db).await? else {
        return Ok(None);
    };
    Ok(archived(db, vec![row]).await?.pop())
}

/// A page of the archive, newest first, and how many questions it holds.
pub async fn page(db: &impl ConnectionTrait, page: PageRequest) -> Result<(Vec<Archived>, u64), DbErr> {
    let paginator = question::Entity::find()
        .filter(published())
        .order_by_desc(question::Column::PublishedAt)
        .paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    Ok((archived(db, rows).await?, total))
}

/// The archive texts of a question for the office's form, and when it was published.
pub async fn draft(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
) -> Result<(ArchiveInput, Option<DateTime<Utc>>), QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let row = confirmed(db, id).await?;
    Ok((ArchiveInput::of(&row), row.published_at))
}

async fn archived(db: &impl ConnectionTrait, rows: Vec<question::Model>) -> Result<Vec<Archived>, DbErr> {
    let mut found = Vec::new();
    for row in rows {
        let (Some(title), Some(published_at)) = (row.public_title.clone(), row.published_at) else { continue };
        found.push(Archived {
            id: row.id,
            title,
            text: row.public_text.clone().unwrap_or_default(),
            answer: row.public_answer.clone().unwrap_or_default(),
            published_at,
            themes: themes_of(db, row.id).await?,
            practices: practices_of(db, row.id).await?,
            experts: experts_of(db, row.id).await?,
        });
    }
    Ok(found)
}

async fn themes_of(db: &impl ConnectionTrait, id: i32) -> Result<Vec<super::ThemeRef>, DbErr> {
    Ok(question_theme::Entity::find()
        .filter(question_theme::Column::QuestionId.eq(id))
        .find_also_related(theme::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, theme)| theme.map(|theme| super::ThemeRef { slug: theme.slug, name: theme.name }))
        .collect())
}

async fn practices_of(db: &impl ConnectionTrait, id: i32) -> Result<Vec<Linked>, DbErr> {
    Ok(question_practice::Entity::find()
        .filter(question_practice::Column::QuestionId.eq(id))
        .find_also_related(practice::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, practice)| practice.filter(|practice| practice.status == PracticeStatus::Gepubliceerd.slug()))
        .map(|practice| Linked { slug: practice.slug, name: practice.title })
        .collect())
}

async fn experts_of(db: &impl ConnectionTrait, id: i32) -> Result<Vec<Linked>, DbErr> {
    Ok(question_introduction::Entity::find()
        .filter(question_introduction::Column::QuestionId.eq(id))
        .filter(question_introduction::Column::Status.eq(State::Accepted.slug()))
        .find_also_related(profile::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, expert)| expert.filter(|expert| expert.listed && !expert.hidden_by_office))
        .map(|expert| Linked { slug: expert.slug, name: expert.display_name })
        .collect())
}

/// The archived questions among `ids` as the index holds them; the others are left out, so
/// applying a change removes a withdrawn question from the index.
pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    let rows = question::Entity::find()
        .filter(published())
        .filter(question::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    to_index_items(db, rows).await
}

pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let rows = question::Entity::find()
        .filter(published())
        .filter(question::Column::Id.gt(after))
        .order_by_asc(question::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = rows.last().map(|row| row.id);
    Ok((to_index_items(db, rows).await?, last))
}

async fn to_index_items(db: &impl ConnectionTrait, rows: Vec<question::Model>) -> Result<Vec<IndexItem>, DbErr> {
    let mut items = Vec::new();
    for archived in archived(db, rows).await? {
        let practices: Vec<&str> = archived.practices.iter().map(|practice| practice.name.as_str()).collect();
        let theme_names: Vec<&str> = archived.themes.iter().map(|theme| theme.name.as_str()).collect();
        items.push(IndexItem {
            kind: ItemKind::Question,
            id: archived.id,
            slug: archived.id.to_string(),
            title: archived.title.clone(),
            summary: archived.answer.chars().take(SUMMARY_CHARS).collect(),
            body: format!("{}\n\n{}", archived.text, archived.answer),
            organisation: None,
            province: None,
            themes: archived.themes.iter().map(|theme| theme.slug.clone()).collect(),
            advices: Vec::new(),
            age_groups: Vec::new(),
            keywords: format!("eerder gesteld {} {}", theme_names.join(" "), practices.join(" ")),
            date: archived.published_at,
            shown_date: archived.published_at,
            place: None,
            audiences: Audience::ALL.to_vec(),
            expertise_kind: None,
        });
    }
    Ok(items)
}
