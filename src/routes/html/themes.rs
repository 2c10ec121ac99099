use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{form_page, page};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::practices::{self, Listing};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::taxonomy::Taxonomy;

const PER_PAGE: u64 = 12;

#[get("/themas")]
pub async fn list(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    let themes: Vec<_> = taxonomy
        .themes
        .iter()
        .map(|theme| serde_json::json!({"slug": theme.slug, "name": theme.name, "description": theme.description}))
        .collect();
    let advices: Vec<_> = taxonomy
        .advices
        .iter()
        .map(|advice| serde_json::json!({"slug": advice.slug, "name": advice.name, "description": advice.description}))
        .collect();
    page("themes", &viewer, serde_json::json!({ "page_title": "Thema's", "themes": themes, "advices": advices }))
}

#[get("/themas/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let page_request = PageRequest::parse(&params, PER_PAGE)?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let theme = taxonomy
        .themes
        .iter()
        .find(|theme| theme.slug == *slug)
        .ok_or_else(|| RouteError::NotFound("Dit thema bestaat niet.".into()))?;
    let found = practices::list_published(&state.db, Listing::WithTheme(theme.id), page_request).await?;
    let pages = PageLinks::new(page_request.page, page_request.per_page, found.total, |page| {
        format!("/themas/{}?page={page}", theme.slug)
    });
    form_page(
        &request,
        &state,
        "practices",
        &viewer,
        serde_json::json!({
            "page_title": theme.name,
            "heading": theme.name,
            "intro": theme.description,
            "items": found.items,
            "total": found.total,
            "pages": pages,
            "empty": "Bij dit thema is nog geen praktijk gepubliceerd.",
        }),
    )
}
