//! HTTP: thin handlers that parse the request, call the domain and render the answer.

pub mod api;
mod assets;
pub mod auth;
pub mod csrf;
pub mod errors;
mod feeds;
pub mod headers;
mod health;
mod html;
pub mod input_guard;
pub mod methods;
mod notice;
mod people_search;
pub mod rate_limit;
pub mod search_params;
mod state;
mod uploads;

pub use state::AppState;

use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(web::JsonConfig::default().limit(1 << 20).error_handler(|error, _| {
            errors::ApiError(errors::RouteError::BadRequest(format!("De JSON in het verzoek klopt niet: {error}")))
                .into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            errors::PageError(errors::RouteError::BadRequest(format!("De parameters in de URL kloppen niet: {error}")))
                .into()
        }))
        .app_data(web::FormConfig::default().limit(1 << 20).error_handler(|error, _| {
            errors::PageError(errors::RouteError::BadRequest(format!("Het formulier is niet goed verstuurd: {error}")))
                .into()
        }))
        .service(health::healthz)
        .service(health::readyz)
        .service(assets::static_file)
        .service(feeds::news_feed)
        .service(feeds::practices_feed)
        .configure(api::configure)
        .configure(html::configure)
        .default_service(web::to(fallback));
}

/// Unknown paths: JSON under the API, a Dutch page elsewhere.
async fn fallback(request: HttpRequest) -> HttpResponse {
    if request.path().starts_with("/api/") {
        errors::ApiError(api::unknown_path(request.path())).error_response()
    } else {
        html::not_found().await.error_response()
    }
}
