//! Member profiles: what people tell the network about themselves, who may see each part
//! (see `visibility`), the directory at `/leden` and the programme office's editing.
//!
//! Every account has one profile: created with the account, and for accounts older than
//! profiles when the database is opened. Nobody is in the directory until they opt in.

mod indexing;
mod visibility;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use entity::{organisation, profile, user};

use crate::actor::{policy, Actor, Role};
use crate::db;
use crate::outbox;
use crate::pagination::{Page, PageRequest};
use crate::search::ItemKind;
use crate::taxonomy::{self, Taxonomy};
use crate::validation::{free_slug, has_forbidden_chars, EditError, FieldErrors, FORBIDDEN_CHARS_MESSAGE};
use crate::vocabulary::Vocabulary;
pub use indexing::{index_items, index_items_after};
pub(crate) use visibility::strings;
pub use visibility::{
    may_see_profile, Availability, DirectoryState, Expertise, ExpertiseKind, Named, ProfileField, ProfileView, Region,
    StoredProfile, ViewerLevel, Visibilities, Visibility,
};

/// A profile as its owner (or the programme office) writes it, in the form and in
/// `PUT /api/v1/me/profile`. A PUT replaces the whole profile: a list left out is empty, a
/// visibility left out is `members`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Shown to whoever may see the profile at all.
    #[schema(max_length = 120)]
    pub display_name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub job_title: String,
    /// One of the twelve provinces.
    #[serde(default)]
    pub province: Option<String>,
    /// Municipalities where the person works.
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Theme slugs, as listed at `/api/v1/themes`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Advice slugs, as listed at `/api/v1/themes`.
    #[serde(default)]
    pub advices: Vec<String>,
    /// Free words.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere.
    #[serde(default)]
    pub expertise_kind: Option<String>,
    /// Markdown.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub bio: String,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Open to requests as a sparring partner.
    #[serde(default)]
    pub available: bool,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub max_requests_per_month: Option<i32>,
    /// Shown in the member directory (the owner's consent).
    #[serde(default)]
    pub listed: bool,
    /// Who sees each field.
    #[serde(default)]
    pub visibility: Visibilities,
}

const MAX_NAME_CHARS: usize = 120;
const MAX_JOB_TITLE_CHARS: usize = 200;
const MAX_BIO_CHARS: usize = 5_000;
const MAX_LIST_ITEMS: usize = 20;
const MAX_ITEM_CHARS: usize = 80;
const MAX_REQUESTS: i32 = 100;

/// The items trimmed, empty ones dropped and repeats removed, in the order given.
fn tidy(items: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .iter()
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty() && seen.insert(item.to_lowercase()))
        .collect()
}

