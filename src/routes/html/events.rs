//! The agenda: event pages, registering, the links in registration mails, and the
//! organiser's list of registrations (with CSV export, attendance and a message to all).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::{form_again, form_page, page, see_other_with, Notice};
use crate::actor::Actor;
use crate::events::registration::{self, Outcome, RegistrationError, RegistrationInput};
use crate::events::{self, calendar, export, EventInput, EventView};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::routes::api::events::registrar;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;

const PER_PAGE: u64 = 20;

#[derive(Deserialize)]
pub struct AgendaQuery {
    periode: Option<String>,
    page: Option<String>,
}

#[get("/agenda")]
pub async fn agenda(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<AgendaQuery>,
) -> Result<HttpResponse, PageError> {
    let past = query.periode.as_deref() == Some("voorbij");
    let request = PageRequest::parse(&PageParams { page: query.page.clone(), per_page: None }, PER_PAGE)?;
    let found = events::list(&state.db, !past, viewer.0.is_some(), request).await?;
    let periode = if past { "voorbij" } else { "komend" };
    let pages = PageLinks::new(request.page, request.per_page, found.total, |page| {
        format!("/agenda?periode={periode}&page={page}")
    });
    let can_organise = viewer.0.as_ref().is_some_and(events::can_organise_some);
    page(
        "events/list",
        &viewer,
        serde_json::json!({
            "page_title": if past { "Agenda: voorbije bijeenkomsten" } else { "Agenda" },
            "past": past, "items": found.items, "pages": pages, "can_organise": can_organise,
        }),
    )
}

/// All public events as an iCalendar feed to subscribe to.
#[get("/agenda.ics")]
pub async fn feed(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let rows = events::public_for_feed(&state.db).await?;
    let with_links: Vec<_> = rows
        .into_iter()
        .map(|event| {
            let link = state.mail.link(&format!("/agenda/{}", event.slug));
            (event, link)
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Content-Disposition", "inline; filename=\"oogst-agenda.ics\""))
        .body(calendar::feed(&with_links, &state.mail)))
}

async fn event_page_data(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<(entity::event::Model, serde_json::Value), PageError> {
    let not_found = || RouteError::NotFound("Deze bijeenkomst bestaat niet.".into());
    let found = events::find(&state.db, slug).await?.ok_or_else(not_found)?;
    if found.members_only && viewer.0.is_none() {
        return Err(RouteError::Unauthorized("Deze bijeenkomst is alleen voor leden: log eerst in.".into()).into());
    }
    let organisation = events::organisation_of(&state.db, &found).await?;
    let view = EventView::new(&found, organisation.as_ref(), Utc::now());
    let slots = events::slots(&events::programme(&state.db, found.id).await?);
    let organises = viewer.0.as_ref().is_some_and(|actor| events::is_organiser(actor, &found));
    let data = serde_json::json!({
        "page_title": found.title,
        "description_html": crate::markdown::to_safe_html(&found.description),
        "event": view,
        "slots": slots,
        "choose": slots.iter().any(|slot| slot.choose),
        "organises": organises,
        "attachments": crate::documents::attached_to(&state.db, viewer.0.as_ref(), crate::documents::AttachedTo::Event(found.id)).await?,
        "input": RegistrationInput::default(),
    });
    Ok((found, data))
}

#[get("/agenda/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (_, data) = event_page_data(&state, &viewer, &slug).await?;
    form_page(&request, &state, "events/show", &viewer, data)
}

/// The registration form's fields; a workshop is chosen per time slot (`slot_…` fields).
fn parse_registration(body: &[u8]) -> Result<(RegistrationInput, String), RouteError> {
    let pairs = super::form_fields(body)?;
    let mut input = RegistrationInput::default();
    let mut csrf = String::new();
    for (key, value) in pairs {
        match key.as_str() {
            "name" => input.name = value,
            "email" => input.email = value,
            "organisation" => input.organisation = value,
            "role" => input.role = value,
            "remarks" => input.remarks = value,
            "csrf" => csrf = value,
            slot if slot.starts_with("slot_") => match value.parse() {
                Ok(item) => input.choices.push(item),
                Err(_) => return Err(RouteError::BadRequest("Kies een workshop uit de lijst.".into())),
            },
            _ => {}
        }
    }
    Ok((input, csrf))
}

