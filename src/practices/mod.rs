//! Practices: what a region or member publishes so others can learn from it. Owns the
//! rules (validation, who sees what) and keeps the search outbox in step with every write.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use entity::{advice, organisation, practice, practice_advice, practice_theme, profile, theme, user};

pub mod editing;

use crate::actor::Role;
use crate::db;
use crate::markdown;
use crate::organisations::{self, OrganisationView};
use crate::outbox;
use crate::pagination::{Page, PageRequest};
use crate::profiles::{self, ViewerLevel};
use crate::search::{Audience, IndexItem, ItemKind, OrganisationRef};
use crate::taxonomy::{self, AgeGroup, OrganisationKind, PracticeStatus, Taxonomy};
use crate::validation::{email_is_plausible, is_web_url, slug_is_valid, EditError, FieldErrors, WEB_URL_MESSAGE};
use crate::vocabulary::Vocabulary;

const MAX_TITLE_CHARS: usize = 200;
const MAX_SUMMARY_CHARS: usize = 600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeResult {
    pub text: String,
    /// A figure that stands out, such as "25% minder doorverwijzingen".
    pub figure: Option<String>,
}

/// A practice's contact as the publisher writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// May stay empty when `profile` names the contact.
    #[serde(default)]
    pub name: String,
    pub role: Option<String>,
    /// Hidden from readers unless `email_public`; messages reach it through the platform.
    pub email: Option<String>,
    /// Show `email` on the practice's page and in the API.
    #[serde(default)]
    pub email_public: bool,
    /// Slug of the contact's profile in the network: someone of the practice's
    /// organisation or of the programme office. Messages to the practice go to them.
    #[serde(default)]
    pub profile: Option<String>,
}

/// A practice's contact as readers see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// The name given, else the profile's name; empty when neither may be shown.
    pub name: String,
    pub role: Option<String>,
    /// Only when the publisher chose to show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The contact's profile, when it is in the member directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Named>,
    /// Signed-in members can write to the contact through the platform
    /// (`/praktijken/{slug}/contact`), without seeing an address.
    pub reachable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A practice as its publisher describes it (import file, form or API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    /// Slug or name of the organisation; an unknown one is created.
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub summary: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    pub province: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub advices: Vec<String>,
    #[serde(default)]
    pub age_groups: Vec<String>,
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub results: Vec<PracticeResult>,
    pub contact: Option<Contact>,
    #[serde(default)]
    pub links: Vec<Link>,
    pub status: Option<String>,
    /// `YYYY-MM-DD` or an RFC 3339 time.
    pub published_at: Option<String>,
}