impl ProfileInput {
    /// The input checked against the rules and the taxonomy, tidied for storing.
    pub fn validated(&self, taxonomy: &Taxonomy) -> Result<ProfileInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let display_name = self.display_name.trim();
        if display_name.is_empty() {
            errors.add("display_name", "Vul de naam in waaronder u in het netwerk bekend wilt zijn.");
        } else if display_name.chars().count() > MAX_NAME_CHARS {
            errors.add("display_name", format!("Houd de naam korter dan {MAX_NAME_CHARS} tekens."));
        }
        if self.job_title.trim().chars().count() > MAX_JOB_TITLE_CHARS {
            errors.add("job_title", format!("Houd de functie korter dan {MAX_JOB_TITLE_CHARS} tekens."));
        }
        if self.bio.chars().count() > MAX_BIO_CHARS {
            errors.add("bio", format!("Houd de tekst over uzelf korter dan {MAX_BIO_CHARS} tekens."));
        }
        let province = self.province.as_deref().map(str::trim).filter(|province| !province.is_empty());
        if let Some(province) = province.filter(|province| taxonomy::province(province).is_none()) {
            errors.add("province", format!("Onbekende provincie '{province}': kies een van de twaalf provincies."));
        }
        for slug in &self.themes {
            if !taxonomy.themes.iter().any(|theme| &theme.slug == slug) {
                errors.add("themes", format!("Onbekend thema '{slug}': de thema's staan op /api/v1/themes."));
            }
        }
        for slug in &self.advices {
            if !taxonomy.advices.iter().any(|advice| &advice.slug == slug) {
                errors.add("advices", format!("Onbekend advies '{slug}': de adviezen staan op /api/v1/themes."));
            }
        }
        let kind = self.expertise_kind.as_deref().map(str::trim).filter(|kind| !kind.is_empty());
        if let Some(kind) = kind.filter(|kind| ExpertiseKind::from_slug(kind).is_none()) {
            errors.add(
                "expertise_kind",
                format!("Onbekende soort expertise '{kind}': kies uit {}.", ExpertiseKind::slugs().join(", ")),
            );
        }
        for (field, label, items) in [
            ("municipalities", "gemeenten", &self.municipalities),
            ("keywords", "trefwoorden", &self.keywords),
            ("languages", "talen", &self.languages),
        ] {
            if items.len() > MAX_LIST_ITEMS {
                errors.add(field, format!("Noem hoogstens {MAX_LIST_ITEMS} {label}."));
            } else if items.iter().any(|item| item.trim().chars().count() > MAX_ITEM_CHARS) {
                errors.add(field, format!("Houd elk van de {label} korter dan {MAX_ITEM_CHARS} tekens."));
            }
            if items.iter().any(|item| has_forbidden_chars(item)) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        if let Some(limit) = self.max_requests_per_month.filter(|limit| !(1..=MAX_REQUESTS).contains(limit)) {
            errors.add(
                "max_requests_per_month",
                format!("Kies een aantal verzoeken per maand van 1 tot en met {MAX_REQUESTS}, niet {limit}."),
            );
        }
        for (field, text) in [("display_name", &self.display_name), ("job_title", &self.job_title), ("bio", &self.bio)]
        {
            if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        if let Some(province) = &self.province {
            if has_forbidden_chars(province) {
                errors.add("province", FORBIDDEN_CHARS_MESSAGE);
            }
        }
        errors.into_result()?;
        Ok(ProfileInput {
            display_name: display_name.to_string(),
            job_title: self.job_title.trim().to_string(),
            province: province.and_then(taxonomy::province).map(str::to_string),
            municipalities: tidy(&self.municipalities),
            themes: tidy(&self.themes),
            advices: tidy(&self.advices),
            keywords: tidy(&self.keywords),
            expertise_kind: kind.map(str::to_string),
            bio: self.bio.trim().to_string(),
            languages: tidy(&self.languages),
            available: self.available,
            max_requests_per_month: self.max_requests_per_month,
            listed: self.listed,
            visibility: self.visibility,
        })
    }

    /// The stored profile, as the form and the API show it to be edited.
    pub fn from_model(model: &profile::Model) -> ProfileInput {
        ProfileInput {
            display_name: model.display_name.clone(),
            job_title: model.job_title.clone(),
            province: model.province.clone(),
            municipalities: visibility::strings(&model.municipalities),
            themes: visibility::strings(&model.themes),
            advices: visibility::strings(&model.advices),
            keywords: visibility::strings(&model.keywords),
            expertise_kind: model.expertise_kind.clone(),
            bio: model.bio.clone(),
            languages: visibility::strings(&model.languages),
            available: model.available,
            max_requests_per_month: model.max_requests_per_month,
            listed: model.listed,
            visibility: Visibilities::from_stored(&model.visibility),
        }
    }
}

/// One's own profile as `GET /api/v1/me/profile` shows it: `profile` is the document a PUT
/// sends back, with the visibility of each field in it; alongside it what the account and
/// the programme office decide (address, organisation, hiding), which a PUT does not change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnProfile {
    pub slug: String,
    /// Never shown to anyone but you and the programme office.
    pub email: String,
    /// From your account; its visibility is `visibility.organisation`.
    pub organisation: Option<Named>,
    /// When you last opted in to or out of the directory.
    pub listed_changed_at: Option<DateTime<Utc>>,
    /// The programme office took the profile out of the directory.
    pub hidden_by_office: bool,
    /// What you write, as `PUT /api/v1/me/profile` takes it.
    pub profile: ProfileInput,
}

impl OwnProfile {
    pub fn of(stored: &StoredProfile) -> OwnProfile {
        OwnProfile {
            slug: stored.profile.slug.clone(),
            email: stored.user.email.clone(),
            organisation: stored
                .organisation
                .as_ref()
                .map(|organisation| Named { slug: organisation.slug.clone(), name: organisation.name.clone() }),
            listed_changed_at: stored.profile.listed_changed_at,
            hidden_by_office: stored.profile.hidden_by_office,
            profile: ProfileInput::from_model(&stored.profile),
        }
    }
}

