//! Events of the network (werksessies, kick-off, heidagen, …) with their programme of
//! plenary items and workshops. Times are entered and shown in Dutch time (Europe/Amsterdam)
//! and stored in UTC. Registration lives in `registration`, the .ics files in `calendar`.

pub mod calendar;
pub mod export;
pub mod registration;
pub mod worker;

use chrono::{DateTime, NaiveDate, NaiveTime, SubsecRound, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumMessage, EnumString, IntoStaticStr};

use entity::{event, organisation, programme_item};

use crate::actor::{policy, Actor};
use crate::db;
use crate::dutch_time::{checked_time, in_dutch_time, local_input, LocalTimeError};
use crate::mail::MailSettings;
use crate::markdown;
use crate::pagination::{Page, PageRequest};
use crate::search::{Audience, IndexItem, ItemKind, OrganisationRef};
use crate::validation::{free_slug, is_web_url, slug_is_valid, EditError, FieldErrors, WEB_URL_MESSAGE};
use crate::vocabulary::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum EventKind {
    #[strum(serialize = "werksessie", message = "Werksessie")]
    Werksessie,
    #[strum(serialize = "kick-off", message = "Kick-off")]
    KickOff,
    #[strum(serialize = "heidag", message = "Heidag")]
    Heidag,
    #[strum(serialize = "verdiepingsochtend", message = "Verdiepingsochtend")]
    Verdiepingsochtend,
    #[strum(serialize = "webinar", message = "Webinar")]
    Webinar,
    #[strum(serialize = "werkbezoek", message = "Werkbezoek")]
    Werkbezoek,
}
impl Vocabulary for EventKind {}

/// What the agenda shows about an event's state, derived from its rows and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    Gepland,
    Volgeboekt,
    Afgelast,
    Afgelopen,
}

impl EventStatus {
    pub fn of(event: &event::Model, now: DateTime<Utc>) -> EventStatus {
        if event.cancelled_at.is_some() {
            EventStatus::Afgelast
        } else if event.ends_at < now {
            EventStatus::Afgelopen
        } else if event.confirmed >= event.capacity {
            EventStatus::Volgeboekt
        } else {
            EventStatus::Gepland
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventStatus::Gepland => "Gepland",
            EventStatus::Volgeboekt => "Volgeboekt",
            EventStatus::Afgelast => "Afgelast",
            EventStatus::Afgelopen => "Afgelopen",
        }
    }
}

/// A programme item as entered: times of day on the event's date (Dutch time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    /// `HH:MM`.
    pub starts: String,
    /// `HH:MM`.
    pub ends: String,
    pub title: String,
    /// A workshop is chosen per time slot and has its own capacity; otherwise plenary.
    #[serde(default)]
    pub workshop: bool,
    #[serde(default, deserialize_with = "crate::validation::whole_number::optional")]
    pub capacity: Option<i32>,
}

impl ProgrammeInput {
    /// The programme as a form's text area holds it, one item a line:
    /// `13:30-14:00 | Opening` for a plenary item, `14:00-15:00 | Dokwerk | 20` for a
    /// workshop with 20 places.
    pub fn parse_lines(text: &str) -> Result<Vec<ProgrammeInput>, String> {
        let mut items = Vec::new();
        for (number, line) in text.lines().map(str::trim).enumerate().filter(|(_, line)| !line.is_empty()) {
            let wrong = || {
                format!(
                    "Regel {}: schrijf 'UU:MM-UU:MM | titel' of, voor een workshop, 'UU:MM-UU:MM | titel | plaatsen'.",
                    number + 1
                )
            };
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (times, title, capacity) = match parts.as_slice() {
                [times, title] => (*times, *title, None),
                [times, title, places] => (*times, *title, Some(places.parse::<i32>().map_err(|_| wrong())?)),
                _ => return Err(wrong()),
            };
            let (starts, ends) = times.split_once(['-', '–']).ok_or_else(wrong)?;
            items.push(ProgrammeInput {
                starts: starts.trim().to_string(),
                ends: ends.trim().to_string(),
                title: title.to_string(),
                workshop: capacity.is_some(),
                capacity,
            });
        }
        Ok(items)
    }

