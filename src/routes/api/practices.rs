//! `GET /api/v1/practices…`

use actix_web::{get, web, HttpResponse};

use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::practices::{self, Listing};
use crate::routes::api::search::ApiHit;
use crate::routes::errors::{ApiError, RouteError};
use crate::search::ItemKind;
use crate::startup::AppState;

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

/// One published practice.
#[utoipa::path(
    get,
    path = "/api/v1/practices/{slug}",
    params(("slug" = String, Path, description = "The practice's slug")),
    responses(
        (status = 200, body = crate::practices::PracticeView),
        (status = 404, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/practices/{slug}")]
pub async fn show(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let practice = practices::find_published(&state.db, &slug).await?.ok_or_else(|| not_found(&slug))?;
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