#[post("/agenda/{slug}/aanmelden")]
pub async fn register(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (input, csrf) = parse_registration(&body)?;
    state.csrf.verify(&request, &csrf)?;
    if viewer.0.is_none() {
        rate_limit::check_registration(&state.limits, &request, &input.email)?;
    }
    match registrar(&state).register(&slug, input.clone(), viewer.0.as_ref()).await {
        Ok(outcome) => outcome_page(&viewer, &slug, &outcome),
        Err(RegistrationError::Invalid(errors)) => {
            let (_, mut data) = event_page_data(&state, &viewer, &slug).await?;
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            data["input"] = serde_json::to_value(&input).unwrap_or_default();
            form_again(&request, &state, "events/show", &viewer, data)
        }
        Err(other) => Err(other.into()),
    }
}

fn outcome_page(viewer: &Viewer, slug: &str, outcome: &Outcome) -> Result<HttpResponse, PageError> {
    let (title, text) = match outcome {
        Outcome::Unconfirmed => (
            "Bijna klaar: bevestig uw aanmelding",
            "We hebben u een e-mail gestuurd. Klik op de link in die mail om uw aanmelding te bevestigen; \
             pas daarna telt zij mee."
                .to_string(),
        ),
        Outcome::Confirmed => (
            "U bent aangemeld",
            "Uw plaats is gereserveerd. U krijgt een bevestiging met een uitnodiging voor uw agenda per e-mail."
                .to_string(),
        ),
        Outcome::Waitlisted { position } => (
            "U staat op de wachtlijst",
            format!(
                "De bijeenkomst (of uw workshop) is vol. U staat op plaats {position} van de wachtlijst. Komt er een \
                 plaats vrij, dan schuift u vanzelf door en krijgt u bericht."
            ),
        ),
    };
    page(
        "events/message",
        viewer,
        serde_json::json!({ "page_title": title, "message": text, "back": format!("/agenda/{slug}") }),
    )
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// A link from a mail opens a page with one button: mail scanners that open links must not
/// confirm or cancel on someone's behalf.
struct LinkPage {
    title: &'static str,
    action: String,
    message: String,
}

impl LinkPage {
    fn render(self, request: &HttpRequest, state: &AppState, viewer: &Viewer) -> Result<HttpResponse, PageError> {
        let data = serde_json::json!({
            "page_title": self.title, "action": self.action, "message": self.message, "button": self.title,
        });
        form_page(request, state, "events/link", viewer, data)
    }
}

#[get("/aanmelding/bevestigen/{token}")]
pub async fn confirm_form(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let link = LinkPage {
        title: "Aanmelding bevestigen",
        action: format!("/aanmelding/bevestigen/{token}"),
        message: "Bevestig hieronder uw aanmelding.".into(),
    };
    link.render(&request, &state, &viewer)
}

#[post("/aanmelding/bevestigen/{token}")]
pub async fn confirm(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let (event, outcome) = registrar(&state).confirm(&token).await?;
    outcome_page(&viewer, &event.slug, &outcome)
}

#[get("/aanmelding/annuleren/{token}")]
pub async fn cancel_form(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (event, row) = registrar(&state).peek_cancel(&token).await?;
    let when = events::when(event.starts_at, event.ends_at);
    let link = LinkPage {
        title: "Afmelden",
        action: format!("/aanmelding/annuleren/{token}"),
        message: format!("Wilt u {} afmelden voor '{}' ({when})?", row.name, event.title),
    };
    link.render(&request, &state, &viewer)
}

#[post("/aanmelding/annuleren/{token}")]
pub async fn cancel(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let event = registrar(&state).cancel(&token).await?;
    page(
        "events/message",
        &viewer,
        serde_json::json!({
            "page_title": "U bent afgemeld",
            "message": format!("U bent afgemeld voor '{}'. Jammer dat u niet kunt komen.", event.title),
            "back": format!("/agenda/{}", event.slug),
        }),
    )
}

async fn organised(state: &AppState, viewer: Viewer, slug: &str) -> Result<(Actor, entity::event::Model), PageError> {
    let actor = viewer.required()?;
    let event = events::find_organised(&state.db, &actor, slug).await?;
    Ok((actor, event))
}

#[get("/agenda/{slug}/aanmeldingen")]
pub async fn registrations(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (actor, event) = organised(&state, viewer, &slug).await?;
    let participants = registration::participants(&state.db, event.id).await?;
    let slots = events::slots(&events::programme(&state.db, event.id).await?);
    let organisation = events::organisation_of(&state.db, &event).await?;
    let count = |status: &str| participants.iter().filter(|participant| participant.status == status).count();
    let data = serde_json::json!({
        "page_title": format!("Aanmeldingen: {}", event.title),
        "event": EventView::new(&event, organisation.as_ref(), Utc::now()),
        "participants": participants,
        "slots": slots,
        "confirmed": count(registration::CONFIRMED),
        "waitlisted": count(registration::WAITLISTED),
        "unconfirmed": count(registration::UNCONFIRMED),
    });
    form_page(&request, &state, "events/registrations", &Viewer(Some(actor)), data)
}

#[get("/agenda/{slug}/aanmeldingen.csv")]
pub async fn registrations_csv(
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (_, event) = organised(&state, viewer, &slug).await?;
    let participants = registration::participants(&state.db, event.id).await?;
    let bytes = export::participants_csv(&participants).map_err(|error| RouteError::Internal(error.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"aanmeldingen-{}.csv\"", event.slug)))
        .body(bytes))
}

