//! Creating, editing, publishing, archiving and deleting practices on behalf of a person,
//! with the rules of who may, an audit record and a version of every save.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use entity::{document, organisation, practice, practice_version, profile, user};

use super::{contact_input, find_any, upsert_in, PracticeInput, PracticeView};
use crate::actor::{policy, Actor, Role};
use crate::audit;
use crate::db;
use crate::organisations;
use crate::outbox;
use crate::search::ItemKind;
use crate::taxonomy::{PracticeStatus, Taxonomy};
use crate::validation::{free_slug, EditError};
use crate::vocabulary::Vocabulary;

const PRACTICE_NOT_FOUND: &str = "Deze praktijk bestaat niet (of u mag haar niet zien).";

async fn find_model(db: &impl ConnectionTrait, slug: &str) -> Result<Option<practice::Model>, DbErr> {
    practice::Entity::find().filter(practice::Column::Slug.eq(slug)).one(db).await
}

/// A practice as this viewer may see it: published ones for everyone, concepts and
/// archived ones only for those who may edit them.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Option<PracticeView>, DbErr> {
    match find_visible_model(db, viewer, slug).await? {
        Some(_) => find_any(db, slug).await,
        None => Ok(None),
    }
}

/// The stored practice, when this viewer may see it (see [`find_visible`]).
pub async fn find_visible_model(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Option<practice::Model>, DbErr> {
    let Some(model) = find_model(db, slug).await? else { return Ok(None) };
    let visible = model.status == PracticeStatus::Gepubliceerd.slug()
        || viewer.is_some_and(|actor| policy::can_edit_practices_of(actor, model.organisation_id));
    Ok(Some(model).filter(|_| visible))
}

/// The organisation a practice is saved under: the one named, or the editor's own; the
/// editor must be allowed to publish for it.
async fn organisation_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    named: &str,
) -> Result<organisation::Model, EditError> {
    let found = if named.trim().is_empty() {
        match actor.organisation_id {
            Some(id) => organisation::Entity::find_by_id(id).one(db).await?,
            None => None,
        }
        .ok_or_else(|| EditError::field("organisation", "Kies de organisatie van deze praktijk."))?
    } else {
        organisations::find_by_slug(db, named.trim())
            .await?
            .ok_or_else(|| EditError::field("organisation", format!("Onbekende organisatie '{}'.", named.trim())))?
    };
    if !policy::can_edit_practices_of(actor, found.id) {
        return Err(EditError::Forbidden);
    }
    Ok(found)
}

/// Creates a practice for the actor's (or a named) organisation.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    mut input: PracticeInput,
) -> Result<PracticeView, EditError> {
    if !policy::can_edit_some_practices(actor) {
        return Err(EditError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let organisation = organisation_for(&transaction, actor, &input.organisation).await?;
    input.organisation = organisation.slug;
    if input.slug.is_empty() {
        input.slug =
            free_slug::<practice::Entity>(&transaction, practice::Column::Slug, &input.title, "praktijk").await?;
    } else if find_model(&transaction, &input.slug).await?.is_some() {
        return Err(EditError::field("slug", "Er bestaat al een praktijk met deze korte naam."));
    }
    let saved = save(&transaction, actor, input, "aangemaakt").await?;
    transaction.commit().await?;
    view(db, &saved.slug).await
}

/// Replaces a practice's content (its slug stays). Moving it to another organisation
/// needs the right to edit both.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    mut input: PracticeInput,
) -> Result<PracticeView, EditError> {
    let transaction = db::begin_write(db).await?;
    let existing = editable(&transaction, actor, slug).await?;
    let organisation = if input.organisation.trim().is_empty() {
        organisation::Entity::find_by_id(existing.organisation_id)
            .one(&transaction)
            .await?
            .ok_or(EditError::NotFound(PRACTICE_NOT_FOUND))?
    } else {
        organisation_for(&transaction, actor, &input.organisation).await?
    };
    input.organisation = organisation.slug;
    input.slug = existing.slug;
    let action = match (existing.status.as_str(), input.status.as_deref()) {
        (before, Some(after)) if before != after => format!("status {before} → {after}"),
        _ => "bewerkt".to_string(),
    };
    let saved = save(&transaction, actor, input, &action).await?;
    transaction.commit().await?;
    view(db, &saved.slug).await
}

/// Changes only the status: publish, back to concept, or archive.
pub async fn set_status(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    status: PracticeStatus,
) -> Result<PracticeView, EditError> {
    let mut input = current_input(db, actor, slug).await?;
    input.status = Some(status.slug().to_string());
    update(db, actor, slug, input).await
}

/// Deletes a practice with its versions and documents; the search index drops them all.
/// Its documents go too: they shared its visibility, and left behind they would become
/// public organisation documents, even those of a concept.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, slug: &str) -> Result<(), EditError> {
    let transaction = db::begin_write(db).await?;
    let existing = editable(&transaction, actor, slug).await?;
    outbox::record_changes(&transaction, ItemKind::Practice, &[existing.id]).await?;
    let attached = document::Column::PracticeId.eq(existing.id);
    let documents: Vec<i32> = document::Entity::find()
        .filter(attached.clone())
        .all(&transaction)
        .await?
        .iter()
        .map(|found| found.id)
        .collect();
    outbox::record_changes(&transaction, ItemKind::Document, &documents).await?;
    document::Entity::delete_many().filter(attached).exec(&transaction).await?;
    audit::record(&transaction, actor, "verwijderd", "praktijk", &existing.slug, existing.title.clone()).await?;
    existing.delete(&transaction).await?;
    transaction.commit().await?;
    Ok(())
}

