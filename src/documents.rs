//! Harvest documents ("oogstdocumenten"). For now: text documents from imports, shown on
//! their own page and found by search.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use entity::{document, organisation};

use crate::outbox;
use crate::search::{IndexItem, ItemKind, OrganisationRef};
use crate::validation::{slug_is_valid, EditError, FieldErrors};

#[derive(Debug, Clone)]
pub struct DocumentInput {
    pub slug: String,
    pub title: String,
    pub body: String,
}

impl DocumentInput {
    /// A text file: the first non-empty line is the title, the rest the body.
    pub fn from_text(slug: &str, text: &str) -> DocumentInput {
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let (title, body) = text.split_once('\n').unwrap_or((text, ""));
        DocumentInput { slug: slug.to_string(), title: title.trim().to_string(), body: body.trim().to_string() }
    }

    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !slug_is_valid(&self.slug) {
            errors.add(
                "slug",
                format!("'{}' is geen geldige korte naam: gebruik kleine letters, cijfers en streepjes.", self.slug),
            );
        }
        if self.title.is_empty() {
            errors.add("title", "Het document heeft geen titel (de eerste regel is leeg).");
        }
        if self.body.is_empty() {
            errors.add("body", "Het document bevat geen tekst na de titel.");
        }
        errors.into_result()
    }
}

/// Saves a document inside the caller's transaction, with its outbox record.
pub async fn upsert_in(db: &impl ConnectionTrait, input: DocumentInput) -> Result<document::Model, EditError> {
    input.validate().map_err(EditError::Invalid)?;
    let now = Utc::now();
    let existing = document::Entity::find().filter(document::Column::Slug.eq(&input.slug)).one(db).await?;
    let mut model = match &existing {
        Some(found) => document::ActiveModel::from(found.clone()),
        None => document::ActiveModel { created_at: Set(now), published_at: Set(now), ..Default::default() },
    };
    model.slug = Set(input.slug);
    model.title = Set(input.title);
    model.body = Set(input.body);
    model.updated_at = Set(now);
    let saved = match existing {
        Some(_) => model.update(db).await?,
        None => model.insert(db).await?,
    };
    outbox::record_changes(db, ItemKind::Document, &[saved.id]).await?;
    Ok(saved)
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub slug: String,
    pub title: String,
    pub body: String,
    pub published_at: DateTime<Utc>,
    pub organisation: Option<String>,
    pub organisation_slug: Option<String>,
}

pub async fn find(db: &impl ConnectionTrait, slug: &str) -> Result<Option<DocumentView>, DbErr> {
    let found = document::Entity::find().filter(document::Column::Slug.eq(slug)).one(db).await?;
    let Some(model) = found else { return Ok(None) };
    let organisation = match model.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Some(DocumentView {
        slug: model.slug,
        title: model.title,
        body: model.body,
        published_at: model.published_at,
        organisation: organisation.as_ref().map(|found| found.name.clone()),
        organisation_slug: organisation.map(|found| found.slug),
    }))
}

pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    let documents = document::Entity::find().filter(document::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    to_index_items(db, documents).await
}

pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let documents = document::Entity::find()
        .filter(document::Column::Id.gt(after))
        .order_by_asc(document::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = documents.last().map(|found| found.id);
    Ok((to_index_items(db, documents).await?, last))
}

async fn to_index_items(db: &impl ConnectionTrait, documents: Vec<document::Model>) -> Result<Vec<IndexItem>, DbErr> {
    let organisation_ids: Vec<i32> = documents.iter().filter_map(|found| found.organisation_id).collect();
    let organisations = if organisation_ids.is_empty() {
        Vec::new()
    } else {
        organisation::Entity::find().filter(organisation::Column::Id.is_in(organisation_ids)).all(db).await?
    };
    Ok(documents
        .into_iter()
        .map(|model| {
            let organisation = organisations.iter().find(|found| Some(found.id) == model.organisation_id);
            IndexItem {
                kind: ItemKind::Document,
                id: model.id,
                slug: model.slug,
                title: model.title,
                summary: String::new(),
                body: model.body,
                organisation: organisation.map(|found| OrganisationRef {
                    slug: found.slug.clone(),
                    name: found.name.clone(),
                    kind: found.kind.clone(),
                }),
                province: organisation.and_then(|found| found.province.clone()),
                themes: Vec::new(),
                advices: Vec::new(),
                age_groups: Vec::new(),
                keywords: organisation.map(|found| found.name.clone()).unwrap_or_default(),
                date: model.published_at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_the_title() {
        let input = DocumentInput::from_text("verslag", "\u{feff}\nVerslag werksessie\n\nTekst van het verslag.\n");
        assert_eq!(input.title, "Verslag werksessie");
        assert_eq!(input.body, "Tekst van het verslag.");
        assert!(DocumentInput::from_text("leeg", "Alleen een titel").validate().is_err());
    }
}