    /// The inverse of `parse_lines`.
    pub fn to_lines(items: &[ProgrammeInput]) -> String {
        items
            .iter()
            .map(|item| match item.capacity.filter(|_| item.workshop) {
                Some(places) => format!("{}-{} | {} | {places}", item.starts, item.ends, item.title),
                None => format!("{}-{} | {}", item.starts, item.ends, item.title),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// An event as its organiser describes it (form or API). Times are Dutch time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Made from the title when left out.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    /// Markdown.
    #[serde(default)]
    pub description: String,
    /// `YYYY-MM-DDTHH:MM`, Dutch time.
    #[serde(default)]
    pub starts_at: String,
    /// `YYYY-MM-DDTHH:MM`, Dutch time.
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub address: String,
    pub online_url: Option<String>,
    /// Slug of the organising organisation.
    pub organisation: Option<String>,
    #[serde(default)]
    pub members_only: bool,
    #[serde(default, deserialize_with = "crate::validation::whole_number::one")]
    pub capacity: i32,
    /// `YYYY-MM-DDTHH:MM`; open at once when left out.
    pub registration_opens_at: Option<String>,
    /// `YYYY-MM-DDTHH:MM`; the start of the event when left out.
    pub registration_closes_at: Option<String>,
    #[serde(default)]
    pub programme: Vec<ProgrammeInput>,
}

/// Why a typed time is not a moment in Dutch time.
fn time_on(date: NaiveDate, text: &str) -> Result<DateTime<Utc>, LocalTimeError> {
    let time = NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| LocalTimeError::Format)?;
    in_dutch_time(date.and_time(time))
}

/// The validated times of an event, in UTC.
struct Times {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    programme: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl EventInput {
    fn validate(&self) -> Result<Times, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.title.trim().is_empty() {
            errors.add("title", "Vul een titel in.");
        }
        if !self.slug.is_empty() && !slug_is_valid(&self.slug) {
            errors.add("slug", "Gebruik alleen kleine letters, cijfers en streepjes.");
        }
        if EventKind::from_slug(&self.kind).is_none() {
            errors.add("kind", format!("Kies een soort bijeenkomst ({}).", EventKind::slugs().join(", ")));
        }
        let starts_at =
            checked_time(&mut errors, "starts_at", &self.starts_at, "Geef de begintijd op als JJJJ-MM-DDTUU:MM.");
        let ends_at = checked_time(&mut errors, "ends_at", &self.ends_at, "Geef de eindtijd op als JJJJ-MM-DDTUU:MM.");
        if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
            if ends <= starts {
                errors.add("ends_at", "De eindtijd moet na de begintijd liggen.");
            }
        }
        if self.location.trim().is_empty() && self.online_url.as_deref().is_none_or(|url| url.trim().is_empty()) {
            errors.add("location", "Geef een locatie of een link voor online deelname op.");
        }
        if let Some(url) = self.online_url.as_deref().filter(|url| !url.trim().is_empty()) {
            if !is_web_url(url) {
                errors.add("online_url", WEB_URL_MESSAGE);
            }
        }
        if !(1..=100_000).contains(&self.capacity) {
            errors.add("capacity", "Het aantal plaatsen moet tussen 1 en 100.000 liggen.");
        }
        let optional_time = |field: &str, value: &Option<String>, errors: &mut FieldErrors| {
            let value = value.as_deref().filter(|value| !value.trim().is_empty())?;
            checked_time(errors, field, value, &LocalTimeError::Format.to_string())
        };
        let opens_at = optional_time("registration_opens_at", &self.registration_opens_at, &mut errors);
        let closes_at = optional_time("registration_closes_at", &self.registration_closes_at, &mut errors);
        if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
            if closes <= opens {
                errors.add("registration_closes_at", "De aanmelding moet sluiten na het openen.");
            }
        }
        let date = starts_at.map(|starts| starts.with_timezone(&Amsterdam).date_naive());
        let mut programme = Vec::new();
        for (number, item) in self.programme.iter().enumerate() {
            let label = format!("Programmaonderdeel {}", number + 1);
            let times = date
                .ok_or(LocalTimeError::Format)
                .and_then(|date| Ok((time_on(date, &item.starts)?, time_on(date, &item.ends)?)));
            match times {
                Ok((starts, ends)) if starts < ends => programme.push((starts, ends)),
                Ok(_) => errors.add("programme", format!("{label}: de eindtijd moet na de begintijd liggen.")),
                Err(LocalTimeError::Format) => {
                    errors.add("programme", format!("{label}: geef begin- en eindtijd op als UU:MM."))
                }
                Err(gap) => errors.add("programme", format!("{label}: {gap}")),
            }
            if item.title.trim().is_empty() {
                errors.add("programme", format!("{label}: geef een titel op."));
            }
            if item.workshop && item.capacity.is_none_or(|capacity| capacity <= 0) {
                errors.add("programme", format!("{label}: een workshop heeft een aantal plaatsen nodig."));
            }
        }
        errors.into_result()?;
        let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else { unreachable!("checked above") };
        Ok(Times { starts_at, ends_at, opens_at, closes_at, programme })
    }
}

