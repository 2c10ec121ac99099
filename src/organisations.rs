//! Organisations in the network: regions, municipalities, school partnerships, providers.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use entity::organisation;

use crate::actor::Role;
use crate::db;
use crate::pagination::{Page, PageRequest};
use crate::taxonomy::{self, NetworkRole, OrganisationKind};
use crate::validation::{is_web_url, slug_is_valid, EditError, FieldErrors, WEB_URL_MESSAGE};
use crate::vocabulary::Vocabulary;

/// An organisation as an import or the demo describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrganisationInput {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub province: Option<String>,
    #[serde(default)]
    pub municipalities: Vec<String>,
    pub website: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_role")]
    pub network_role: String,
    pub tranche: Option<i32>,
}

fn default_role() -> String {
    NetworkRole::Geen.slug().to_string()
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !slug_is_valid(&self.slug) {
            errors.add("slug", "Gebruik alleen kleine letters, cijfers en streepjes.");
        }
        if self.name.trim().is_empty() {
            errors.add("name", "Vul de naam van de organisatie in.");
        }
        if OrganisationKind::from_slug(&self.kind).is_none() {
            errors.add("kind", format!("Onbekend soort organisatie '{}'.", self.kind));
        }
        if NetworkRole::from_slug(&self.network_role).is_none() {
            errors.add("network_role", format!("Onbekende rol '{}'.", self.network_role));
        }
        if self.website.as_deref().is_some_and(|website| !is_web_url(website)) {
            errors.add("website", WEB_URL_MESSAGE);
        }
        if let Some(province) = &self.province {
            if taxonomy::province(province).is_none() {
                errors.add("province", format!("Onbekende provincie '{province}'."));
            }
        }
        errors.into_result()
    }
}

/// Creates the organisation or updates the one with the same slug.
pub async fn upsert(db: &impl ConnectionTrait, input: OrganisationInput) -> Result<organisation::Model, DbErr> {
    let now = Utc::now();
    let existing = find_by_slug(db, &input.slug).await?;
    let mut model = match &existing {
        Some(found) => organisation::ActiveModel::from(found.clone()),
        None => organisation::ActiveModel { created_at: Set(now), ..Default::default() },
    };
    model.slug = Set(input.slug);
    model.name = Set(input.name.trim().to_string());
    model.kind = Set(input.kind);
    model.province = Set(input.province.as_deref().and_then(taxonomy::province).map(str::to_string));
    model.municipalities = Set(serde_json::json!(input.municipalities));
    model.website = Set(input.website);
    model.description = Set(input.description);
    model.network_role = Set(input.network_role);
    model.tranche = Set(input.tranche);
    model.updated_at = Set(now);
    match existing {
        Some(_) => model.update(db).await,
        None => model.insert(db).await,
    }
}

pub async fn find_by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<organisation::Model>, DbErr> {
    organisation::Entity::find().filter(organisation::Column::Slug.eq(slug)).one(db).await
}

/// The organisation an import names, by slug or by name; an unknown one is created as
/// kind "overig" so that importing never stalls on a missing organisation.
pub async fn find_or_create(db: &impl ConnectionTrait, slug_or_name: &str) -> Result<organisation::Model, DbErr> {
    let slug = slug::slugify(slug_or_name);
    if let Some(found) = find_by_slug(db, &slug).await? {
        return Ok(found);
    }
    let by_name =
        organisation::Entity::find().filter(organisation::Column::Name.eq(slug_or_name.trim())).one(db).await?;
    if let Some(found) = by_name {
        return Ok(found);
    }
    upsert(
        db,
        OrganisationInput {
            slug,
            name: slug_or_name.trim().to_string(),
            kind: OrganisationKind::Overig.slug().to_string(),
            province: None,
            municipalities: Vec::new(),
            website: None,
            description: String::new(),
            network_role: default_role(),
            tranche: None,
        },
    )
    .await
}

/// An organisation as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    #[serde(skip)]
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub province: Option<String>,
    pub municipalities: Vec<String>,
    pub website: Option<String>,
    pub description: String,
    pub network_role: String,
    pub network_role_label: String,
    pub tranche: Option<i32>,
    pub url: String,
}

impl From<organisation::Model> for OrganisationView {
    fn from(model: organisation::Model) -> OrganisationView {
        OrganisationView {
            kind_label: OrganisationKind::label_of(&model.kind),
            network_role_label: NetworkRole::label_of(&model.network_role),
            url: format!("/organisaties/{}", model.slug),
            id: model.id,
            municipalities: serde_json::from_value(model.municipalities).unwrap_or_default(),
            slug: model.slug,
            name: model.name,
            kind: model.kind,
            province: model.province,
            // Only links people may follow, even for rows stored before websites were checked.
            website: model.website.filter(|website| is_web_url(website)),
            description: model.description,
            network_role: model.network_role,
            tranche: model.tranche,
        }
    }
}