impl PracticeInput {
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !slug_is_valid(&self.slug) {
            errors.add(
                "slug",
                format!("'{}' is geen geldige korte naam: gebruik kleine letters, cijfers en streepjes.", self.slug),
            );
        }
        match self.title.trim().chars().count() {
            0 => errors.add("title", "Vul een titel in."),
            n if n > MAX_TITLE_CHARS => {
                errors.add("title", format!("De titel is te lang (maximaal {MAX_TITLE_CHARS} tekens)."))
            }
            _ => {}
        }
        if self.organisation.trim().is_empty() {
            errors.add("organisation", "Geef de organisatie op.");
        }
        if self.summary.chars().count() > MAX_SUMMARY_CHARS {
            errors.add("summary", format!("De samenvatting is te lang (maximaal {MAX_SUMMARY_CHARS} tekens)."));
        }
        if let Some(province) = &self.province {
            if taxonomy::province(province).is_none() {
                errors.add("province", format!("Onbekende provincie '{province}'."));
            }
        }
        for slug in &self.themes {
            if !taxonomy.themes.iter().any(|theme| &theme.slug == slug) {
                errors.add("themes", format!("Onbekend thema '{slug}'."));
            }
        }
        for slug in &self.advices {
            if !taxonomy.advices.iter().any(|advice| &advice.slug == slug) {
                errors.add("advices", format!("Onbekend advies '{slug}'."));
            }
        }
        for age in &self.age_groups {
            if AgeGroup::from_slug(age).is_none() {
                errors.add(
                    "age_groups",
                    format!("Onbekende leeftijdsgroep '{age}' (kies uit {}).", AgeGroup::slugs().join(", ")),
                );
            }
        }
        for kind in &self.partners {
            if OrganisationKind::from_slug(kind).is_none() {
                errors.add("partners", format!("Onbekend soort partner '{kind}'."));
            }
        }
        for link in &self.links {
            if !is_web_url(&link.url) {
                errors.add("links", format!("Link '{}': {WEB_URL_MESSAGE}", link.url));
            }
        }
        if let Some(contact) = &self.contact {
            if let Some(email) = contact.email.as_deref().filter(|email| !email_is_plausible(email)) {
                errors.add("contact", format!("'{email}' is geen geldig e-mailadres."));
            }
            if contact.name.trim().is_empty() && contact.profile.is_none() {
                errors.add("contact", "Vul de naam van de contactpersoon in, of kies een profiel in het netwerk.");
            }
        }
        if self.status().is_none() {
            errors.add("status", "De status moet concept, gepubliceerd of gearchiveerd zijn.");
        }
        if let Some(date) = &self.published_at {
            if parse_date(date).is_none() {
                errors.add("published_at", format!("'{date}' is geen datum (gebruik JJJJ-MM-DD)."));
            }
        }
        errors.into_result()
    }

    fn status(&self) -> Option<PracticeStatus> {
        match &self.status {
            None => Some(PracticeStatus::Gepubliceerd),
            Some(status) => PracticeStatus::from_slug(status.trim()),
        }
    }
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|date| date.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(9, 0, 0).map(|date| date.and_utc()))
}

/// Validates and saves a practice in its own transaction, with its outbox record.
pub async fn upsert(
    db: &impl TransactionTrait,
    input: PracticeInput,
    taxonomy: &Taxonomy,
) -> Result<practice::Model, EditError> {
    let transaction = db::begin_write(db).await?;
    let saved = upsert_in(&transaction, input, taxonomy).await?;
    transaction.commit().await?;
    Ok(saved)
}

/// Validates and saves a practice inside the caller's transaction (imports batch many).
pub async fn upsert_in(
    db: &impl ConnectionTrait,
    input: PracticeInput,
    taxonomy: &Taxonomy,
) -> Result<practice::Model, EditError> {
    input.validate(taxonomy).map_err(EditError::Invalid)?;
    let organisation = organisations::find_or_create(db, &input.organisation).await?;
    let contact_profile = contact_profile_id(db, &input, &organisation).await?;
    let existing = practice::Entity::find().filter(practice::Column::Slug.eq(&input.slug)).one(db).await?;
    let is_new = existing.is_none();
    let (model, themes, advices) = active_model(input, existing, &organisation, contact_profile, Utc::now());
    let saved = if is_new { model.insert(db).await? } else { model.update(db).await? };
    if !is_new {
        practice_theme::Entity::delete_many().filter(practice_theme::Column::PracticeId.eq(saved.id)).exec(db).await?;
        practice_advice::Entity::delete_many()
            .filter(practice_advice::Column::PracticeId.eq(saved.id))
            .exec(db)
            .await?;
    }
    insert_links(db, &[(saved.id, themes, advices)], taxonomy).await?;
    outbox::record_changes(db, ItemKind::Practice, &[saved.id]).await?;
    Ok(saved)
}