const NOT_FOUND: &str = "Deze bijeenkomst bestaat niet.";

/// Who may organise: beheerders any event, redacteuren those of their own organisation.
fn may_organise(actor: &Actor, organisation_id: Option<i32>) -> bool {
    match organisation_id {
        Some(id) => policy::can_edit_practices_of(actor, id),
        None => policy::can_manage_network(actor),
    }
}

pub async fn find(db: &impl ConnectionTrait, slug: &str) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find().filter(event::Column::Slug.eq(slug)).one(db).await
}

/// The event if `actor` may see its registrations and change it.
pub async fn find_organised(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<event::Model, EditError> {
    // Someone else's event is answered like a missing one: its registrations are not theirs
    // to know about, not even that the pages exist.
    find(db, slug).await?.filter(|found| is_organiser(actor, found)).ok_or(EditError::NotFound(NOT_FOUND))
}

/// Whether `actor` may change `event` and see its registrations.
pub fn is_organiser(actor: &Actor, event: &event::Model) -> bool {
    may_organise(actor, event.organisation_id)
}

/// Whether `actor` organises events at all (for menus and "new event").
pub fn can_organise_some(actor: &Actor) -> bool {
    policy::can_edit_some_practices(actor)
}

/// Creates (`existing` None) or changes an event. When the time or place of an event with
/// registrations changes, everyone registered gets a notice, in the same transaction.
pub async fn save_as(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    existing: Option<&str>,
    input: EventInput,
) -> Result<event::Model, EditError> {
    let times = input.validate().map_err(EditError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    let organisation_id = organisation_id(&transaction, &input).await?;
    if !may_organise(actor, organisation_id) {
        return Err(EditError::Forbidden);
    }
    let before = match existing {
        Some(slug) => {
            let found = find_organised(&transaction, actor, slug).await?;
            Some(registration::lock_event(&transaction, found.id).await?)
        }
        None => None,
    };
    let saved = write(&transaction, before.as_ref(), input, &times, organisation_id).await?;
    if let Some(before) = &before {
        if moved(before, &saved) {
            registration::notify_change(&transaction, mail, &saved, registration::Change::Moved).await?;
        }
        registration::fill_from_waitlist(&transaction, mail, saved.id).await?;
    }
    let action = if before.is_some() { "bewerkt" } else { "aangemaakt" };
    crate::audit::record(&transaction, actor, action, "bijeenkomst", &saved.slug, saved.title.clone()).await?;
    transaction.commit().await?;
    Ok(saved)
}

/// Creates the demo events whose slugs are new; `serve --demo` calls it without an account.
pub async fn create_demo(db: &DatabaseConnection, inputs: Vec<EventInput>) -> Result<(), EditError> {
    let transaction = db::begin_write(db).await?;
    for input in inputs {
        if find(&transaction, &input.slug).await?.is_some() {
            continue;
        }
        let times = input.validate().map_err(EditError::Invalid)?;
        let organisation_id = organisation_id(&transaction, &input).await?;
        write(&transaction, None, input, &times, organisation_id).await?;
    }
    transaction.commit().await?;
    Ok(())
}

async fn organisation_id(db: &impl ConnectionTrait, input: &EventInput) -> Result<Option<i32>, EditError> {
    match input.organisation.as_deref().filter(|slug| !slug.is_empty()) {
        Some(slug) => Ok(Some(
            crate::organisations::find_by_slug(db, slug)
                .await?
                .ok_or_else(|| EditError::field("organisation", format!("Onbekende organisatie '{slug}'.")))?
                .id,
        )),
        None => Ok(None),
    }
}

/// Stores a new event (`before` None) or the changes to one, with its programme and its
/// search outbox record.
async fn write(
    db: &impl ConnectionTrait,
    before: Option<&event::Model>,
    mut input: EventInput,
    times: &Times,
    organisation_id: Option<i32>,
) -> Result<event::Model, EditError> {
    let now = Utc::now().trunc_subsecs(0);
    let mut model = match before {
        Some(found) => {
            if input.capacity < found.confirmed {
                return Err(EditError::field(
                    "capacity",
                    format!("Er zijn al {} bevestigde aanmeldingen; minder plaatsen kan niet.", found.confirmed),
                ));
            }
            input.slug = found.slug.clone();
            event::ActiveModel::from(found.clone())
        }
        None => {
            if input.slug.is_empty() {
                input.slug = free_slug::<event::Entity>(db, event::Column::Slug, &input.title, "bijeenkomst").await?;
            } else if find(db, &input.slug).await?.is_some() {
                return Err(EditError::field("slug", "Er is al een bijeenkomst met deze korte naam."));
            }
            event::ActiveModel {
                created_at: Set(now),
                confirmed: Set(0),
                cancelled_at: Set(None),
                ..Default::default()
            }
        }
    };
    model.slug = Set(input.slug.clone());
    model.title = Set(input.title.trim().to_string());
    model.kind = Set(input.kind.clone());
    model.description = Set(input.description.clone());
    model.starts_at = Set(times.starts_at);
    model.ends_at = Set(times.ends_at);
    model.location = Set(input.location.trim().to_string());
    model.address = Set(input.address.trim().to_string());
    model.online_url = Set(input.online_url.clone().filter(|url| !url.trim().is_empty()));
    model.organisation_id = Set(organisation_id);
    model.members_only = Set(input.members_only);
    model.capacity = Set(input.capacity);
    model.registration_opens_at = Set(times.opens_at);
    model.registration_closes_at = Set(times.closes_at);
    model.updated_at = Set(now);
    model.sequence = Set(before.map_or(0, |found| found.sequence + 1));
    let saved = match before {
        Some(_) => model.update(db).await?,
        None => model.insert(db).await?,
    };
    save_programme(db, &saved, &input.programme, &times.programme, before.is_some()).await?;
    crate::outbox::record_changes(db, ItemKind::Event, &[saved.id]).await?;
    Ok(saved)
}

fn moved(before: &event::Model, after: &event::Model) -> bool {
    before.starts_at != after.starts_at
        || before.ends_at != after.ends_at
        || before.location != after.location
        || before.address != after.address
        || before.online_url != after.online_url
}

/// Saves the programme. Items that stay the same apart from the day (the event moved) keep
/// their rows, so the workshops people chose stay chosen. Once people have registered, the
/// programme itself is fixed: their choices and the places taken hang on its items.
async fn save_programme(
    db: &impl ConnectionTrait,
    event: &event::Model,
    items: &[ProgrammeInput],
    times: &[(DateTime<Utc>, DateTime<Utc>)],
    existed: bool,
) -> Result<(), EditError> {
    let current = programme(db, event.id).await?;
    let clock = |time: DateTime<Utc>| time.with_timezone(&Amsterdam).format("%H:%M").to_string();
    let same_items = current.len() == items.len()
        && current.iter().zip(items).all(|(row, item)| {
            row.title == item.title.trim()
                && clock(row.starts_at) == item.starts.trim()
                && clock(row.ends_at) == item.ends.trim()
                && (row.kind == "workshop") == item.workshop
                && row.capacity == item.capacity.filter(|_| item.workshop)
        });
    if same_items {
        for (row, (starts, ends)) in current.into_iter().zip(times) {
            if row.starts_at != *starts || row.ends_at != *ends {
                let mut row = programme_item::ActiveModel::from(row);
                row.starts_at = Set(*starts);
                row.ends_at = Set(*ends);
                row.update(db).await?;
            }
        }
        return Ok(());
    }
    if existed && registration::has_live_registrations(db, event.id).await? {
        return Err(EditError::field(
            "programme",
            "Er zijn al aanmeldingen: het programma kan niet meer veranderen. Pas alleen de andere gegevens aan.",
        ));
    }
    programme_item::Entity::delete_many().filter(programme_item::Column::EventId.eq(event.id)).exec(db).await?;
    let rows: Vec<programme_item::ActiveModel> = items
        .iter()
        .zip(times)
        .map(|(item, (starts, ends))| programme_item::ActiveModel {
            event_id: Set(event.id),
            starts_at: Set(*starts),
            ends_at: Set(*ends),
            title: Set(item.title.trim().to_string()),
            kind: Set(if item.workshop { "workshop" } else { "plenair" }.into()),
            capacity: Set(item.capacity.filter(|_| item.workshop)),
            confirmed: Set(0),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        programme_item::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Calls the event off: everyone registered is told, and no one can register any more.
pub async fn cancel_as(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    slug: &str,
) -> Result<(), EditError> {
    let transaction = db::begin_write(db).await?;
    let found = find_organised(&transaction, actor, slug).await?;
    let found = registration::lock_event(&transaction, found.id).await?;
    if found.cancelled_at.is_some() {
        return Ok(());
    }
    let sequence = found.sequence + 1;
    let mut model = event::ActiveModel::from(found);
    model.cancelled_at = Set(Some(Utc::now()));
    model.sequence = Set(sequence);
    let saved = model.update(&transaction).await?;
    registration::notify_change(&transaction, mail, &saved, registration::Change::Cancelled).await?;
    crate::outbox::record_changes(&transaction, ItemKind::Event, &[saved.id]).await?;
    crate::audit::record(&transaction, actor, "afgelast", "bijeenkomst", &saved.slug, saved.title.clone()).await?;
    transaction.commit().await?;
    Ok(())
}

/// The programme in time order.
pub async fn programme(db: &impl ConnectionTrait, event_id: i32) -> Result<Vec<programme_item::Model>, DbErr> {
    programme_item::Entity::find()
        .filter(programme_item::Column::EventId.eq(event_id))
        .order_by_asc(programme_item::Column::StartsAt)
        .order_by_asc(programme_item::Column::Id)
        .all(db)
        .await
}

/// An event in a list or on its page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub url: String,
    /// Dutch time, for people: "dinsdag 10 maart 2026, 13:30–16:30".
    pub when: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub address: String,
    pub online_url: Option<String>,
    pub organisation: Option<String>,
    pub members_only: bool,
    pub capacity: i32,
    pub places_left: i32,
    pub status: EventStatus,
    pub status_label: String,
    pub registration_open: bool,
}

impl EventView {
    pub fn new(event: &event::Model, organisation: Option<&organisation::Model>, now: DateTime<Utc>) -> EventView {
        let status = EventStatus::of(event, now);
        EventView {
            slug: event.slug.clone(),
            title: event.title.clone(),
            kind: event.kind.clone(),
            kind_label: EventKind::label_of(&event.kind),
            url: format!("/agenda/{}", event.slug),
            when: when(event.starts_at, event.ends_at),
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            location: event.location.clone(),
            address: event.address.clone(),
            online_url: event.online_url.clone(),
            organisation: organisation.map(|organisation| organisation.name.clone()),
            members_only: event.members_only,
            capacity: event.capacity,
            places_left: (event.capacity - event.confirmed).max(0),
            status,
            status_label: status.label().to_string(),
            registration_open: registration::window_state(event, now) == registration::Window::Open,
        }
    }
}

/// "dinsdag 10 maart 2026, 13:30–16:30" (Dutch time); the end date too when it differs.
pub fn when(starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let (starts, ends) = (starts.with_timezone(&Amsterdam), ends.with_timezone(&Amsterdam));
    let day = |time: &chrono::DateTime<chrono_tz::Tz>| crate::templates::dutch_day(time.date_naive());
    if starts.date_naive() == ends.date_naive() {
        format!("{}, {}–{}", day(&starts), starts.format("%H:%M"), ends.format("%H:%M"))
    } else {
        format!("{} {} – {} {}", day(&starts), starts.format("%H:%M"), day(&ends), ends.format("%H:%M"))
    }
}

/// Upcoming (not yet ended, soonest first) or past (latest first) events; members-only
/// events only for members.
pub async fn list(
    db: &impl ConnectionTrait,
    upcoming: bool,
    member: bool,
    page: PageRequest,
) -> Result<Page<EventView>, DbErr> {
    let now = Utc::now();
    let mut query = event::Entity::find();
    query = if upcoming {
        query.filter(event::Column::EndsAt.gte(now)).order_by_asc(event::Column::StartsAt)
    } else {
        query.filter(event::Column::EndsAt.lt(now)).order_by_desc(event::Column::StartsAt)
    };
    if !member {
        query = query.filter(event::Column::MembersOnly.eq(false));
    }
    let paginator = query.paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    // The page's organisers in one query, not one per event.
    let organisations: std::collections::HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().filter_map(|row| row.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|organisation| (organisation.id, organisation))
        .collect();
    let items = rows
        .iter()
        .map(|row| EventView::new(row, row.organisation_id.and_then(|id| organisations.get(&id)), now))
        .collect();
    Ok(Page::new(items, total, page))
}

pub async fn organisation_of(
    db: &impl ConnectionTrait,
    event: &event::Model,
) -> Result<Option<organisation::Model>, DbErr> {
    match event.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await,
        None => Ok(None),
    }
}

/// Every public event, for the iCalendar feed: from a year ago on.
pub async fn public_for_feed(db: &impl ConnectionTrait) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::MembersOnly.eq(false))
        .filter(event::Column::EndsAt.gte(Utc::now() - chrono::Duration::days(365)))
        .order_by_asc(event::Column::StartsAt)
        .all(db)
        .await
}

/// A programme item with the places left, for the event page and the registration form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    pub id: i32,
    pub title: String,
    /// "13:30–14:30", Dutch time.
    pub time: String,
    pub workshop: bool,
    pub capacity: Option<i32>,
    pub places_left: Option<i32>,
}

