//! `/api/v1/me/profile` (one's own profile), `/api/v1/me` (deleting one's account),
//! `/api/v1/people` (the member directory) and `/api/v1/people/{slug}/contact` (a message
//! relayed to a member).
//! What a viewer gets is decided by `profiles::ProfileView::for_viewer`, nowhere here.

use std::collections::BTreeMap;

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::deletion;
use crate::contact::{self, ContactInput};
use crate::pagination::{PageParams, DEFAULT_PER_PAGE};
use crate::profiles::{self, OwnProfile, ProfileInput, ProfileView, ViewerLevel};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::headers::vary_by_viewer;
use crate::routes::people_search::search_people;
use crate::routes::search_params::SearchParams;
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

/// A page of the member directory: the people found, each with only the fields you may see.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeoplePage {
    pub items: Vec<ProfileView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Facet name (theme, advice, expertise_kind, province, organisation_kind) → value →
    /// number of people found, counted only from fields you may see.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Members in the directory, each with only the fields you may see: a word finds a person
/// only through a field you may see. Signed in you see more, the programme office sees
/// everyone. Without `q` the newest members come first.
#[utoipa::path(
    get,
    path = "/api/v1/people",
    params(
        ("q" = Option<String>, Query, description = "Search text: words, \"phrases\", -excluded"),
        ("theme" = Option<Vec<String>>, Query, description = "Theme slug of the expertise; repeat for OR"),
        ("advice" = Option<Vec<String>>, Query, description = "Advice slug of the expertise; repeat for OR"),
        ("expertise_kind" = Option<Vec<String>>, Query, description = "praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere; repeat for OR"),
        ("province" = Option<Vec<String>>, Query, description = "Province of the work area; repeat for OR"),
        ("organisation_kind" = Option<Vec<String>>, Query, description = "Organisation kind slug; repeat for OR"),
        ("sort" = Option<crate::search::Sort>, Query, description = "relevance (default with text) or date (default without)"),
        PageParams,
    ),
    responses(
        (status = 200, body = PeoplePage),
        (status = 400, body = crate::routes::errors::ErrorBody),
        (status = 401, body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/people")]
pub async fn directory(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: ApiViewer,
) -> Result<HttpResponse, ApiError> {
    let params = SearchParams::parse(request.query_string(), DEFAULT_PER_PAGE)?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    let (results, found) = search_people(&state, level, &params).await?;
    let mut response = HttpResponse::Ok().json(PeoplePage {
        items: found.into_iter().map(|person| person.view).collect(),
        total: results.total as u64,
        page: params.page.page,
        per_page: params.page.per_page,
        facets: results.facets.into_iter().map(|(facet, values)| (facet, values.into_iter().collect())).collect(),
    });
    vary_by_viewer(&mut response);
    Ok(response)
}

/// One member, with only the fields you may see; a profile you may not see answers 404,
/// like one that does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/people/{slug}",
    params(("slug" = String, Path, description = "The profile's slug")),
    responses(
        (status = 200, body = crate::profiles::ProfileView),
        (status = 401, body = crate::routes::errors::ErrorBody),
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
    Ok(HttpResponse::Ok().json(found.1))
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