#[post("/agenda/{slug}/aanwezigheid")]
pub async fn attendance(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let pairs = super::form_fields(&body)?;
    let csrf = pairs.iter().find(|(key, _)| key == "csrf").map(|(_, value)| value.as_str()).unwrap_or_default();
    state.csrf.verify(&request, csrf)?;
    let (_, event) = organised(&state, viewer, &slug).await?;
    let present: Vec<i32> =
        pairs.iter().filter(|(key, _)| key == "aanwezig").filter_map(|(_, value)| value.parse().ok()).collect();
    registration::set_attendance(&state.db, event.id, &present).await?;
    Ok(see_other_with(&format!("/agenda/{}/aanmeldingen", event.slug), Notice::AttendanceSaved))
}

#[derive(Deserialize)]
pub struct MessageForm {
    csrf: String,
    subject: String,
    message: String,
}

#[post("/agenda/{slug}/bericht")]
pub async fn message_all(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let (_, event) = organised(&state, viewer, &slug).await?;
    if form.subject.trim().is_empty() || form.message.trim().is_empty() {
        return Err(RouteError::BadRequest("Vul een onderwerp en een bericht in.".into()).into());
    }
    registration::mail_participants(&state.db, &state.mail, &event, form.subject.trim(), form.message.trim()).await?;
    Ok(see_other_with(&format!("/agenda/{}/aanmeldingen", event.slug), Notice::MessageQueued))
}

/// The organisations `actor` may organise for: all for beheerders, their own for redacteuren.
async fn organisation_options(
    state: &AppState,
    actor: &Actor,
    chosen: Option<&str>,
) -> Result<Vec<serde_json::Value>, PageError> {
    use sea_orm::{EntityTrait, QueryOrder};
    let all = entity::organisation::Entity::find()
        .order_by_asc(entity::organisation::Column::Name)
        .all(&state.db)
        .await
        .map_err(RouteError::from)?;
    Ok(all
        .into_iter()
        .filter(|organisation| crate::actor::policy::can_edit_practices_of(actor, organisation.id))
        .map(|organisation| {
            serde_json::json!({
                "slug": organisation.slug, "name": organisation.name,
                "selected": chosen == Some(organisation.slug.as_str()),
            })
        })
        .collect())
}

async fn event_form_data(
    state: &AppState,
    actor: &Actor,
    input: &EventInput,
    existing: Option<&str>,
) -> Result<serde_json::Value, PageError> {
    use crate::vocabulary::Vocabulary;
    let kinds: Vec<_> = <events::EventKind as strum::IntoEnumIterator>::iter()
        .map(|kind| serde_json::json!({"slug": kind.slug(), "name": kind.label(), "selected": input.kind == kind.slug()}))
        .collect();
    Ok(serde_json::json!({
        "page_title": if existing.is_some() { "Bijeenkomst bewerken" } else { "Nieuwe bijeenkomst" },
        "action": existing.map(|slug| format!("/agenda/{slug}/bewerken")).unwrap_or_else(|| "/agenda/nieuw".into()),
        "existing": existing,
        "input": input,
        "kinds": kinds,
        "organisations": organisation_options(state, actor, input.organisation.as_deref()).await?,
        "may_go_without_organisation": crate::actor::policy::can_manage_network(actor),
        "programme_text": events::ProgrammeInput::to_lines(&input.programme),
    }))
}

#[get("/agenda/nieuw")]
pub async fn new_form(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(events::can_organise_some)?;
    let input = EventInput { kind: "werksessie".into(), capacity: 40, ..Default::default() };
    let data = event_form_data(&state, &actor, &input, None).await?;
    form_page(&request, &state, "events/form", &Viewer(Some(actor)), data)
}