/// The programme grouped by time slot (items starting at the same time).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub time: String,
    pub items: Vec<ProgrammeView>,
    /// Whether people choose one workshop in this slot.
    pub choose: bool,
    pub field: String,
}

pub fn slots(items: &[programme_item::Model]) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::new();
    let mut starts_of_last = None;
    for item in items {
        let time = format!(
            "{}–{}",
            item.starts_at.with_timezone(&Amsterdam).format("%H:%M"),
            item.ends_at.with_timezone(&Amsterdam).format("%H:%M")
        );
        let view = ProgrammeView {
            id: item.id,
            title: item.title.clone(),
            time: time.clone(),
            workshop: item.kind == "workshop",
            capacity: item.capacity,
            places_left: item.capacity.map(|capacity| (capacity - item.confirmed).max(0)),
        };
        match slots.last_mut() {
            Some(slot) if starts_of_last == Some(item.starts_at) => {
                slot.choose |= view.workshop;
                slot.items.push(view);
            }
            _ => {
                starts_of_last = Some(item.starts_at);
                let field = format!("slot_{}", item.starts_at.timestamp());
                slots.push(Slot { time, choose: view.workshop, items: vec![view], field });
            }
        }
    }
    slots
}

/// The event as a search item (`kind=event`).
pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = event::Entity::find().filter(event::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    to_index_items(db, rows).await
}

