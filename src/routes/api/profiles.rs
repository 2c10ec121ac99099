//! `/api/v1/me/profile` (one's own profile), `/api/v1/people` (the member directory) and
//! `/api/v1/people/{slug}/contact` (a message relayed to a member).
//! What a viewer gets is decided by `profiles::ProfileView::for_viewer`, nowhere here.

use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::contact::{self, ContactInput};
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::profiles::{self, DirectoryFilter, OwnProfile, ProfileInput, ViewerLevel};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::AppState;

/// Your own profile: `profile` holds what you write, with the visibility of each field in
/// `profile.visibility`; send it back changed with a PUT.
#[utoipa::path(
    get,
    path = "/api/v1/me/profile",
    responses(
        (status = 200, body = crate::profiles::OwnProfile),
        (status = 401, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/me/profile")]
pub async fn own(state: web::Data<AppState>, viewer: ApiViewer) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let stored = profiles::own(&state.db, &actor).await?;
    Ok(HttpResponse::Ok().json(OwnProfile::of(&stored)))
}

/// Replaces your own profile with the document (the `profile` of a GET): a list left out
/// becomes empty, a visibility left out `members`. `listed` is your consent to appear in the directory; its time is kept.
#[utoipa::path(
    put,
    path = "/api/v1/me/profile",
    request_body = crate::profiles::ProfileInput,
    responses(
        (status = 200, body = crate::profiles::OwnProfile),
        (status = 400, body = crate::routes::errors::ErrorBody),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/me/profile")]
pub async fn update_own(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let saved = profiles::save_own(&state.db, &actor, &input).await?;
    Ok(HttpResponse::Ok().json(OwnProfile::of(&saved)))
}

/// The directory's filters; a filter only finds people by a field the viewer may see.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// One of the twelve provinces.
    pub province: Option<String>,
    /// praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere.
    pub expertise_kind: Option<String>,
}

impl DirectoryParams {
    pub fn filter(&self) -> Result<DirectoryFilter, RouteError> {
        DirectoryFilter::parse(self.province.as_deref(), self.expertise_kind.as_deref()).map_err(RouteError::Invalid)
    }
}

/// Members in the directory, by name, each with only the fields you may see; signed in you
/// see more, the programme office sees everyone.
#[utoipa::path(
    get,
    path = "/api/v1/people",
    params(PageParams, DirectoryParams),
    responses(
        (status = 200, body = crate::pagination::Page<crate::profiles::ProfileView>),
        (status = 400, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/people")]
pub async fn directory(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    params: web::Query<PageParams>,
    filters: web::Query<DirectoryParams>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&params, DEFAULT_PER_PAGE)?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    Ok(HttpResponse::Ok().json(profiles::directory(&state.db, level, &filters.filter()?, page).await?))
}

/// One member, with only the fields you may see; a profile you may not see answers 404,
/// like one that does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/people/{slug}",
    params(("slug" = String, Path, description = "The profile's slug")),
    responses(
        (status = 200, body = crate::profiles::ProfileView),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/people/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let level = ViewerLevel::of(viewer.0.as_ref());
    let found = profiles::find_visible(&state.db, level, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound(format!("Er is geen profiel '{slug}' in de ledenlijst.")))?;
    Ok(HttpResponse::Ok().json(found))
}

/// The answer to a relayed message: that it is on its way, nothing about the recipient.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactSent {
    /// A sentence (in Dutch) to show the sender.
    pub message: String,
}

/// Sends the member a message through the platform (signed in only): it is mailed to them
/// with Reply-To set to you, so neither of you sees the other's address until they answer.
/// 403 when the person does not accept messages (from you or from anyone; which is not
/// told), 404 for a profile you may not see, 429 with `Retry-After` after 5 messages in
/// 10 minutes or 20 a day.
#[utoipa::path(
    post,
    path = "/api/v1/people/{slug}/contact",
    params(("slug" = String, Path, description = "The profile's slug")),
    request_body = crate::contact::ContactInput,
    responses(
        (status = 202, body = ContactSent),
        (status = 400, body = crate::routes::errors::ErrorBody),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
        (status = 429, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/people/{slug}/contact")]
pub async fn write_to(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
    input: web::Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let recipient = contact::profile_recipient(&state.db, Some(&actor), &slug).await?;
    contact::send(&state.db, &state.mail, &actor, &recipient, &input).await?;
    Ok(HttpResponse::Accepted().json(ContactSent { message: "Uw bericht is verstuurd.".into() }))
}
