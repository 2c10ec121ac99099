//! `/api/v1/practices…`: reading for everyone, writing for the organisation's editors.

use actix_web::{delete, get, post, put, web, HttpResponse};

use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::practices::editing;
use crate::practices::{self, Listing, PracticeInput};
use crate::routes::api::search::ApiHit;
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::AppState;
use crate::search::ItemKind;

const SIMILAR_LIMIT: usize = 6;

fn not_found(slug: &str) -> ApiError {
    ApiError(RouteError::NotFound(format!("Praktijk '{slug}' bestaat niet of is niet gepubliceerd.")))
}

/// Published practices, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/practices",
    params(PageParams),
    responses(
        (status = 200, body = crate::pagination::Page<crate::practices::PracticeCard>),
        (status = 400, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/practices")]
pub async fn list(state: web::Data<AppState>, params: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&params, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(practices::list_published(&state.db, Listing::All, page).await?))
}

/// One practice: published ones for everyone, concepts for their editors.
#[utoipa::path(
    get,
    path = "/api/v1/practices/{slug}",
    params(("slug" = String, Path, description = "The practice's slug")),
    responses(
        (status = 200, body = crate::practices::PracticeView),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/practices/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let practice = editing::find_visible(&state.db, viewer.0.as_ref(), &slug).await?.ok_or_else(|| not_found(&slug))?;
    Ok(HttpResponse::Ok().json(practice))
}

/// Comparable initiatives: practices most like this one.
#[utoipa::path(
    get,
    path = "/api/v1/practices/{slug}/similar",
    params(("slug" = String, Path, description = "The practice's slug")),
    responses(
        (status = 200, body = Vec<crate::routes::api::search::ApiHit>),
        (status = 404, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/practices/{slug}/similar")]
pub async fn similar(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = practices::id_of(&state.db, &slug).await?.ok_or_else(|| not_found(&slug))?;
    let index = state.search.clone();
    let hits = web::block(move || index.similar(ItemKind::Practice, id, SIMILAR_LIMIT)).await??;
    Ok(HttpResponse::Ok().json(hits.into_iter().map(ApiHit::from).collect::<Vec<_>>()))
}

/// Creates a practice. `organisation` defaults to the editor's own; `slug` to one made
/// from the title; `status` to gepubliceerd (send "concept" to save a draft).
#[utoipa::path(
    post,
    path = "/api/v1/practices",
    request_body = crate::practices::PracticeInput,
    responses(
        (status = 201, body = crate::practices::PracticeView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody, description = "Invalid fields, listed in `fields`"),
    ),
    security(("bearer" = []))
)]
#[post("/practices")]
pub async fn create(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<PracticeInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let created = editing::create(&state.db, &actor, input.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/practices/{}", created.slug))).json(created))
}

/// Replaces a practice's content; the slug stays.
#[utoipa::path(
    put,
    path = "/api/v1/practices/{slug}",
    params(("slug" = String, Path, description = "The practice's slug")),
    request_body = crate::practices::PracticeInput,
    responses(
        (status = 200, body = crate::practices::PracticeView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/practices/{slug}")]
pub async fn update(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
    input: web::Json<PracticeInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    Ok(HttpResponse::Ok().json(editing::update(&state.db, &actor, &slug, input.into_inner()).await?))
}

/// Deletes a practice (to take it offline but keep it, PUT it with status gearchiveerd).
#[utoipa::path(
    delete,
    path = "/api/v1/practices/{slug}",
    params(("slug" = String, Path, description = "The practice's slug")),
    responses(
        (status = 204),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/practices/{slug}")]
pub async fn remove(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    editing::delete(&state.db, &actor, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Earlier versions of a practice, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/practices/{slug}/versions",
    params(("slug" = String, Path, description = "The practice's slug")),
    responses(
        (status = 200, body = Vec<crate::practices::editing::VersionSummary>),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/practices/{slug}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    Ok(HttpResponse::Ok().json(editing::versions(&state.db, &actor, &slug).await?))
}

/// Makes an earlier version current again (saved as a new version).
#[utoipa::path(
    post,
    path = "/api/v1/practices/{slug}/versions/{number}/restore",
    params(
        ("slug" = String, Path, description = "The practice's slug"),
        ("number" = i32, Path, description = "Version number"),
    ),
    responses(
        (status = 200, body = crate::practices::PracticeView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/practices/{slug}/versions/{number}/restore")]
pub async fn restore(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let (slug, number) = path.into_inner();
    Ok(HttpResponse::Ok().json(editing::restore(&state.db, &actor, &slug, number).await?))
}
