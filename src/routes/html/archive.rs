//! The public archive of the question desk, "Eerder gesteld": answered questions the office
//! published, anonymised, with the practices and experts that helped.

use actix_web::{get, web, HttpResponse};

use super::page;
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::questions::archive;
use crate::questions::QuestionError;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;

const PER_PAGE: u64 = 20;

#[get("/vragen")]
pub async fn list(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let request = PageRequest::parse(&PageParams { page: query.page.clone(), per_page: None }, PER_PAGE)?;
    let (items, total) = archive::page(&state.db, request).await?;
    let pages = PageLinks::new(request.page, request.per_page, total, |page| format!("/vragen?page={page}"));
    let data = serde_json::json!({
        "page_title": "Eerder gestelde vragen",
        "items": items,
        "total": total,
        "pages": pages,
    });
    page("questions/archive", &viewer, data)
}

#[get("/vragen/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let not_found = || PageError::from(RouteError::NotFound("Deze vraag staat niet (meer) in het archief.".into()));
    let id: i32 = id.parse().map_err(|_| not_found())?;
    let archived = archive::find_published(&state.db, id).await.map_err(QuestionError::from)?.ok_or_else(not_found)?;
    let data = serde_json::json!({ "page_title": archived.title.clone(), "item": archived });
    page("questions/archived", &viewer, data)
}