/// The practice as the form and the API take it, for an editor.
pub async fn current_input(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<PracticeInput, EditError> {
    let existing = editable(db, actor, slug).await?;
    let latest = practice_version::Entity::find()
        .filter(practice_version::Column::PracticeId.eq(existing.id))
        .order_by_desc(practice_version::Column::Number)
        .one(db)
        .await?;
    match latest.and_then(|version| serde_json::from_value::<PracticeInput>(version.snapshot).ok()) {
        Some(input) => Ok(PracticeInput { status: Some(existing.status), ..input }),
        None => input_from_model(db, existing).await,
    }
}

/// For practices saved before versions existed (imports): rebuild the input from the row.
async fn input_from_model(db: &impl ConnectionTrait, model: practice::Model) -> Result<PracticeInput, EditError> {
    let contact = contact_input(db, &model).await?;
    let view = find_any(db, &model.slug).await?.ok_or(EditError::NotFound(PRACTICE_NOT_FOUND))?;
    Ok(PracticeInput {
        slug: view.slug,
        title: view.title,
        organisation: view.organisation.slug,
        summary: view.summary,
        body: view.body,
        province: view.province,
        themes: view.themes.into_iter().map(|named| named.slug).collect(),
        advices: view.advices.into_iter().map(|named| named.slug).collect(),
        age_groups: view.age_groups.into_iter().map(|named| named.slug).collect(),
        partners: view.partners.into_iter().map(|named| named.slug).collect(),
        results: view.results,
        contact,
        links: view.links,
        status: Some(view.status),
        published_at: view.published_at.map(|date| date.to_rfc3339()),
    })
}

/// The existing practice, if the actor may edit it; 404 for those who may not even see it.
async fn editable(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<practice::Model, EditError> {
    let existing = find_model(db, slug).await?.ok_or(EditError::NotFound(PRACTICE_NOT_FOUND))?;
    if policy::can_edit_practices_of(actor, existing.organisation_id) {
        Ok(existing)
    } else if existing.status == PracticeStatus::Gepubliceerd.slug() {
        Err(EditError::Forbidden)
    } else {
        Err(EditError::NotFound(PRACTICE_NOT_FOUND))
    }
}

/// Saves, records a version and an audit entry: one transaction, the caller's.
async fn save(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: PracticeInput,
    action: &str,
) -> Result<practice::Model, EditError> {
    let taxonomy = Taxonomy::load(db).await?;
    let snapshot = serde_json::to_value(&input).unwrap_or_default();
    let saved = upsert_in(db, input, &taxonomy).await?;
    let number =
        practice_version::Entity::find().filter(practice_version::Column::PracticeId.eq(saved.id)).count(db).await?
            as i32
            + 1;
    practice_version::ActiveModel {
        practice_id: Set(saved.id),
        number: Set(number),
        snapshot: Set(snapshot),
        author_id: Set(Some(actor.user_id)),
        author_name: Set(actor.name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(db, actor, action, "praktijk", &saved.slug, format!("{} (versie {number})", saved.title)).await?;
    Ok(saved)
}

/// When an account is deleted: the versions its person saved carry `pseudonym` instead of
/// the name. A practice stays with its organisation, but where its contact address was the
/// person's own, that contact goes, from the practice and from every earlier version.
pub async fn forget_person(db: &impl ConnectionTrait, user_id: i32, email: &str, pseudonym: &str) -> Result<(), DbErr> {
    practice_version::Entity::update_many()
        .col_expr(practice_version::Column::AuthorId, Expr::value(Option::<i32>::None))
        .col_expr(practice_version::Column::AuthorName, Expr::value(pseudonym))
        .filter(practice_version::Column::AuthorId.eq(user_id))
        .exec(db)
        .await?;
    let theirs = |address: Option<&str>| address.is_some_and(|address| address.trim().eq_ignore_ascii_case(email));
    let contacts: Vec<practice::Model> = practice::Entity::find()
        .filter(practice::Column::ContactEmail.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|found| theirs(found.contact_email.as_deref()))
        .collect();
    for found in &contacts {
        let mut model = found.clone().into_active_model();
        model.contact_name = Set(None);
        model.contact_role = Set(None);
        model.contact_email = Set(None);
        model.update(db).await?;
    }
    let ids: Vec<i32> = contacts.iter().map(|found| found.id).collect();
    outbox::record_changes(db, ItemKind::Practice, &ids).await?;
    for version in practice_version::Entity::find().all(db).await? {
        if theirs(version.snapshot.pointer("/contact/email").and_then(|address| address.as_str())) {
            let mut snapshot = version.snapshot.clone();
            snapshot["contact"] = serde_json::Value::Null;
            let mut model = version.into_active_model();
            model.snapshot = Set(snapshot);
            model.update(db).await?;
        }
    }
    Ok(())
}

async fn view(db: &impl ConnectionTrait, slug: &str) -> Result<PracticeView, EditError> {
    find_any(db, slug).await?.ok_or(EditError::NotFound(PRACTICE_NOT_FOUND))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub number: i32,
    pub author: String,
    pub created_at: chrono::DateTime<Utc>,
    pub title: String,
    pub status: Option<String>,
}

/// Earlier versions, newest first.
pub async fn versions(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<Vec<VersionSummary>, EditError> {
    let existing = editable(db, actor, slug).await?;
    Ok(practice_version::Entity::find()
        .filter(practice_version::Column::PracticeId.eq(existing.id))
        .order_by_desc(practice_version::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(|version| {
            let snapshot: PracticeInput = serde_json::from_value(version.snapshot).unwrap_or_default();
            VersionSummary {
                number: version.number,
                author: version.author_name,
                created_at: version.created_at,
                title: snapshot.title,
                status: snapshot.status,
            }
        })
        .collect())
}

/// One earlier version's content.
pub async fn version(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
    number: i32,
) -> Result<PracticeInput, EditError> {
    let existing = editable(db, actor, slug).await?;
    let found = practice_version::Entity::find()
        .filter(practice_version::Column::PracticeId.eq(existing.id))
        .filter(practice_version::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or(EditError::NotFound(PRACTICE_NOT_FOUND))?;
    serde_json::from_value(found.snapshot).map_err(|error| EditError::Database(DbErr::Json(error.to_string())))
}

/// Makes an earlier version current again (as a new version), keeping today's status.
pub async fn restore(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    number: i32,
) -> Result<PracticeView, EditError> {
    let old = version(db, actor, slug, number).await?;
    let current = current_input(db, actor, slug).await?;
    update(db, actor, slug, PracticeInput { status: current.status, ..old }).await
}

/// A practice in an editor's list: every status.
#[derive(Debug, Clone, Serialize)]
pub struct EditorCard {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub organisation: String,
    pub updated_at: chrono::DateTime<Utc>,
}

/// The practices the actor may edit, most recently changed first.
pub async fn list_editable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: crate::pagination::PageRequest,
) -> Result<crate::pagination::Page<EditorCard>, EditError> {
    let mut query = practice::Entity::find();
    if !policy::can_manage_network(actor) {
        let Some(own) = actor.organisation_id.filter(|_| policy::can_edit_some_practices(actor)) else {
            return Err(EditError::Forbidden);
        };
        query = query.filter(practice::Column::OrganisationId.eq(own));
    }
    let paginator = query
        .order_by_desc(practice::Column::UpdatedAt)
        .find_also_related(organisation::Entity)
        .paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let cards = paginator
        .fetch_page(page.index())
        .await?
        .into_iter()
        .map(|(model, organisation)| EditorCard {
            status_label: PracticeStatus::label_of(&model.status),
            organisation: organisation.map(|found| found.name).unwrap_or_default(),
            slug: model.slug,
            title: model.title,
            status: model.status,
            updated_at: model.updated_at,
        })
        .collect();
    Ok(crate::pagination::Page::new(cards, total, page))
}

/// The organisations the actor may publish for, by name (for the form's choice).
pub async fn organisations_for(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<organisation::Model>, DbErr> {
    let mut query = organisation::Entity::find().order_by_asc(organisation::Column::Name);
    if !policy::can_manage_network(actor) {
        query = query.filter(organisation::Column::Id.eq(actor.organisation_id.unwrap_or(-1)));
    }
    query.all(db).await
}

/// Someone who may be named as a practice's contact, for the form's choice.
#[derive(Debug, Clone, Serialize)]
pub struct ContactCandidate {
    pub profile_slug: String,
    pub name: String,
    /// Their organisation's name, or "Programmabureau".
    pub organisation: String,
}

/// The people the actor may name as contact: those of the organisations they publish for,
/// and the programme office, by name. Saving checks that the choice fits the practice's
/// own organisation.
pub async fn contact_candidates(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<ContactCandidate>, DbErr> {
    let organisations = organisations_for(db, actor).await?;
    let names: std::collections::HashMap<i32, String> =
        organisations.into_iter().map(|found| (found.id, found.name)).collect();
    let people = profile::Entity::find()
        .find_also_related(user::Entity)
        .order_by_asc(profile::Column::DisplayName)
        .all(db)
        .await?;
    Ok(people
        .into_iter()
        .filter_map(|(found, account)| {
            let account = account?;
            let organisation = if account.role == Role::Beheerder.slug() {
                "Programmabureau".to_string()
            } else {
                names.get(&account.organisation_id?)?.clone()
            };
            Some(ContactCandidate { profile_slug: found.slug, name: found.display_name, organisation })
        })
        .collect())
}