#[get("/agenda/{slug}/bewerken")]
pub async fn edit_form(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (actor, event) = organised(&state, viewer, &slug).await?;
    let input = events::input_of(&state.db, &event).await?;
    let data = event_form_data(&state, &actor, &input, Some(&event.slug)).await?;
    form_page(&request, &state, "events/form", &Viewer(Some(actor)), data)
}

/// The event form as posted: the programme comes as lines of text.
struct PostedEvent {
    input: EventInput,
    csrf: String,
    /// The programme's lines as typed, shown again as they were.
    programme_text: String,
    /// A programme line that could not be read.
    programme: Result<(), String>,
    /// Only show the description rendered, save nothing.
    preview: bool,
}

fn parse_event_form(body: &[u8]) -> Result<PostedEvent, RouteError> {
    let pairs = super::form_fields(body)?;
    let mut input = EventInput::default();
    let (mut csrf, mut programme_text, mut programme, mut preview) = (String::new(), String::new(), Ok(()), false);
    let optional = |value: String| Some(value).filter(|value| !value.trim().is_empty());
    for (key, value) in pairs {
        match key.as_str() {
            "title" => input.title = value,
            "kind" => input.kind = value,
            "description" => input.description = value,
            "starts_at" => input.starts_at = value,
            "ends_at" => input.ends_at = value,
            "location" => input.location = value,
            "address" => input.address = value,
            "online_url" => input.online_url = optional(value),
            "organisation" => input.organisation = optional(value),
            "members_only" => input.members_only = true,
            "capacity" => input.capacity = value.trim().parse().unwrap_or(0),
            "registration_opens_at" => input.registration_opens_at = optional(value),
            "registration_closes_at" => input.registration_closes_at = optional(value),
            "programme" => {
                match events::ProgrammeInput::parse_lines(&value) {
                    Ok(items) => input.programme = items,
                    Err(message) => programme = Err(message),
                }
                programme_text = value;
            }
            "csrf" => csrf = value,
            "action" => preview = value == "voorbeeld",
            _ => {}
        }
    }
    Ok(PostedEvent { input, csrf, programme_text, programme, preview })
}

#[post("/agenda/nieuw")]
pub async fn create(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(events::can_organise_some)?;
    save_event(&request, &state, actor, None, &body).await
}

#[post("/agenda/{slug}/bewerken")]
pub async fn update(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(events::can_organise_some)?;
    save_event(&request, &state, actor, Some(&slug), &body).await
}

async fn save_event(
    request: &HttpRequest,
    state: &AppState,
    actor: Actor,
    existing: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse, PageError> {
    let posted = parse_event_form(body)?;
    state.csrf.verify(request, &posted.csrf)?;
    if posted.preview {
        let mut data = posted_form_data(state, &actor, &posted, existing).await?;
        data["preview"] = serde_json::json!(crate::markdown::to_safe_html(&posted.input.description));
        return form_page(request, state, "events/form", &Viewer(Some(actor)), data);
    }
    let outcome = match &posted.programme {
        Ok(()) => events::save_as(&state.db, &state.mail, &actor, existing, posted.input.clone()).await,
        Err(message) => Err(crate::validation::EditError::field("programme", message.clone())),
    };
    match outcome {
        Ok(saved) => Ok(see_other_with(&format!("/agenda/{}", saved.slug), Notice::EventSaved)),
        Err(crate::validation::EditError::Invalid(errors)) => {
            let mut data = posted_form_data(state, &actor, &posted, existing).await?;
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(request, state, "events/form", &Viewer(Some(actor)), data)
        }
        Err(other) => Err(other.into()),
    }
}

/// The form filled in as it was posted, the programme's lines exactly as typed.
async fn posted_form_data(
    state: &AppState,
    actor: &Actor,
    posted: &PostedEvent,
    existing: Option<&str>,
) -> Result<serde_json::Value, PageError> {
    let mut data = event_form_data(state, actor, &posted.input, existing).await?;
    data["programme_text"] = serde_json::json!(posted.programme_text);
    Ok(data)
}

#[post("/agenda/{slug}/afgelasten")]
pub async fn call_off(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let actor = viewer.allowed(events::can_organise_some)?;
    events::cancel_as(&state.db, &state.mail, &actor, &slug).await?;
    Ok(see_other_with(&format!("/agenda/{slug}"), Notice::EventCalledOff))
}
