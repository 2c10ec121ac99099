//! The network's fixed vocabularies: organisation kinds, network roles, age groups,
//! provinces, practice statuses, and the seeded themes and advices.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use strum::{EnumIter, EnumMessage, EnumString, IntoStaticStr};

use crate::db;
use crate::validation::EditError;
use crate::vocabulary::Vocabulary;

use entity::{advice, theme};

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum OrganisationKind {
    #[strum(serialize = "inspiratieregio", message = "Inspiratieregio")]
    Inspiratieregio,
    #[strum(serialize = "gemeente", message = "Gemeente")]
    Gemeente,
    #[strum(serialize = "samenwerkingsverband-po", message = "Samenwerkingsverband PO")]
    SamenwerkingsverbandPo,
    #[strum(serialize = "samenwerkingsverband-vo", message = "Samenwerkingsverband VO")]
    SamenwerkingsverbandVo,
    #[strum(serialize = "kinderopvang", message = "Kinderopvang")]
    Kinderopvang,
    #[strum(serialize = "schoolbestuur", message = "Schoolbestuur")]
    Schoolbestuur,
    #[strum(serialize = "jeugdhulpaanbieder", message = "Jeugdhulpaanbieder")]
    Jeugdhulpaanbieder,
    #[strum(serialize = "jgz-ggd", message = "JGZ / GGD")]
    JgzGgd,
    #[strum(serialize = "kennisinstituut", message = "Kennisinstituut")]
    Kennisinstituut,
    #[strum(serialize = "overig", message = "Overig")]
    Overig,
}
impl Vocabulary for OrganisationKind {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum NetworkRole {
    #[strum(serialize = "inspiratieregio", message = "Inspiratieregio")]
    Inspiratieregio,
    #[strum(serialize = "aandeelhouder", message = "Aandeelhouder")]
    Aandeelhouder,
    #[strum(serialize = "aanvrager", message = "Aanvrager")]
    Aanvrager,
    #[strum(serialize = "geen", message = "Geen rol")]
    Geen,
}
impl Vocabulary for NetworkRole {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum AgeGroup {
    #[strum(serialize = "0-4", message = "0-4 jaar")]
    Toddlers,
    #[strum(serialize = "4-12", message = "4-12 jaar")]
    PrimarySchool,
    #[strum(serialize = "12-18", message = "12-18 jaar")]
    Teenagers,
    #[strum(serialize = "18+", message = "18 jaar en ouder")]
    Adults,
}
impl Vocabulary for AgeGroup {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum PracticeStatus {
    #[strum(serialize = "concept", message = "Concept")]
    Concept,
    #[strum(serialize = "gepubliceerd", message = "Gepubliceerd")]
    Gepubliceerd,
    #[strum(serialize = "gearchiveerd", message = "Gearchiveerd")]
    Gearchiveerd,
}
impl Vocabulary for PracticeStatus {}

pub const PROVINCES: [&str; 12] = [
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
];

/// The provinces that share a border with `province` (as spelled in `PROVINCES`), land
/// borders and the Afsluitdijk; none for a name that is not a province.
pub fn neighbouring_provinces(province: &str) -> &'static [&'static str] {
    match province {
        "Groningen" => &["Friesland", "Drenthe"],
        "Friesland" => &["Groningen", "Drenthe", "Overijssel", "Flevoland", "Noord-Holland"],
        "Drenthe" => &["Groningen", "Friesland", "Overijssel"],
        "Overijssel" => &["Friesland", "Drenthe", "Flevoland", "Gelderland"],
        "Flevoland" => &["Friesland", "Overijssel", "Gelderland", "Utrecht", "Noord-Holland"],
        "Gelderland" => &["Overijssel", "Flevoland", "Utrecht", "Zuid-Holland", "Noord-Brabant", "Limburg"],
        "Utrecht" => &["Flevoland", "Gelderland", "Zuid-Holland", "Noord-Holland"],
        "Noord-Holland" => &["Friesland", "Flevoland", "Utrecht", "Zuid-Holland"],
        "Zuid-Holland" => &["Noord-Holland", "Utrecht", "Gelderland", "Noord-Brabant", "Zeeland"],
        "Zeeland" => &["Zuid-Holland", "Noord-Brabant"],
        "Noord-Brabant" => &["Zeeland", "Zuid-Holland", "Gelderland", "Limburg"],
        "Limburg" => &["Noord-Brabant", "Gelderland"],
        _ => &[],
    }
}

/// The province as spelled in `PROVINCES`, matched without regard to case.
pub fn province(name: &str) -> Option<&'static str> {
    PROVINCES.iter().copied().find(|province| province.eq_ignore_ascii_case(name.trim()))
}

const TAXONOMY: &str = include_str!("../data/taxonomy.yaml");

#[derive(Debug, Deserialize)]
struct TaxonomyFile {
    themes: Vec<ThemeEntry>,
    advices: Vec<AdviceEntry>,
}

#[derive(Debug, Deserialize)]
struct ThemeEntry {
    slug: String,
    name: String,
    description: String,
}

#[derive(Debug, Deserialize)]
struct AdviceEntry {
    number: i32,
    slug: String,
    name: String,
    description: String,
}

/// Adds the bundled themes and advices that the database does not have yet; existing
/// ones are left as the programme office edited them.
pub async fn seed(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let file: TaxonomyFile =
        serde_yaml_ng::from_str(TAXONOMY).map_err(|error| DbErr::Custom(format!("data/taxonomy.yaml: {error}")))?;
    for entry in file.themes {
        let exists = theme::Entity::find().filter(theme::Column::Slug.eq(&entry.slug)).one(db).await?;
        if exists.is_none() {
            theme::ActiveModel {
                slug: Set(entry.slug),
                name: Set(entry.name),
                description: Set(entry.description),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    for entry in file.advices {
        let exists = advice::Entity::find().filter(advice::Column::Slug.eq(&entry.slug)).one(db).await?;
        if exists.is_none() {
            advice::ActiveModel {
                slug: Set(entry.slug),
                number: Set(entry.number),
                name: Set(entry.name),
                description: Set(entry.description),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Themes and advices as stored, for labels and lists.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub themes: Vec<theme::Model>,
    pub advices: Vec<advice::Model>,
}

impl Taxonomy {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Taxonomy, DbErr> {
        Ok(Taxonomy {
            themes: theme::Entity::find().order_by_asc(theme::Column::Name).all(db).await?,
            advices: advice::Entity::find().order_by_asc(advice::Column::Number).all(db).await?,
        })
    }

    pub fn theme_name(&self, slug: &str) -> String {
        self.themes
            .iter()
            .find(|theme| theme.slug == slug)
            .map(|theme| theme.name.clone())
            .unwrap_or_else(|| slug.to_string())
    }

    pub fn advice_name(&self, slug: &str) -> String {
        self.advices
            .iter()
            .find(|advice| advice.slug == slug)
            .map(|advice| advice.name.clone())
            .unwrap_or_else(|| slug.to_string())
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn vocabularies_round_trip_by_slug() {
        for kind in OrganisationKind::iter() {
            assert_eq!(OrganisationKind::from_slug(kind.slug()), Some(kind));
        }
        assert_eq!(OrganisationKind::label_of("jgz-ggd"), "JGZ / GGD");
        assert_eq!(AgeGroup::from_slug("18+"), Some(AgeGroup::Adults));
        assert_eq!(province("noord-brabant"), Some("Noord-Brabant"));
    }

    #[test]
    fn every_province_has_neighbours_and_neighbours_are_mutual() {
        for province in PROVINCES {
            let neighbours = neighbouring_provinces(province);
            assert!(!neighbours.is_empty(), "{province}");
            for neighbour in neighbours {
                assert!(PROVINCES.contains(neighbour), "{neighbour}");
                assert_ne!(neighbour, &province);
                assert!(neighbouring_provinces(neighbour).contains(&province), "{province} and {neighbour}");
            }
        }
        assert_eq!(neighbouring_provinces("Zeeland"), ["Zuid-Holland", "Noord-Brabant"]);
        assert!(!neighbouring_provinces("Utrecht").contains(&"Noord-Brabant"));
        assert!(neighbouring_provinces("Vlaanderen").is_empty());
    }

    #[test]
    fn bundled_taxonomy_parses() {
        let file: TaxonomyFile = serde_yaml_ng::from_str(TAXONOMY).unwrap();
        assert!(file.themes.len() >= 10);
        assert_eq!(file.advices.len(), 7);
    }
}

/// A theme as the programme office writes it.
#[derive(Debug, Clone, Default, serde::Serialize, Deserialize)]
pub struct ThemeInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Creates or edits a theme; practices with it are re-indexed (theme names are searchable).
pub async fn save_theme_as(
    db: &sea_orm::DatabaseConnection,
    actor: &crate::actor::Actor,
    existing_slug: Option<&str>,
    input: ThemeInput,
) -> Result<theme::Model, EditError> {
    use sea_orm::IntoActiveModel;
    if !crate::actor::policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    if !crate::validation::slug_is_valid(&input.slug) {
        return Err(EditError::field("slug", "Gebruik alleen kleine letters, cijfers en streepjes."));
    }
    if input.name.trim().is_empty() {
        return Err(EditError::field("name", "Vul de naam van het thema in."));
    }
    let transaction = db::begin_write(db).await?;
    let by_slug = |slug: String| theme::Entity::find().filter(theme::Column::Slug.eq(slug)).one(&transaction);
    let clash = by_slug(input.slug.clone()).await?;
    let saved = match existing_slug {
        Some(slug) => {
            let existing = by_slug(slug.to_string()).await?.ok_or(EditError::NotFound("Dit thema bestaat niet."))?;
            if clash.is_some_and(|other| other.id != existing.id) {
                return Err(EditError::field("slug", "Deze korte naam is al in gebruik."));
            }
            let mut model = existing.into_active_model();
            model.slug = Set(input.slug);
            model.name = Set(input.name.trim().to_string());
            model.description = Set(input.description.trim().to_string());
            model.update(&transaction).await?
        }
        None if clash.is_some() => return Err(EditError::field("slug", "Deze korte naam is al in gebruik.")),
        None => {
            theme::ActiveModel {
                slug: Set(input.slug),
                name: Set(input.name.trim().to_string()),
                description: Set(input.description.trim().to_string()),
                ..Default::default()
            }
            .insert(&transaction)
            .await?
        }
    };
    let practice_ids: Vec<i32> = entity::practice_theme::Entity::find()
        .filter(entity::practice_theme::Column::ThemeId.eq(saved.id))
        .all(&transaction)
        .await?
        .into_iter()
        .map(|link| link.practice_id)
        .collect();
    crate::outbox::record_changes(&transaction, crate::search::ItemKind::Practice, &practice_ids).await?;
    let action = if existing_slug.is_some() { "bewerkt" } else { "aangemaakt" };
    crate::audit::record(&transaction, actor, action, "thema", &saved.slug, saved.name.clone()).await?;
    transaction.commit().await?;
    Ok(saved)
}