/// Events after `after` (by id), `limit` at a time, for a rebuild; with the last id seen.
pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    use sea_orm::QuerySelect;
    let rows = event::Entity::find()
        .filter(event::Column::Id.gt(after))
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = rows.last().map(|row| row.id);
    Ok((to_index_items(db, rows).await?, last))
}

async fn to_index_items(db: &impl ConnectionTrait, rows: Vec<event::Model>) -> Result<Vec<IndexItem>, DbErr> {
    let mut items = Vec::new();
    // Members-only events stay out of the public search.
    for row in rows.into_iter().filter(|row| !row.members_only) {
        let organisation = organisation_of(db, &row).await?;
        let programme: Vec<String> = programme(db, row.id).await?.into_iter().map(|item| item.title).collect();
        items.push(IndexItem {
            kind: ItemKind::Event,
            id: row.id,
            slug: row.slug.clone(),
            title: row.title.clone(),
            summary: format!(
                "{} · {} · {}",
                EventKind::label_of(&row.kind),
                when(row.starts_at, row.ends_at),
                row.location
            ),
            body: format!("{}\n\n{}", markdown::to_plain_text(&row.description), programme.join("\n")),
            province: organisation.as_ref().and_then(|organisation| organisation.province.clone()),
            organisation: organisation.map(|organisation| OrganisationRef {
                slug: organisation.slug,
                name: organisation.name,
                kind: organisation.kind,
            }),
            themes: Vec::new(),
            advices: Vec::new(),
            age_groups: Vec::new(),
            keywords: format!("{} {} {}", EventKind::label_of(&row.kind), row.location, row.address),
            // Published when created: the search leaves out items dated in the future.
            date: row.created_at,
            shown_date: row.starts_at,
            place: venue(&row),
            audiences: Audience::ALL.to_vec(),
            expertise_kind: None,
        });
    }
    Ok(items)
}

