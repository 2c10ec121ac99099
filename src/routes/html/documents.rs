use actix_web::{get, web, HttpResponse};

use super::page;
use crate::documents;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::startup::AppState;

#[get("/documenten/{slug}")]
pub async fn show(
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let document = documents::find(&state.db, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Dit document bestaat niet.".into()))?;
    page("document", &viewer, serde_json::json!({ "page_title": document.title, "document": document }))
}
