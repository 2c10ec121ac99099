//! `/api/v1/me/profile` (one's own profile), `/api/v1/me` (deleting one's account) and
//! `/api/v1/people` (the member directory).
//! What a viewer gets is decided by `profiles::ProfileView::for_viewer`, nowhere here.

use actix_web::{delete, get, put, web, HttpResponse};
use serde::Deserialize;

use crate::accounts::deletion;
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

/// Confirms deleting your account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// Your password, typed again.
    pub password: String,
}

/// Deletes your account for good (AVG article 17): the account, your profile, your event
/// registrations and mail to you go, and every token of yours stops working. Practices,
/// documents and news stay with the organisation; the audit log and practice versions name
/// "Verwijderd account #…" instead of you. The last beheerder cannot delete their account (422).
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    request_body = DeleteAccount,
    responses(
        (status = 204, description = "The account is deleted"),
        (status = 400, body = crate::routes::errors::ErrorBody),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody, description = "Wrong password, or the last beheerder"),
    ),
    security(("bearer" = []))
)]
#[delete("/me")]
pub async fn delete_own(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<DeleteAccount>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    deletion::delete_own(&state.db, &state.mail, &actor, &input.password).await?;
    Ok(HttpResponse::NoContent().finish())
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