/// Where the event takes place, as a search hit shows it: the location, else "Online".
fn venue(event: &event::Model) -> Option<String> {
    match event.location.trim() {
        "" => event.online_url.as_ref().map(|_| "Online".to_string()),
        location => Some(location.to_string()),
    }
}

/// The event as its form shows it again.
pub async fn input_of(db: &impl ConnectionTrait, event: &event::Model) -> Result<EventInput, DbErr> {
    let organisation = organisation_of(db, event).await?;
    let time = |time: DateTime<Utc>| time.with_timezone(&Amsterdam).format("%H:%M").to_string();
    let programme = programme(db, event.id)
        .await?
        .into_iter()
        .map(|item| ProgrammeInput {
            starts: time(item.starts_at),
            ends: time(item.ends_at),
            title: item.title,
            workshop: item.kind == "workshop",
            capacity: item.capacity,
        })
        .collect();
    Ok(EventInput {
        slug: event.slug.clone(),
        title: event.title.clone(),
        kind: event.kind.clone(),
        description: event.description.clone(),
        starts_at: local_input(event.starts_at),
        ends_at: local_input(event.ends_at),
        location: event.location.clone(),
        address: event.address.clone(),
        online_url: event.online_url.clone(),
        organisation: organisation.map(|organisation| organisation.slug),
        members_only: event.members_only,
        capacity: event.capacity,
        registration_opens_at: event.registration_opens_at.map(local_input),
        registration_closes_at: event.registration_closes_at.map(local_input),
        programme,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dutch_time::parse_local;

    #[test]
    fn programme_lines_round_trip() {
        let text = "13:30-14:00 | Opening\n\n14:00–15:00 | Dokwerk | 20\n14:00-15:00 | GIRFEC | 25";
        let items = ProgrammeInput::parse_lines(text).unwrap();
        assert_eq!(items.len(), 3);
        assert!(!items[0].workshop);
        assert_eq!((items[1].workshop, items[1].capacity, items[1].ends.as_str()), (true, Some(20), "15:00"));
        assert_eq!(ProgrammeInput::parse_lines(&ProgrammeInput::to_lines(&items)).unwrap(), items);
        assert!(ProgrammeInput::parse_lines("14:00 Dokwerk").unwrap_err().starts_with("Regel 1"));
        assert!(ProgrammeInput::parse_lines("14:00-15:00 | Dokwerk | veel").is_err());
    }

    #[test]
    fn times_read_as_people_write_them() {
        let starts = parse_local("2027-02-09T13:30").unwrap();
        assert_eq!(when(starts, starts + chrono::Duration::hours(3)), "dinsdag 9 februari 2027, 13:30–16:30");
    }
}
