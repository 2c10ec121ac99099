//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

pub mod organisations;
pub mod practices;
pub mod search;

use actix_web::{get, web, HttpResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Oogst API",
        version = "1",
        description = "Practices, documents and search of the learning network Met Andere Ogen."
    ),
    paths(
        search::search,
        practices::list,
        practices::show,
        practices::similar,
        organisations::list,
        organisations::themes,
    )
)]
pub struct ApiDoc;

#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/api/v1")
            .service(search::search)
            .service(practices::list)
            .service(practices::similar)
            .service(practices::show)
            .service(organisations::list)
            .service(organisations::themes)
            .service(openapi_json),
    );
}
