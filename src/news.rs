//! News of the programme office: written by beheerders, public from its publication time
//! on (so news can be scheduled), with themes, related practices and attachments.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use entity::{news, practice};

use crate::actor::{policy, Actor};
use crate::db;
use crate::markdown;
use crate::pagination::{Page, PageRequest};
use crate::search::{Audience, IndexItem, ItemKind};
use crate::taxonomy::{PracticeStatus, Taxonomy};
use crate::validation::{free_slug, slug_is_valid, EditError, FieldErrors};
use crate::vocabulary::Vocabulary;

/// A news item as the programme office writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsInput {
    /// Made from the title when left out.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    /// When it becomes public: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` (Dutch time) or RFC 3339;
    /// now when left out.
    pub published_at: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    /// Slugs of related practices.
    #[serde(default)]
    pub practices: Vec<String>,
}

/// A publication time as typed: dates and local times are Dutch time.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))?;
    local.and_local_timezone(chrono_tz::Europe::Amsterdam).earliest().map(|time| time.with_timezone(&Utc))
}

impl NewsInput {
    fn validate(&self, taxonomy: &Taxonomy) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.title.trim().is_empty() {
            errors.add("title", "Vul een titel in.");
        }
        if !self.slug.is_empty() && !slug_is_valid(&self.slug) {
            errors.add("slug", "Gebruik alleen kleine letters, cijfers en streepjes.");
        }
        if let Some(time) = self.published_at.as_deref().filter(|time| !time.trim().is_empty()) {
            if parse_time(time).is_none() {
                errors.add(
                    "published_at",
                    format!("'{time}' is geen datum of tijd (gebruik JJJJ-MM-DD of JJJJ-MM-DDTUU:MM)."),
                );
            }
        }
        for slug in &self.themes {
            if !taxonomy.themes.iter().any(|theme| &theme.slug == slug) {
                errors.add("themes", format!("Onbekend thema '{slug}'."));
            }
        }
        errors.into_result()
    }
}

const NOT_FOUND: &str = "Dit nieuwsbericht bestaat niet (of is nog niet gepubliceerd).";

/// Creates (`existing` None) or edits a news item; beheerders only.
pub async fn save_as(
    db: &DatabaseConnection,
    actor: &Actor,
    existing: Option<&str>,
    mut input: NewsInput,
) -> Result<news::Model, EditError> {
    if !policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let taxonomy = Taxonomy::load(&transaction).await?;
    let mut errors = input.validate(&taxonomy).err().unwrap_or_default();
    for slug in &input.practices {
        if practice::Entity::find().filter(practice::Column::Slug.eq(slug)).one(&transaction).await?.is_none() {
            errors.add("practices", format!("Onbekende praktijk '{slug}'."));
        }
    }
    errors.into_result().map_err(EditError::Invalid)?;
    let now = Utc::now();
    // Whole seconds, as the search index keeps them: page and search agree on "published".
    let published_at = input.published_at.as_deref().and_then(parse_time).unwrap_or(now).trunc_subsecs(0);
    let by_slug = |slug: String| news::Entity::find().filter(news::Column::Slug.eq(slug)).one(&transaction);
    let mut model = match existing {
        Some(slug) => {
            let found = by_slug(slug.to_string()).await?.ok_or(EditError::NotFound(NOT_FOUND))?;
            input.slug = found.slug.clone();
            news::ActiveModel::from(found)
        }
        None => {
            if input.slug.is_empty() {
                input.slug =
                    free_slug::<news::Entity>(&transaction, news::Column::Slug, &input.title, "nieuws").await?;
            } else if by_slug(input.slug.clone()).await?.is_some() {
                return Err(EditError::field("slug", "Er is al een nieuwsbericht met deze korte naam."));
            }
            news::ActiveModel {
                created_at: Set(now),
                author_id: Set(Some(actor.user_id)),
                author_name: Set(actor.name.clone()),
                ..Default::default()
            }
        }
    };
    model.slug = Set(input.slug);
    model.title = Set(input.title.trim().to_string());
    model.summary = Set(input.summary.trim().to_string());
    model.body = Set(input.body);
    model.published_at = Set(published_at);
    model.themes = Set(serde_json::json!(input.themes));
    model.practices = Set(serde_json::json!(input.practices));
    model.updated_at = Set(now);
    let saved = if existing.is_some() { model.update(&transaction).await? } else { model.insert(&transaction).await? };
    crate::outbox::record_changes(&transaction, ItemKind::News, &[saved.id]).await?;
    let action = if existing.is_some() { "bewerkt" } else { "aangemaakt" };
    crate::audit::record(&transaction, actor, action, "nieuws", &saved.slug, saved.title.clone()).await?;
    transaction.commit().await?;
    Ok(saved)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewsCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub url: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewsView {
    #[serde(skip)]
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
    pub url: String,
    pub author: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub themes: Vec<String>,
    pub practices: Vec<String>,
    /// Whether it is public yet (scheduled items are visible to beheerders only).
    pub published: bool,
}

fn view(model: news::Model) -> NewsView {
    NewsView {
        id: model.id,
        body_html: markdown::to_safe_html(&model.body),
        url: ItemKind::News.path(&model.slug),
        published: model.published_at <= Utc::now(),
        themes: serde_json::from_value(model.themes).unwrap_or_default(),
        practices: serde_json::from_value(model.practices).unwrap_or_default(),
        slug: model.slug,
        title: model.title,
        summary: model.summary,
        body: model.body,
        author: model.author_name,
        published_at: model.published_at,
        updated_at: model.updated_at,
    }
}

/// A news item: public ones for everyone, scheduled ones for beheerders, who also see the
/// related practices that are not public.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Option<NewsView>, DbErr> {
    let writer = viewer.is_some_and(policy::can_manage_network);
    let found = news::Entity::find().filter(news::Column::Slug.eq(slug)).one(db).await?;
    let Some(mut item) = found.map(view).filter(|item| item.published || writer) else { return Ok(None) };
    if !writer {
        // A related practice that is a concept or archived is not public: not even its slug.
        let public: Vec<String> = practice::Entity::find()
            .select_only()
            .column(practice::Column::Slug)
            .filter(practice::Column::Slug.is_in(item.practices.iter().map(String::as_str)))
            .filter(practice::Column::Status.eq(PracticeStatus::Gepubliceerd.slug()))
            .into_tuple()
            .all(db)
            .await?;
        item.practices.retain(|slug| public.contains(slug));
    }
    Ok(Some(item))
}