/// Inserts practices whose slugs are not in the database yet, a whole batch in a handful of
/// statements: the import's fast path. The inputs must be valid and their slugs distinct;
/// `organisations` caches the organisations resolved so far (by the name or slug given).
pub async fn insert_new_in(
    db: &impl ConnectionTrait,
    inputs: Vec<PracticeInput>,
    taxonomy: &Taxonomy,
    organisations: &mut HashMap<String, organisation::Model>,
) -> Result<usize, DbErr> {
    if inputs.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let mut models = Vec::with_capacity(inputs.len());
    let mut links_by_slug = HashMap::with_capacity(inputs.len());
    for input in inputs {
        let organisation = match organisations.get(&input.organisation) {
            Some(found) => found.clone(),
            None => {
                let found = organisations::find_or_create(db, &input.organisation).await?;
                organisations.insert(input.organisation.clone(), found.clone());
                found
            }
        };
        let slug = input.slug.clone();
        // A profile that may not be named fails the batch; the import then saves the files
        // one by one and reports this one's reason.
        let contact_profile = contact_profile_id(db, &input, &organisation)
            .await
            .map_err(|error| DbErr::Custom(format!("practice {slug}: {error}")))?;
        let (model, themes, advices) = active_model(input, None, &organisation, contact_profile, now);
        models.push(model);
        links_by_slug.insert(slug, (themes, advices));
    }
    let count = models.len();
    practice::Entity::insert_many(models).exec_without_returning(db).await?;
    let ids: Vec<(i32, String)> = practice::Entity::find()
        .select_only()
        .columns([practice::Column::Id, practice::Column::Slug])
        .filter(practice::Column::Slug.is_in(links_by_slug.keys().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    let links: Vec<(i32, Vec<String>, Vec<String>)> = ids
        .iter()
        .filter_map(|(id, slug)| links_by_slug.remove(slug).map(|(themes, advices)| (*id, themes, advices)))
        .collect();
    insert_links(db, &links, taxonomy).await?;
    let ids: Vec<i32> = ids.into_iter().map(|(id, _)| id).collect();
    outbox::record_changes(db, ItemKind::Practice, &ids).await?;
    Ok(count)
}

/// Which of `slugs` practices already have.
pub async fn existing_slugs(db: &impl ConnectionTrait, slugs: &[&str]) -> Result<HashSet<String>, DbErr> {
    let found: Vec<String> = practice::Entity::find()
        .select_only()
        .column(practice::Column::Slug)
        .filter(practice::Column::Slug.is_in(slugs.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// The row for `input` (over `existing` when it updates one), with the theme and advice
/// slugs to link it to.
fn active_model(
    input: PracticeInput,
    existing: Option<practice::Model>,
    organisation: &organisation::Model,
    contact_profile: Option<i32>,
    now: DateTime<Utc>,
) -> (practice::ActiveModel, Vec<String>, Vec<String>) {
    let status = input.status().unwrap_or(PracticeStatus::Gepubliceerd);
    let given_date = input.published_at.as_deref().and_then(parse_date);
    let published_at = match status {
        PracticeStatus::Concept => given_date,
        _ => given_date.or(existing.as_ref().and_then(|found| found.published_at)).or(Some(now)),
    };
    let mut model = match existing {
        Some(found) => practice::ActiveModel::from(found),
        None => practice::ActiveModel { created_at: Set(now), ..Default::default() },
    };
    model.slug = Set(input.slug);
    model.title = Set(input.title.trim().to_string());
    model.summary = Set(input.summary.trim().to_string());
    model.body = Set(input.body);
    model.organisation_id = Set(organisation.id);
    model.province = Set(input
        .province
        .as_deref()
        .and_then(taxonomy::province)
        .map(str::to_string)
        .or_else(|| organisation.province.clone()));
    model.age_groups = Set(serde_json::json!(input.age_groups));
    model.partners = Set(serde_json::json!(input.partners));
    model.results = Set(serde_json::json!(input.results));
    let contact = input.contact.as_ref();
    model.contact_name = Set(contact.map(|contact| contact.name.trim().to_string()).filter(|name| !name.is_empty()));
    model.contact_role = Set(contact.and_then(|contact| contact.role.clone()));
    model.contact_email = Set(contact.and_then(|contact| contact.email.clone()));
    model.contact_email_public = Set(contact.is_some_and(|contact| contact.email_public));
    model.contact_profile_id = Set(contact_profile);
    model.links = Set(serde_json::json!(input.links));
    model.status = Set(status.slug().to_string());
    model.published_at = Set(published_at);
    model.updated_at = Set(now);
    (model, input.themes, input.advices)
}

/// The profile the input names as its contact: it must exist and belong to someone of the
/// practice's organisation or of the programme office.
async fn contact_profile_id(
    db: &impl ConnectionTrait,
    input: &PracticeInput,
    organisation: &organisation::Model,
) -> Result<Option<i32>, EditError> {
    let Some(slug) = input.contact.as_ref().and_then(|contact| contact.profile.as_deref()) else {
        return Ok(None);
    };
    let found =
        profile::Entity::find().filter(profile::Column::Slug.eq(slug)).find_also_related(user::Entity).one(db).await?;
    let Some((found, Some(account))) = found else {
        return Err(EditError::field("contact_profile", format!("Er is geen profiel '{slug}' in het netwerk.")));
    };
    let of_office = account.role == Role::Beheerder.slug();
    if !of_office && account.organisation_id != Some(organisation.id) {
        return Err(EditError::field(
            "contact_profile",
            format!("Kies als contactpersoon iemand van {} of van het programmabureau.", organisation.name),
        ));
    }
    Ok(Some(found.id))
}

/// The profile a practice names as its contact, if it still exists.
async fn contact_profile(db: &impl ConnectionTrait, model: &practice::Model) -> Result<Option<profile::Model>, DbErr> {
    match model.contact_profile_id {
        Some(id) => profile::Entity::find_by_id(id).one(db).await,
        None => Ok(None),
    }
}

/// The contact as the publisher wrote it, with the profile's slug, for the editing form.
async fn contact_input(db: &impl ConnectionTrait, model: &practice::Model) -> Result<Option<Contact>, DbErr> {
    let profile = contact_profile(db, model).await?;
    if model.contact_name.is_none() && profile.is_none() {
        return Ok(None);
    }
    Ok(Some(Contact {
        name: model.contact_name.clone().unwrap_or_default(),
        role: model.contact_role.clone(),
        email: model.contact_email.clone(),
        email_public: model.contact_email_public,
        profile: profile.map(|found| found.slug),
    }))
}

/// The contact as readers see it: the profile's name and link only when the profile is in
/// the directory (else the name given), the address only when made public.
async fn contact_view(db: &impl ConnectionTrait, model: &practice::Model) -> Result<Option<ContactView>, DbErr> {
    let profile = contact_profile(db, model).await?;
    if model.contact_name.is_none() && profile.is_none() {
        return Ok(None);
    }
    let reachable = profile.is_some() || model.contact_email.is_some();
    let listed = profile.filter(|found| profiles::may_see_profile(found, ViewerLevel::Public));
    let name = match &listed {
        Some(found) => found.display_name.clone(),
        None => model.contact_name.clone().unwrap_or_default(),
    };
    Ok(Some(ContactView {
        name,
        role: model.contact_role.clone(),
        email: model.contact_email.clone().filter(|_| model.contact_email_public),
        profile: listed.map(|found| Named { name: found.display_name, slug: found.slug }),
        reachable,
    }))
}

/// Links practices to their themes and advices (given as slugs), in one insert per table.
async fn insert_links(
    db: &impl ConnectionTrait,
    practices: &[(i32, Vec<String>, Vec<String>)],
    taxonomy: &Taxonomy,
) -> Result<(), DbErr> {
    let mut theme_rows = Vec::new();
    let mut advice_rows = Vec::new();
    for (practice_id, themes, advices) in practices {
        theme_rows.extend(
            taxonomy
                .themes
                .iter()
                .filter(|theme| themes.contains(&theme.slug))
                .map(|theme| practice_theme::ActiveModel { practice_id: Set(*practice_id), theme_id: Set(theme.id) }),
        );
        advice_rows.extend(
            taxonomy.advices.iter().filter(|advice| advices.contains(&advice.slug)).map(|advice| {
                practice_advice::ActiveModel { practice_id: Set(*practice_id), advice_id: Set(advice.id) }
            }),
        );
    }
    if !theme_rows.is_empty() {
        practice_theme::Entity::insert_many(theme_rows).exec_without_returning(db).await?;
    }
    if !advice_rows.is_empty() {
        practice_advice::Entity::insert_many(advice_rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// A value of a vocabulary or taxonomy with its label.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

/// A practice in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PracticeCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub url: String,
    pub organisation: String,
    pub organisation_slug: String,
    pub province: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A practice on its own page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PracticeView {
    #[serde(skip)]
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Markdown source.
    pub body: String,
    /// The body rendered to sanitized HTML.
    pub body_html: String,
    pub url: String,
    pub organisation: OrganisationView,
    pub province: Option<String>,
    pub themes: Vec<Named>,
    pub advices: Vec<Named>,
    pub age_groups: Vec<Named>,
    pub partners: Vec<Named>,
    pub results: Vec<PracticeResult>,
    pub contact: Option<ContactView>,
    pub links: Vec<Link>,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

fn json_list<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

fn published() -> sea_orm::Condition {
    sea_orm::Condition::all().add(practice::Column::Status.eq(PracticeStatus::Gepubliceerd.slug()))
}

/// A published practice; concepts and archived practices are not public.
pub async fn find_published(db: &impl ConnectionTrait, slug: &str) -> Result<Option<PracticeView>, DbErr> {
    find_view(db, practice::Entity::find().filter(published()).filter(practice::Column::Slug.eq(slug))).await
}

/// A practice in any status, for the people who may edit it.
pub async fn find_any(db: &impl ConnectionTrait, slug: &str) -> Result<Option<PracticeView>, DbErr> {
    find_view(db, practice::Entity::find().filter(practice::Column::Slug.eq(slug))).await
}

async fn find_view(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<practice::Entity>,
) -> Result<Option<PracticeView>, DbErr> {
    let found = query.find_also_related(organisation::Entity).one(db).await?;
    let Some((model, Some(organisation))) = found else {
        return Ok(None);
    };
    let themes = model
        .find_related(theme::Entity)
        .order_by_asc(theme::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|theme| Named { slug: theme.slug, name: theme.name })
        .collect();
    let advices = model
        .find_related(advice::Entity)
        .order_by_asc(advice::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(|advice| Named { slug: advice.slug, name: advice.name })
        .collect();
    let named = |slugs: Vec<String>, label: fn(&str) -> String| {
        slugs.into_iter().map(|slug| Named { name: label(&slug), slug }).collect()
    };
    Ok(Some(PracticeView {
        id: model.id,
        body_html: markdown::to_safe_html(&model.body),
        url: ItemKind::Practice.path(&model.slug),
        organisation: OrganisationView::from(organisation),
        themes,
        advices,
        age_groups: named(json_list(&model.age_groups), AgeGroup::label_of),
        partners: named(json_list(&model.partners), OrganisationKind::label_of),
        results: json_list(&model.results),
        contact: contact_view(db, &model).await?,
        links: json_list(&model.links),
        slug: model.slug,
        title: model.title,
        summary: model.summary,
        body: model.body,
        province: model.province,
        status: model.status,
        published_at: model.published_at,
        updated_at: model.updated_at,
    }))
}

/// Which published practices a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub enum Listing {
    #[default]
    All,
    OfOrganisation(i32),
    WithTheme(i32),
    /// Those whose contact in the network is this profile.
    WithContact(i32),
}

/// Published practices, newest first.
pub async fn list_published(
    db: &impl ConnectionTrait,
    listing: Listing,
    page: PageRequest,
) -> Result<Page<PracticeCard>, DbErr> {
    let mut query = practice::Entity::find().filter(published());
    query = match listing {
        Listing::All => query,
        Listing::OfOrganisation(id) => query.filter(practice::Column::OrganisationId.eq(id)),
        Listing::WithContact(profile_id) => query.filter(practice::Column::ContactProfileId.eq(profile_id)),
        Listing::WithTheme(id) => query.filter(
            practice::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(practice_theme::Column::PracticeId)
                    .from(practice_theme::Entity)
                    .and_where(practice_theme::Column::ThemeId.eq(id))
                    .to_owned(),
            ),
        ),
    };
    let paginator = query
        .order_by_desc(practice::Column::PublishedAt)
        .order_by_asc(practice::Column::Id)
        .find_also_related(organisation::Entity)
        .paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let cards = rows
        .into_iter()
        .map(|(model, organisation)| {
            let organisation = organisation.unwrap_or_else(|| missing_organisation(model.organisation_id));
            PracticeCard {
                url: ItemKind::Practice.path(&model.slug),
                slug: model.slug,
                title: model.title,
                summary: model.summary,
                organisation: organisation.name,
                organisation_slug: organisation.slug,
                province: model.province,
                published_at: model.published_at,
            }
        })
        .collect();
    Ok(Page::new(cards, total, page))
}

/// The foreign key makes this unreachable; a placeholder beats a panic on a page.
fn missing_organisation(id: i32) -> organisation::Model {
    organisation::Model {
        id,
        slug: String::new(),
        name: String::new(),
        kind: OrganisationKind::Overig.slug().to_string(),
        province: None,
        municipalities: serde_json::json!([]),
        website: None,
        description: String::new(),
        network_role: String::new(),
        tranche: None,
        network_contact_user_id: None,
        created_at: DateTime::default(),
        updated_at: DateTime::default(),
    }
}

pub async fn id_of(db: &impl ConnectionTrait, slug: &str) -> Result<Option<i32>, DbErr> {
    Ok(practice::Entity::find()
        .filter(published())
        .filter(practice::Column::Slug.eq(slug))
        .one(db)
        .await?
        .map(|found| found.id))
}

/// Search documents for the given practices; unpublished ones yield none (and so leave
/// the index).
pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    let practices = practice::Entity::find()
        .filter(published())
        .filter(practice::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    to_index_items(db, practices).await
}

/// Search documents for published practices with ids above `after`, in id order; for
/// rebuilding the index in batches.
pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let practices = practice::Entity::find()
        .filter(practice::Column::Id.gt(after))
        .order_by_asc(practice::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = practices.last().map(|found| found.id);
    let public = practices.into_iter().filter(|found| found.status == PracticeStatus::Gepubliceerd.slug()).collect();
    Ok((to_index_items(db, public).await?, last))
}

async fn to_index_items(db: &impl ConnectionTrait, practices: Vec<practice::Model>) -> Result<Vec<IndexItem>, DbErr> {
    if practices.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = practices.iter().map(|found| found.id).collect();
    let organisation_ids: Vec<i32> = practices.iter().map(|found| found.organisation_id).collect();
    let organisations: HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organisation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|found| (found.id, found))
        .collect();
    let mut themes: HashMap<i32, Vec<theme::Model>> = HashMap::new();
    for (link, found) in practice_theme::Entity::find()
        .filter(practice_theme::Column::PracticeId.is_in(ids.clone()))
        .find_also_related(theme::Entity)
        .all(db)
        .await?
    {
        themes.entry(link.practice_id).or_default().extend(found);
    }
    let mut advices: HashMap<i32, Vec<advice::Model>> = HashMap::new();
    for (link, found) in practice_advice::Entity::find()
        .filter(practice_advice::Column::PracticeId.is_in(ids))
        .find_also_related(advice::Entity)
        .all(db)
        .await?
    {
        advices.entry(link.practice_id).or_default().extend(found);
    }
    Ok(practices
        .into_iter()
        .map(|model| {
            let organisation = organisations.get(&model.organisation_id);
            let themes = themes.remove(&model.id).unwrap_or_default();
            let advices = advices.remove(&model.id).unwrap_or_default();
            practice_index_item(model, organisation, themes, advices)
        })
        .collect())
}

fn practice_index_item(
    model: practice::Model,
    organisation: Option<&organisation::Model>,
    themes: Vec<theme::Model>,
    advices: Vec<advice::Model>,
) -> IndexItem {
    let results: Vec<PracticeResult> = json_list(&model.results);
    let mut body = markdown::to_plain_text(&model.body);
    for result in &results {
        body.push('\n');
        body.push_str(&result.text);
        if let Some(figure) = &result.figure {
            body.push_str(" (");
            body.push_str(figure);
            body.push(')');
        }
    }
    let mut keywords: Vec<String> = model.province.iter().cloned().collect();
    if let Some(organisation) = organisation {
        keywords.push(organisation.name.clone());
        keywords.extend(json_list::<String>(&organisation.municipalities));
    }
    keywords.extend(themes.iter().map(|theme| theme.name.clone()));
    keywords.extend(advices.iter().map(|advice| advice.name.clone()));
    IndexItem {
        kind: ItemKind::Practice,
        id: model.id,
        slug: model.slug,
        title: model.title,
        summary: model.summary,
        body,
        organisation: organisation.map(|organisation| OrganisationRef {
            slug: organisation.slug.clone(),
            name: organisation.name.clone(),
            kind: organisation.kind.clone(),
        }),
        place: model.province.clone(),
        audiences: Audience::ALL.to_vec(),
        expertise_kind: None,
        province: model.province,
        themes: themes.into_iter().map(|theme| theme.slug).collect(),
        advices: advices.into_iter().map(|advice| advice.slug).collect(),
        age_groups: json_list(&model.age_groups),
        keywords: keywords.join("\n"),
        date: model.published_at.unwrap_or(model.updated_at),
        shown_date: model.published_at.unwrap_or(model.updated_at),
    }
}

/// What matching needs to know of a published practice.
#[derive(Debug, Clone)]
pub struct PublishedFacts {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub province: Option<String>,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// The contact's profile in the network, if the practice names one.
    pub contact_profile_id: Option<i32>,
}

/// The practices `ids` that are published (concepts and archived ones are left out), with
/// their themes, in no particular order.
pub async fn published_facts(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<PublishedFacts>, DbErr> {
    let practices = practice::Entity::find()
        .filter(published())
        .filter(practice::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut themes: HashMap<i32, Vec<String>> = HashMap::new();
    for (link, found) in practice_theme::Entity::find()
        .filter(practice_theme::Column::PracticeId.is_in(practices.iter().map(|found| found.id)))
        .find_also_related(theme::Entity)
        .all(db)
        .await?
    {
        themes.entry(link.practice_id).or_default().extend(found.map(|theme| theme.slug));
    }
    Ok(practices
        .into_iter()
        .map(|model| PublishedFacts {
            themes: themes.remove(&model.id).unwrap_or_default(),
            id: model.id,
            slug: model.slug,
            title: model.title,
            province: model.province,
            contact_profile_id: model.contact_profile_id,
        })
        .collect())
}

/// Number of practices by status, for the home page and readiness.
pub async fn count_published(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    practice::Entity::find().filter(published()).count(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_two_forms() {
        assert!(parse_date("2026-03-12").is_some());
        assert!(parse_date("2026-03-12T10:00:00+01:00").is_some());
        assert!(parse_date("12 maart").is_none());
    }

    #[test]
    fn emails() {
        assert!(email_is_plausible("a.de.vries@example.nl"));
        assert!(!email_is_plausible("a@b"));
        assert!(!email_is_plausible("a b@example.nl"));
        assert!(!email_is_plausible("a@@example.nl"));
    }

    #[test]
    fn validation_reports_every_problem_in_dutch() {
        let input = PracticeInput {
            slug: "Foute Slug".into(),
            status: Some("klaar".into()),
            age_groups: vec!["5-7".into()],
            ..Default::default()
        };
        let errors = input.validate(&Taxonomy::default()).unwrap_err().to_string();
        for field in ["slug", "title", "organisation", "status", "age_groups"] {
            assert!(errors.contains(field), "{field} missing in {errors}");
        }
    }
}