pub async fn list(db: &impl ConnectionTrait, page: PageRequest) -> Result<Page<OrganisationView>, DbErr> {
    let paginator = organisation::Entity::find().order_by_asc(organisation::Column::Name).paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Ok(Page::new(items.into_iter().map(OrganisationView::from).collect(), total, page))
}

/// Creates or edits an organisation as the programme office, with its "vast contactpersoon"
/// (a beheerder, or none); its practices are re-indexed (their search documents carry the
/// organisation's name, kind and places).
pub async fn save_as(
    db: &sea_orm::DatabaseConnection,
    actor: &crate::actor::Actor,
    existing_slug: Option<&str>,
    input: OrganisationInput,
    network_contact_user_id: Option<i32>,
) -> Result<organisation::Model, EditError> {
    if !crate::actor::policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    input.validate().map_err(EditError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    if let Some(user_id) = network_contact_user_id {
        if !is_beheerder(&transaction, user_id).await? {
            return Err(EditError::field("network_contact", "Kies een beheerder als vast contactpersoon."));
        }
    }
    match existing_slug {
        Some(slug) if slug != input.slug => {
            if find_by_slug(&transaction, &input.slug).await?.is_some() {
                return Err(taken());
            }
            let existing =
                find_by_slug(&transaction, slug).await?.ok_or(EditError::NotFound("Deze organisatie bestaat niet."))?;
            let mut renamed = organisation::ActiveModel::from(existing);
            renamed.slug = Set(input.slug.clone());
            renamed.update(&transaction).await?;
        }
        Some(slug) => {
            find_by_slug(&transaction, slug).await?.ok_or(EditError::NotFound("Deze organisatie bestaat niet."))?;
        }
        None if find_by_slug(&transaction, &input.slug).await?.is_some() => return Err(taken()),
        None => {}
    }
    let saved = upsert(&transaction, input).await?;
    let mut contact = organisation::ActiveModel::from(saved);
    contact.network_contact_user_id = Set(network_contact_user_id);
    let saved = contact.update(&transaction).await?;
    let practice_ids: Vec<i32> = entity::practice::Entity::find()
        .filter(entity::practice::Column::OrganisationId.eq(saved.id))
        .all(&transaction)
        .await?
        .into_iter()
        .map(|practice| practice.id)
        .collect();
    crate::outbox::record_changes(&transaction, crate::search::ItemKind::Practice, &practice_ids).await?;
    crate::outbox::record_changes(
        &transaction,
        crate::search::ItemKind::Person,
        &member_profile_ids(&transaction, saved.id).await?,
    )
    .await?;
    let action = if existing_slug.is_some() { "bewerkt" } else { "aangemaakt" };
    crate::audit::record(&transaction, actor, action, "organisatie", &saved.slug, saved.name.clone()).await?;
    transaction.commit().await?;
    Ok(saved)
}

async fn is_beheerder(db: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    let found = entity::user::Entity::find_by_id(user_id).one(db).await?;
    Ok(found.is_some_and(|account| account.role == Role::Beheerder.slug() && account.active))
}

/// When an account is deleted: organisations whose "vast contactpersoon" it was have none.
pub async fn forget_network_contact(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    organisation::Entity::update_many()
        .col_expr(organisation::Column::NetworkContactUserId, Expr::value(Option::<i32>::None))
        .filter(organisation::Column::NetworkContactUserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The profiles of the people of an organisation, whose search documents name it.
async fn member_profile_ids(db: &impl ConnectionTrait, organisation_id: i32) -> Result<Vec<i32>, DbErr> {
    let user_ids = entity::user::Entity::find()
        .filter(entity::user::Column::OrganisationId.eq(organisation_id))
        .all(db)
        .await?
        .into_iter()
        .map(|account| account.id);
    Ok(entity::profile::Entity::find()
        .filter(entity::profile::Column::UserId.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|profile| profile.id)
        .collect())
}

fn taken() -> EditError {
    EditError::field("slug", "Deze korte naam is al in gebruik.")
}

impl OrganisationInput {
    /// The stored organisation as the form shows it.
    pub fn from_model(model: &organisation::Model) -> OrganisationInput {
        OrganisationInput {
            slug: model.slug.clone(),
            name: model.name.clone(),
            kind: model.kind.clone(),
            province: model.province.clone(),
            municipalities: serde_json::from_value(model.municipalities.clone()).unwrap_or_default(),
            website: model.website.clone(),
            description: model.description.clone(),
            network_role: model.network_role.clone(),
            tranche: model.tranche,
        }
    }
}
