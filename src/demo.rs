//! Demo content for `oogst serve --demo`: organisations, practices, events and member
//! profiles written for the learning network, embedded in the binary; practices are loaded
//! through the import path, after the profiles their contacts are.

use indicatif::ProgressBar;
use rust_embed::RustEmbed;
use sea_orm::{DatabaseConnection, DbErr};

use crate::accounts::{self, NewUser};
use crate::actor::Role;
use crate::db;
use crate::events::{EventInput, ProgrammeInput};
use crate::import::{self, ImportReport, Item};
use crate::organisations::{self, OrganisationInput};
use crate::profiles::{self, ProfileInput};
use crate::taxonomy::Taxonomy;
use crate::vocabulary::Vocabulary;

#[derive(RustEmbed)]
#[folder = "demo/"]
struct DemoFiles;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo content is broken: {0}")]
    Broken(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Fills an empty database with the demo content; a database with practices is left
/// alone, and loading twice changes nothing since everything is matched by slug.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<Option<ImportReport>, DemoError> {
    if crate::practices::count_published(db).await? > 0 {
        return Ok(None);
    }
    let organisations_file = DemoFiles::get("organisations.yaml")
        .ok_or_else(|| DemoError::Broken("organisations.yaml is missing".into()))?;
    let organisations: Vec<OrganisationInput> = serde_yaml_ng::from_slice(&organisations_file.data)
        .map_err(|error| DemoError::Broken(format!("organisations.yaml: {error}")))?;
    let transaction = db::begin_write(db).await?;
    for organisation in organisations {
        organisation
            .validate()
            .map_err(|errors| DemoError::Broken(format!("organisation {}: {errors}", organisation.slug)))?;
        organisations::upsert(&transaction, organisation).await?;
    }
    transaction.commit().await?;
    // People before practices: a practice names its contact by their profile.
    load_profiles(db).await?;

    let mut items = Vec::new();
    for name in DemoFiles::iter().filter(|name| name.starts_with("practices/") && name.ends_with(".md")) {
        let file = DemoFiles::get(&name).ok_or_else(|| DemoError::Broken(format!("{name} vanished")))?;
        let text = String::from_utf8_lossy(&file.data);
        let slug = name.trim_start_matches("practices/").trim_end_matches(".md");
        let input =
            import::parse_practice(slug, &text).map_err(|error| DemoError::Broken(format!("{name}: {error}")))?;
        items.push((name.to_string().into(), Item::Practice(input)));
    }
    let mut report = ImportReport::default();
    import::save(db, items, &mut report, &ProgressBar::hidden()).await?;
    if let Some((path, message)) = report.failed.first() {
        return Err(DemoError::Broken(format!("{}: {message}", path.display())));
    }
    load_events(db).await?;
    Ok(Some(report))
}

/// A demo event, dated relative to today so the agenda always has something coming up.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoEvent {
    slug: String,
    title: String,
    kind: String,
    organisation: Option<String>,
    days_from_now: i64,
    start: String,
    end: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    address: String,
    online_url: Option<String>,
    capacity: i32,
    #[serde(default)]
    members_only: bool,
    description: String,
    #[serde(default)]
    programme: Vec<ProgrammeInput>,
}

impl DemoEvent {
    fn into_input(self, today: chrono::NaiveDate) -> EventInput {
        let day = today + chrono::Duration::days(self.days_from_now);
        EventInput {
            slug: self.slug,
            title: self.title,
            kind: self.kind,
            description: self.description,
            starts_at: format!("{day}T{}", self.start),
            ends_at: format!("{day}T{}", self.end),
            location: self.location,
            address: self.address,
            online_url: self.online_url,
            organisation: self.organisation,
            members_only: self.members_only,
            capacity: self.capacity,
            programme: self.programme,
            ..Default::default()
        }
    }
}

async fn load_events(db: &DatabaseConnection) -> Result<(), DemoError> {
    let file = DemoFiles::get("events.yaml").ok_or_else(|| DemoError::Broken("events.yaml is missing".into()))?;
    let events: Vec<DemoEvent> =
        serde_yaml_ng::from_slice(&file.data).map_err(|error| DemoError::Broken(format!("events.yaml: {error}")))?;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let inputs = events.into_iter().map(|event| event.into_input(today)).collect();
    crate::events::create_demo(db, inputs).await.map_err(|error| DemoError::Broken(format!("events.yaml: {error}")))
}

/// A demo member: an account without a password, and the profile they wrote.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPerson {
    email: String,
    /// Organisation slug.
    organisation: Option<String>,
    /// lid unless given.
    role: Option<String>,
    profile: ProfileInput,
}

async fn load_profiles(db: &DatabaseConnection) -> Result<(), DemoError> {
    let file = DemoFiles::get("profiles.yaml").ok_or_else(|| DemoError::Broken("profiles.yaml is missing".into()))?;
    let people: Vec<DemoPerson> =
        serde_yaml_ng::from_slice(&file.data).map_err(|error| DemoError::Broken(format!("profiles.yaml: {error}")))?;
    let broken =
        |email: &str, error: &dyn std::fmt::Display| DemoError::Broken(format!("profiles.yaml, {email}: {error}"));
    let taxonomy = Taxonomy::load(db).await?;
    for person in people {
        let organisation_id = match &person.organisation {
            Some(slug) => Some(
                organisations::find_by_slug(db, slug)
                    .await?
                    .ok_or_else(|| broken(&person.email, &format!("unknown organisation {slug}")))?
                    .id,
            ),
            None => None,
        };
        let role = match person.role.as_deref() {
            None => Role::Lid,
            Some(slug) => {
                Role::from_slug(slug).ok_or_else(|| broken(&person.email, &format!("unknown role {slug}")))?
            }
        };
        let new = NewUser {
            email: person.email.clone(),
            name: person.profile.display_name.clone(),
            role,
            organisation_id,
            job_title: person.profile.job_title.clone(),
        };
        // The account and its profile in one transaction, as everywhere else.
        let transaction = db::begin_write(db).await?;
        let account =
            accounts::create(&transaction, &new, true).await.map_err(|error| broken(&person.email, &error))?;
        profiles::save_in(&transaction, &taxonomy, account.id, &person.profile)
            .await
            .map_err(|error| broken(&person.email, &error))?;
        transaction.commit().await?;
    }
    Ok(())
}
