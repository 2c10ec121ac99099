//! `/api/v1/events`: the agenda, and registering for an event.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::events::registration::{Outcome, Registrar, RegistrationInput};
use crate::events::{self, EventInput, EventView, Slot};
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;

/// Which part of the agenda; the page parameters come separately as [`PageParams`].
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgendaParams {
    /// `true` for past events (latest first); upcoming ones (soonest first) otherwise.
    #[serde(default)]
    pub past: bool,
}

/// Upcoming or past events; members-only events for members.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    params(AgendaParams, PageParams),
    responses((status = 200, body = crate::pagination::Page<crate::events::EventView>), (status = 400, body = crate::routes::errors::ErrorBody)),
    security((), ("bearer" = []))
)]
#[get("/events")]
pub async fn list(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    agenda: web::Query<AgendaParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&page, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(events::list(&state.db, !agenda.past, viewer.0.is_some(), page).await?))
}

/// An event with its programme and the places left.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventDetail {
    pub event: EventView,
    pub description: String,
    pub programme: Vec<Slot>,
}

/// One event.
#[utoipa::path(
    get,
    path = "/api/v1/events/{slug}",
    params(("slug" = String, Path, description = "The event's slug")),
    responses((status = 200, body = EventDetail), (status = 404, body = crate::routes::errors::ErrorBody)),
    security((), ("bearer" = []))
)]
#[get("/events/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = events::find(&state.db, &slug)
        .await?
        .filter(|event| !event.members_only || viewer.0.is_some())
        .ok_or_else(|| RouteError::NotFound(format!("Bijeenkomst '{slug}' bestaat niet.")))?;
    let organisation = events::organisation_of(&state.db, &found).await?;
    let programme = events::slots(&events::programme(&state.db, found.id).await?);
    Ok(HttpResponse::Ok().json(EventDetail {
        event: EventView::new(&found, organisation.as_ref(), Utc::now()),
        description: found.description,
        programme,
    }))
}

/// Creates an event; beheerders, or redacteuren for their own organisation.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    request_body = crate::events::EventInput,
    responses(
        (status = 201, body = crate::events::EventView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/events")]
pub async fn create(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<EventInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let saved = events::save_as(&state.db, &state.mail, &actor, None, input.into_inner()).await?;
    let organisation = events::organisation_of(&state.db, &saved).await?;
    Ok(HttpResponse::Created().json(EventView::new(&saved, organisation.as_ref(), Utc::now())))
}

/// Registers for an event. Without a token the registration counts once the link in the
/// confirmation mail is used (`status: unconfirmed`); with a member's token at once. When
/// the event or a chosen workshop is full, the registration joins the waitlist.
#[utoipa::path(
    post,
    path = "/api/v1/events/{slug}/registrations",
    params(("slug" = String, Path, description = "The event's slug")),
    request_body = crate::events::registration::RegistrationInput,
    responses(
        (status = 201, body = crate::events::registration::Outcome),
        (status = 404, body = crate::routes::errors::ErrorBody),
        (status = 409, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
        (status = 429, description = "Too many registrations from this client or for this address", body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[post("/events/{slug}/registrations")]
pub async fn register(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
    input: web::Json<RegistrationInput>,
) -> Result<HttpResponse, ApiError> {
    if viewer.0.is_none() {
        rate_limit::check_registration(&state.limits, &request, &input.email)?;
    }
    let outcome: Outcome = registrar(&state).register(&slug, input.into_inner(), viewer.0.as_ref()).await?;
    Ok(HttpResponse::Created().json(outcome))
}

pub fn registrar(state: &AppState) -> Registrar<'_> {
    Registrar { db: &state.db, mail: &state.mail, confirm_hours: state.config.confirm_hours }
}
