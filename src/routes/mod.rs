//! HTTP: thin handlers that parse the request, call the domain and render the answer.

pub mod api;
mod assets;
pub mod errors;
mod health;
mod html;
pub mod search_params;

use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(assets::static_file)
        .configure(api::configure)
        .configure(html::configure)
        .default_service(web::to(fallback));
}

/// Unknown paths: JSON under the API, a Dutch page elsewhere.
async fn fallback(request: HttpRequest) -> HttpResponse {
    if request.path().starts_with("/api/") {
        errors::ApiError(errors::RouteError::NotFound(format!("Onbekend API-pad '{}'.", request.path())))
            .error_response()
    } else {
        html::not_found().await.error_response()
    }
}
