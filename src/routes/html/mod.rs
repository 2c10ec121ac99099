//! Server-rendered pages in Dutch; they work without JavaScript.

mod documents;
mod home;
mod organisations;
mod practices;
mod search;
mod themes;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::errors::PageError;
use crate::templates;

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(home::home)
        .service(search::search)
        .service(practices::list)
        .service(practices::show)
        .service(organisations::list)
        .service(organisations::show)
        .service(themes::list)
        .service(themes::show)
        .service(documents::show);
}

fn page(template: &str, data: &impl Serialize) -> Result<HttpResponse, PageError> {
    let body = templates::render(template, data)?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

/// Answer for paths nobody serves.
pub async fn not_found() -> PageError {
    PageError(super::errors::RouteError::NotFound(
        "Deze pagina bestaat niet (meer). Misschien is het adres veranderd.".into(),
    ))
}