/// Published news, newest first.
pub async fn list_published(db: &impl ConnectionTrait, page: PageRequest) -> Result<Page<NewsCard>, DbErr> {
    let paginator = news::Entity::find()
        .filter(news::Column::PublishedAt.lte(Utc::now()))
        .order_by_desc(news::Column::PublishedAt)
        .paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let cards = paginator
        .fetch_page(page.index())
        .await?
        .into_iter()
        .map(|model| NewsCard {
            url: ItemKind::News.path(&model.slug),
            slug: model.slug,
            title: model.title,
            summary: model.summary,
            published_at: model.published_at,
        })
        .collect();
    Ok(Page::new(cards, total, page))
}

/// When an account is deleted: the news its person wrote stays, under `pseudonym`, and the
/// index (where the author's name is a keyword) learns the new name.
pub async fn forget_author(db: &impl ConnectionTrait, user_id: i32, pseudonym: &str) -> Result<(), DbErr> {
    let written: Vec<i32> = news::Entity::find()
        .filter(news::Column::AuthorId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|item| item.id)
        .collect();
    news::Entity::update_many()
        .col_expr(news::Column::AuthorId, Expr::value(Option::<i32>::None))
        .col_expr(news::Column::AuthorName, Expr::value(pseudonym))
        .filter(news::Column::Id.is_in(written.iter().copied()))
        .exec(db)
        .await?;
    crate::outbox::record_changes(db, ItemKind::News, &written).await
}

pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    Ok(news::Entity::find()
        .filter(news::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(index_item)
        .collect())
}

pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let found = news::Entity::find()
        .filter(news::Column::Id.gt(after))
        .order_by_asc(news::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = found.last().map(|model| model.id);
    Ok((found.into_iter().map(index_item).collect(), last))
}

/// Scheduled items are indexed too: search only shows items whose date has come.
fn index_item(model: news::Model) -> IndexItem {
    IndexItem {
        kind: ItemKind::News,
        id: model.id,
        body: markdown::to_plain_text(&model.body),
        slug: model.slug,
        title: model.title,
        summary: model.summary,
        organisation: None,
        province: None,
        themes: serde_json::from_value(model.themes).unwrap_or_default(),
        advices: Vec::new(),
        age_groups: Vec::new(),
        keywords: model.author_name,
        date: model.published_at,
        shown_date: model.published_at,
        place: None,
        audiences: Audience::ALL.to_vec(),
        expertise_kind: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_times_are_dutch_time() {
        assert_eq!(parse_time("2026-07-01T09:30").unwrap().to_rfc3339(), "2026-07-01T07:30:00+00:00");
        assert_eq!(parse_time("2026-12-01").unwrap().to_rfc3339(), "2026-11-30T23:00:00+00:00");
        assert!(parse_time("morgen").is_none());
    }
}
