//! Response headers every answer gets: the security headers, HSTS on https, and
//! `Cache-Control: no-store` on everything personal.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, AUTHORIZATION, CACHE_CONTROL, VARY};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::HttpResponse;

use super::auth::SESSION_COOKIE;

/// A year, as the HSTS preload list asks.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"));
    if https {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}

/// Answers to a signed-in person (their name is on every page; lists of people, mail and
/// registrations, exports) and pages opened with a secret link (a registration's name, a
/// password form, refusing relayed messages) must not be kept by a browser or proxy cache. A handler whose answer is
/// the same for everyone (static files) says so with a Cache-Control of its own.
pub async fn no_store_when_personal(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let personal = is_personal(&request);
    let mut response = next.call(request).await?;
    if personal && !response.headers().contains_key(CACHE_CONTROL) {
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// Marks an answer that depends on who asks (searches, the member directory): a visitor's
/// answer may be cached, but never handed to a signed-in person, whose answer is `no-store`.
pub fn vary_by_viewer(response: &mut HttpResponse) {
    response.headers_mut().insert(VARY, HeaderValue::from_static("Cookie, Authorization"));
}

fn is_personal(request: &ServiceRequest) -> bool {
    let signed_in = request.cookie(SESSION_COOKIE).is_some() || request.headers().contains_key(AUTHORIZATION);
    let path = request.path();
    let secret_link = path.starts_with("/aanmelding/")
        || path.starts_with("/meedoen/aanmelding/")
        || path.starts_with("/berichten/weigeren/")
        || path.starts_with("/vraag/")
        || path.starts_with("/vraag-stellen/bevestigen/")
        || request.query_string().contains("token=");
    signed_in || secret_link
}
