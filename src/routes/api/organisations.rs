//! `GET /api/v1/organisations` and `GET /api/v1/themes`

use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use crate::organisations;
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::routes::errors::ApiError;
use crate::routes::AppState;
use crate::taxonomy::Taxonomy;

/// Organisations in the network, by name.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    params(PageParams),
    responses(
        (status = 200, body = crate::pagination::Page<crate::organisations::OrganisationView>),
        (status = 400, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/organisations")]
pub async fn list(state: web::Data<AppState>, params: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&params, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(organisations::list(&state.db, page).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThemeBody {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdviceBody {
    pub number: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyBody {
    pub themes: Vec<ThemeBody>,
    /// The seven advices of "Mét andere ogen".
    pub advices: Vec<AdviceBody>,
}

/// The themes and advices practices are tagged with.
#[utoipa::path(get, path = "/api/v1/themes", responses((status = 200, body = TaxonomyBody)))]
#[get("/themes")]
pub async fn themes(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    Ok(HttpResponse::Ok().json(TaxonomyBody {
        themes: taxonomy
            .themes
            .into_iter()
            .map(|theme| ThemeBody { slug: theme.slug, name: theme.name, description: theme.description })
            .collect(),
        advices: taxonomy
            .advices
            .into_iter()
            .map(|advice| AdviceBody {
                number: advice.number,
                slug: advice.slug,
                name: advice.name,
                description: advice.description,
            })
            .collect(),
    }))
}