/// The profile of a new account: the account's name and job title, nothing else, every field
/// for members only, and not in the directory.
pub async fn create_for(db: &impl ConnectionTrait, account: &user::Model) -> Result<profile::Model, DbErr> {
    let slug = free_slug::<profile::Entity>(db, profile::Column::Slug, &account.name, "lid").await?;
    let now = Utc::now();
    let empty = serde_json::json!([]);
    let created = profile::ActiveModel {
        user_id: Set(account.id),
        slug: Set(slug),
        display_name: Set(account.name.clone()),
        job_title: Set(account.job_title.clone()),
        province: Set(None),
        municipalities: Set(empty.clone()),
        themes: Set(empty.clone()),
        advices: Set(empty.clone()),
        keywords: Set(empty.clone()),
        expertise_kind: Set(None),
        bio: Set(String::new()),
        languages: Set(empty),
        available: Set(false),
        max_requests_per_month: Set(None),
        listed: Set(false),
        listed_changed_at: Set(None),
        hidden_by_office: Set(false),
        visibility: Set(Visibilities::default().to_stored()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    outbox::record_changes(db, ItemKind::Person, &[created.id]).await?;
    Ok(created)
}

/// Records that the profile of account `user_id` needs re-indexing: its account changed
/// (the organisation is part of the search documents). Call inside the changing transaction.
pub async fn record_account_change(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    let ids: Vec<i32> = profile::Entity::find()
        .filter(profile::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|found| found.id)
        .collect();
    outbox::record_changes(db, ItemKind::Person, &ids).await
}

/// Gives every account without a profile its profile (accounts made before profiles existed).
/// One statement finds them inside the write transaction: another process creating an
/// account with its profile meanwhile is either wholly seen or not at all.
pub async fn create_missing(db: &DatabaseConnection) -> Result<(), DbErr> {
    let transaction = db::begin_write(db).await?;
    let with_profile = Query::select().column(profile::Column::UserId).from(profile::Entity).to_owned();
    let without = user::Entity::find().filter(user::Column::Id.not_in_subquery(with_profile)).all(&transaction).await?;
    for account in &without {
        create_for(&transaction, account).await?;
    }
    transaction.commit().await
}

async fn stored(db: &impl ConnectionTrait, profile: profile::Model) -> Result<Option<StoredProfile>, DbErr> {
    let Some(user) = user::Entity::find_by_id(profile.user_id).one(db).await? else { return Ok(None) };
    let organisation = match user.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Some(StoredProfile { profile, user, organisation }))
}

/// The signed-in person's own profile, made first if the account has none yet.
pub async fn own(db: &DatabaseConnection, actor: &Actor) -> Result<StoredProfile, EditError> {
    let found = profile::Entity::find().filter(profile::Column::UserId.eq(actor.user_id)).one(db).await?;
    let model = match found {
        Some(model) => model,
        None => {
            let account = user::Entity::find_by_id(actor.user_id)
                .one(db)
                .await?
                .ok_or(EditError::NotFound("Dit account bestaat niet meer."))?;
            let transaction = db::begin_write(db).await?;
            let created = create_for(&transaction, &account).await?;
            transaction.commit().await?;
            created
        }
    };
    stored(db, model).await?.ok_or(EditError::NotFound("Dit account bestaat niet meer."))
}

const NOT_FOUND: &str = "Dit profiel bestaat niet of staat niet in de ledenlijst.";

/// A profile by its slug, whatever its state; for the programme office's pages.
async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<StoredProfile>, DbErr> {
    match profile::Entity::find().filter(profile::Column::Slug.eq(slug)).one(db).await? {
        Some(model) => stored(db, model).await,
        None => Ok(None),
    }
}

/// The profile as the viewer may see it, with its id; none when it does not exist or the
/// viewer may not see it, which look the same from outside.
pub async fn find_visible(
    db: &DatabaseConnection,
    level: ViewerLevel,
    slug: &str,
) -> Result<Option<(i32, ProfileView)>, DbErr> {
    let Some(found) = visible_stored(db, level, slug).await? else {
        return Ok(None);
    };
    let taxonomy = Taxonomy::load(db).await?;
    Ok(Some((found.profile.id, ProfileView::for_viewer(&found, &taxonomy, level))))
}

/// The stored profile behind a slug, when the viewer may see it at all.
pub async fn visible_stored(
    db: &impl ConnectionTrait,
    level: ViewerLevel,
    slug: &str,
) -> Result<Option<StoredProfile>, DbErr> {
    Ok(by_slug(db, slug).await?.filter(|found| may_see_profile(&found.profile, level)))
}

/// The profile of an account, with its account and organisation.
pub async fn of_user(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<StoredProfile>, DbErr> {
    match profile::Entity::find().filter(profile::Column::UserId.eq(user_id)).one(db).await? {
        Some(model) => stored(db, model).await,
        None => Ok(None),
    }
}

/// A profile by its id, with its account and organisation.
pub async fn of_profile_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<StoredProfile>, DbErr> {
    match profile::Entity::find_by_id(id).one(db).await? {
        Some(model) => stored(db, model).await,
        None => Ok(None),
    }
}

/// A profile for the programme office to edit.
pub async fn for_office(db: &DatabaseConnection, actor: &Actor, slug: &str) -> Result<StoredProfile, EditError> {
    if !policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    by_slug(db, slug).await?.ok_or(EditError::NotFound(NOT_FOUND))
}

/// Saves the signed-in person's own profile.
pub async fn save_own(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &ProfileInput,
) -> Result<StoredProfile, EditError> {
    let current = own(db, actor).await?;
    save(db, current, input, None).await
}

/// Validates `input` and stores it as the profile of the account `user_id`, inside the
/// caller's transaction (the one that created the account, so both land or neither does).
pub async fn save_in(
    transaction: &DatabaseTransaction,
    taxonomy: &Taxonomy,
    user_id: i32,
    input: &ProfileInput,
) -> Result<profile::Model, EditError> {
    let input = input.validated(taxonomy).map_err(EditError::Invalid)?;
    let current = profile::Entity::find()
        .filter(profile::Column::UserId.eq(user_id))
        .one(transaction)
        .await?
        .ok_or(EditError::NotFound(NOT_FOUND))?;
    Ok(write(transaction, &current, &input, None).await?)
}

/// Saves anyone's profile for the programme office, recorded in the audit log.
pub async fn save_as_office(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    input: &ProfileInput,
) -> Result<StoredProfile, EditError> {
    let current = for_office(db, actor, slug).await?;
    save(db, current, input, Some(actor)).await
}

async fn save(
    db: &DatabaseConnection,
    current: StoredProfile,
    input: &ProfileInput,
    office: Option<&Actor>,
) -> Result<StoredProfile, EditError> {
    let taxonomy = Taxonomy::load(db).await?;
    let input = input.validated(&taxonomy).map_err(EditError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    let saved = write(&transaction, &current.profile, &input, office).await?;
    transaction.commit().await?;
    Ok(StoredProfile { profile: saved, ..current })
}

/// Stores validated input over the current profile, inside the caller's transaction.
pub async fn write(
    db: &impl ConnectionTrait,
    current: &profile::Model,
    input: &ProfileInput,
    office: Option<&Actor>,
) -> Result<profile::Model, DbErr> {
    let now = Utc::now();
    let renamed = input.display_name != current.display_name;
    let slug = if renamed {
        free_slug::<profile::Entity>(db, profile::Column::Slug, &input.display_name, "lid").await?
    } else {
        current.slug.clone()
    };
    let consent_changed = input.listed != current.listed;
    let list = |items: &[String]| serde_json::json!(items);
    let mut model = current.clone().into_active_model();
    model.slug = Set(slug);
    model.display_name = Set(input.display_name.clone());
    model.job_title = Set(input.job_title.clone());
    model.province = Set(input.province.clone());
    model.municipalities = Set(list(&input.municipalities));
    model.themes = Set(list(&input.themes));
    model.advices = Set(list(&input.advices));
    model.keywords = Set(list(&input.keywords));
    model.expertise_kind = Set(input.expertise_kind.clone());
    model.bio = Set(input.bio.clone());
    model.languages = Set(list(&input.languages));
    model.available = Set(input.available);
    model.max_requests_per_month = Set(input.max_requests_per_month);
    model.listed = Set(input.listed);
    if consent_changed {
        model.listed_changed_at = Set(Some(now));
    }
    model.visibility = Set(input.visibility.to_stored());
    model.updated_at = Set(now);
    let saved = model.update(db).await?;
    outbox::record_changes(db, ItemKind::Person, &[saved.id]).await?;
    if let Some(actor) = office {
        let summary = format!("Profiel van {}", saved.display_name);
        crate::audit::record(db, actor, "bewerkt", "profiel", &saved.slug, summary).await?;
    }
    Ok(saved)
}

/// The programme office takes a profile out of the directory, or lets it back in; the
/// owner's own choice (`listed`) stays as it is.
pub async fn set_hidden(db: &DatabaseConnection, actor: &Actor, slug: &str, hidden: bool) -> Result<(), EditError> {
    let current = for_office(db, actor, slug).await?;
    let transaction = db::begin_write(db).await?;
    let name = current.profile.display_name.clone();
    let mut model = current.profile.into_active_model();
    model.hidden_by_office = Set(hidden);
    model.updated_at = Set(Utc::now());
    let saved = model.update(&transaction).await?;
    outbox::record_changes(&transaction, ItemKind::Person, &[saved.id]).await?;
    let action = if hidden { "verborgen" } else { "weer getoond" };
    crate::audit::record(&transaction, actor, action, "profiel", slug, format!("Profiel van {name} in de ledenlijst"))
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// When someone accepts their invitation: a profile every field of which only the office
/// sees (as the member list import makes it) opens to members, the default, so the person
/// starts from the same choices as everyone. Whether it is in the directory stays the
/// person's own choice: it is not until they opt in. A profile whose visibilities someone
/// already chose is left as it is.
pub async fn open_to_members(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    let Some(found) = profile::Entity::find().filter(profile::Column::UserId.eq(user_id)).one(db).await? else {
        return Ok(());
    };
    if !Visibilities::from_stored(&found.visibility).all_office() {
        return Ok(());
    }
    let mut model = found.into_active_model();
    model.visibility = Set(Visibilities::default().to_stored());
    model.updated_at = Set(Utc::now());
    let saved = model.update(db).await?;
    outbox::record_changes(db, ItemKind::Person, &[saved.id]).await
}

/// The people an organisation's page shows: its "vast contactpersoon" in the network (a
/// beheerder) and its own contact persons (its redacteuren). Each only if the viewer may see
/// their profile, with only the fields the viewer may see, and never an e-mail address.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationContacts {
    pub network_contact: Option<ProfileView>,
    pub contacts: Vec<ProfileView>,
}

pub async fn organisation_contacts(
    db: &impl ConnectionTrait,
    level: ViewerLevel,
    organisation: &organisation::Model,
) -> Result<OrganisationContacts, DbErr> {
    let redacteuren = user::Entity::find()
        .filter(user::Column::OrganisationId.eq(organisation.id))
        .filter(user::Column::Role.eq(Role::Redacteur.slug()))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?;
    let network_contact = match organisation.network_contact_user_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(OrganisationContacts {
        network_contact: visible_contacts(db, level, network_contact.into_iter().collect()).await?.pop(),
        contacts: visible_contacts(db, level, redacteuren).await?,
    })
}

/// The profiles of `accounts` (in their order) the viewer may see, without e-mail addresses.
async fn visible_contacts(
    db: &impl ConnectionTrait,
    level: ViewerLevel,
    accounts: Vec<user::Model>,
) -> Result<Vec<ProfileView>, DbErr> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let mut profiles: HashMap<i32, profile::Model> = profile::Entity::find()
        .filter(profile::Column::UserId.is_in(accounts.iter().map(|account| account.id)))
        .all(db)
        .await?
        .into_iter()
        .filter(|found| may_see_profile(found, level))
        .map(|found| (found.user_id, found))
        .collect();
    let organisations: HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(accounts.iter().filter_map(|account| account.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|found| (found.id, found))
        .collect();
    let taxonomy = Taxonomy::load(db).await?;
    Ok(accounts
        .into_iter()
        .filter_map(|user| {
            let profile = profiles.remove(&user.id)?;
            let organisation = user.organisation_id.and_then(|id| organisations.get(&id)).cloned();
            let view = ProfileView::for_viewer(&StoredProfile { profile, user, organisation }, &taxonomy, level);
            Some(ProfileView { email: None, ..view })
        })
        .collect())
}

/// The profiles `ids` (in the order a search found them) as the viewer may see them, by id. One the
/// viewer may no longer see (the index follows the database a moment later) is left out.
pub async fn views_of(
    db: &DatabaseConnection,
    level: ViewerLevel,
    ids: &[i32],
) -> Result<Vec<(i32, ProfileView)>, DbErr> {
    let found = profile::Entity::find().filter(profile::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    let taxonomy = Taxonomy::load(db).await?;
    let mut views: HashMap<i32, ProfileView> = indexing::with_accounts(db, found)
        .await?
        .into_iter()
        .filter(|stored| may_see_profile(&stored.profile, level))
        .map(|stored| (stored.profile.id, ProfileView::for_viewer(&stored, &taxonomy, level)))
        .collect();
    Ok(ids.iter().filter_map(|&id| Some((id, views.remove(&id)?))).collect())
}

/// The profiles `ids` that are in the member directory: listed by their owner, not hidden
/// by the office, of an active account. In no particular order.
pub async fn in_directory(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<StoredProfile>, DbErr> {
    let found = profile::Entity::find()
        .filter(profile::Column::Id.is_in(ids.iter().copied()))
        .filter(profile::Column::Listed.eq(true))
        .filter(profile::Column::HiddenByOffice.eq(false))
        .all(db)
        .await?;
    let stored = indexing::with_accounts(db, found).await?;
    Ok(stored.into_iter().filter(|stored| stored.user.active).collect())
}

/// Every profile by name, listed or not, as the programme office sees it.
pub async fn all_for_office(db: &DatabaseConnection, page: PageRequest) -> Result<Page<ProfileView>, DbErr> {
    let query = profile::Entity::find().order_by_asc(profile::Column::DisplayName).order_by_asc(profile::Column::Id);
    let total = query.clone().count(db).await?;
    let shown = query.offset(page.offset()).limit(page.per_page).all(db).await?;
    let taxonomy = Taxonomy::load(db).await?;
    let items = indexing::with_accounts(db, shown)
        .await?
        .iter()
        .map(|stored| ProfileView::for_viewer(stored, &taxonomy, ViewerLevel::Office))
        .collect();
    Ok(Page::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy {
            themes: vec![entity::theme::Model {
                id: 1,
                slug: "thuiszitters".into(),
                name: "Thuiszitters".into(),
                description: String::new(),
            }],
            advices: Vec::new(),
        }
    }

    #[test]
    fn input_is_checked_against_the_taxonomy_and_the_provinces() {
        let input = ProfileInput {
            display_name: " Anouk ".into(),
            province: Some("Gelderlnd".into()),
            themes: vec!["thuiszitters".into(), "onbekend".into()],
            expertise_kind: Some("astrologie".into()),
            max_requests_per_month: Some(0),
            ..Default::default()
        };
        let errors = input.validated(&taxonomy()).unwrap_err();
        assert!(errors.first("province").unwrap().contains("Gelderlnd"));
        assert!(errors.first("themes").unwrap().contains("'onbekend'"));
        assert!(errors.first("expertise_kind").unwrap().contains("astrologie"));
        assert!(errors.first("max_requests_per_month").is_some());
        assert_eq!(errors.first("display_name"), None);
    }

    #[test]
    fn input_is_tidied_before_it_is_stored() {
        let input = ProfileInput {
            display_name: " Anouk de Wit ".into(),
            province: Some("gelderland".into()),
            keywords: vec![" OZA ".into(), "oza".into(), "".into(), "leerplicht".into()],
            expertise_kind: Some(" ".into()),
            ..Default::default()
        };
        let tidy = input.validated(&taxonomy()).unwrap();
        assert_eq!(tidy.display_name, "Anouk de Wit");
        assert_eq!(tidy.province.as_deref(), Some("Gelderland"));
        assert_eq!(tidy.keywords, ["OZA", "leerplicht"]);
        assert_eq!(tidy.expertise_kind, None);
    }

    #[test]
    fn control_characters_and_empty_names_are_refused() {
        let input = ProfileInput {
            display_name: "\u{0}".into(),
            bio: "Hallo\u{1b}".into(),
            languages: vec!["Frans\u{7}".into()],
            ..Default::default()
        };
        let errors = input.validated(&taxonomy()).unwrap_err();
        assert_eq!(errors.first("bio"), Some(FORBIDDEN_CHARS_MESSAGE));
        assert_eq!(errors.first("languages"), Some(FORBIDDEN_CHARS_MESSAGE));
        assert!(errors.first("display_name").is_some());
    }
}
