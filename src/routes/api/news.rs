//! `/api/v1/news`: the programme office's news.

use actix_web::{get, post, put, web, HttpResponse};

use crate::news::{self, NewsInput};
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::AppState;

/// Published news, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/news",
    params(PageParams),
    responses((status = 200, body = crate::pagination::Page<crate::news::NewsCard>), (status = 400, body = crate::routes::errors::ErrorBody))
)]
#[get("/news")]
pub async fn list(state: web::Data<AppState>, params: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&params, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(news::list_published(&state.db, page).await?))
}

/// One news item (scheduled ones only for beheerders).
#[utoipa::path(
    get,
    path = "/api/v1/news/{slug}",
    params(("slug" = String, Path, description = "The news item's slug")),
    responses((status = 200, body = crate::news::NewsView), (status = 404, body = crate::routes::errors::ErrorBody)),
    security((), ("bearer" = []))
)]
#[get("/news/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let item = news::find_visible(&state.db, viewer.0.as_ref(), &slug).await?.ok_or_else(|| {
        RouteError::NotFound(format!("Nieuwsbericht '{slug}' bestaat niet of is nog niet gepubliceerd."))
    })?;
    Ok(HttpResponse::Ok().json(item))
}

/// Publishes (or schedules, with a future `published_at`) a news item; beheerders only.
#[utoipa::path(
    post,
    path = "/api/v1/news",
    request_body = crate::news::NewsInput,
    responses(
        (status = 201, body = crate::news::NewsView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/news")]
pub async fn create(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<NewsInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let saved = news::save_as(&state.db, &actor, None, input.into_inner()).await?;
    let item = news::find_visible(&state.db, Some(&actor), &saved.slug).await?;
    Ok(HttpResponse::Created().json(item))
}

/// Replaces a news item; beheerders only.
#[utoipa::path(
    put,
    path = "/api/v1/news/{slug}",
    params(("slug" = String, Path, description = "The news item's slug")),
    request_body = crate::news::NewsInput,
    responses(
        (status = 200, body = crate::news::NewsView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/news/{slug}")]
pub async fn update(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
    input: web::Json<NewsInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let saved = news::save_as(&state.db, &actor, Some(&slug), input.into_inner()).await?;
    Ok(HttpResponse::Ok().json(news::find_visible(&state.db, Some(&actor), &saved.slug).await?))
}
