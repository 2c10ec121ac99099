use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{form_page, page};
use crate::organisations::{self, OrganisationView};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::practices::{self, Listing};
use crate::profiles::{self, ViewerLevel};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;

const PER_PAGE: u64 = 50;
const PRACTICES_PER_PAGE: u64 = 12;

#[get("/organisaties")]
pub async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let request = PageRequest::parse(&params, PER_PAGE)?;
    let found = organisations::list(&state.db, request).await?;
    let pages =
        PageLinks::new(request.page, request.per_page, found.total, |page| format!("/organisaties?page={page}"));
    page(
        "organisations",
        &viewer,
        serde_json::json!({ "page_title": "Organisaties", "items": found.items, "total": found.total, "pages": pages }),
    )
}

#[get("/organisaties/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let page_request = PageRequest::parse(&params, PRACTICES_PER_PAGE)?;
    let organisation = organisations::find_by_slug(&state.db, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Deze organisatie kennen we niet.".into()))?;
    let found = practices::list_published(&state.db, Listing::OfOrganisation(organisation.id), page_request).await?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    let contacts = profiles::organisation_contacts(&state.db, level, &organisation).await?;
    let view = OrganisationView::from(organisation);
    let pages = PageLinks::new(page_request.page, page_request.per_page, found.total, |page| {
        format!("{}?page={page}", view.url)
    });
    form_page(
        &request,
        &state,
        "organisation",
        &viewer,
        serde_json::json!({
            "page_title": view.name,
            "description": view.description,
            "organisation": view,
            "contacts": contacts,
            "items": found.items,
            "pages": pages,
        }),
    )
}
