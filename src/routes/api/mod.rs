//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

pub mod auth;
mod conventions;
pub mod documents;
pub mod events;
pub mod news;
pub mod organisations;
pub mod people;
pub mod practices;
pub mod profiles;
pub mod questions;
pub mod search;

use actix_web::{get, web, HttpResponse};
pub use conventions::unknown_path;
use conventions::{CommonResponses, TextWithoutControlCharacters};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    modifiers(&BearerAuth, &CommonResponses, &TextWithoutControlCharacters),
    components(schemas(crate::search::Sort)),
    info(
        title = "Oogst API",
        version = "1",
        description = "Practices, documents and search of the learning network Met Andere Ogen."
    ),
    paths(
        search::search,
        auth::token,
        auth::revoke,
        documents::upload,
        documents::show,
        events::list,
        events::show,
        events::create,
        events::register,
        news::list,
        news::show,
        news::create,
        news::update,
        people::invite,
        people::list,
        people::change_role,
        profiles::own,
        profiles::update_own,
        profiles::delete_own,
        profiles::directory,
        profiles::show,
        profiles::write_to,
        practices::list,
        practices::show,
        practices::similar,
        practices::create,
        practices::update,
        practices::remove,
        practices::versions,
        practices::restore,
        organisations::list,
        organisations::show,
        organisations::themes,
        questions::ask,
        questions::hints,
        questions::list,
        questions::show,
        questions::suggestions,
    )
)]
pub struct ApiDoc;

/// Declares the Bearer token scheme the protected paths refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(conventions::document())
}

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        conventions::json_errors(web::scope("/api/v1"))
            .service(search::search)
            .service(auth::token)
            .service(auth::revoke)
            .service(documents::upload)
            .service(documents::show)
            .service(events::list)
            .service(events::create)
            .service(events::register)
            .service(events::show)
            .service(news::list)
            .service(news::show)
            .service(news::create)
            .service(news::update)
            .service(people::invite)
            .service(people::list)
            .service(people::change_role)
            .service(profiles::own)
            .service(profiles::update_own)
            .service(profiles::delete_own)
            .service(profiles::directory)
            .service(profiles::write_to)
            .service(profiles::show)
            .service(practices::list)
            .service(practices::similar)
            .service(practices::versions)
            .service(practices::restore)
            .service(practices::create)
            .service(practices::update)
            .service(practices::remove)
            .service(practices::show)
            .service(organisations::list)
            .service(organisations::show)
            .service(organisations::themes)
            .service(questions::ask)
            .service(questions::hints)
            .service(questions::list)
            .service(questions::show)
            .service(questions::suggestions)
            .service(openapi_json),
    );
}
