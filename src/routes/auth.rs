//! Who is asking: the session cookie for browsers, `Authorization: Bearer` for API clients.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::LOCATION;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};

use super::errors::{ApiError, PageError, RouteError};
use crate::accounts::sessions::NewSession;
use crate::accounts::{self};
use crate::actor::Actor;
use crate::routes::AppState;

pub const SESSION_COOKIE: &str = "oogst_session";

type Extracted<T, E> = Pin<Box<dyn Future<Output = Result<T, E>>>>;

fn state(request: &HttpRequest) -> web::Data<AppState> {
    request.app_data::<web::Data<AppState>>().expect("AppState is registered").clone()
}

/// The actor behind a token, if the token is valid and its session live.
async fn actor_from_token(state: &AppState, token: &str) -> Result<Option<Actor>, RouteError> {
    match state.keys.verify(token) {
        Some(verified) => Ok(accounts::actor_for(&state.db, &verified).await?),
        None => Ok(None),
    }
}

/// The browser's visitor: signed in or anonymous. A stale or forged cookie counts as
/// anonymous, so public pages keep working.
pub struct Viewer(pub Option<Actor>);

impl FromRequest for Viewer {
    type Error = PageError;
    type Future = Extracted<Viewer, PageError>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let Some(cookie) = request.cookie(SESSION_COOKIE) else { return Ok(Viewer(None)) };
            Ok(Viewer(actor_from_token(&state(&request), cookie.value()).await?))
        })
    }
}

impl Viewer {
    /// The signed-in actor if the rule allows them: 401 when not logged in, 403 otherwise.
    pub fn allowed(self, rule: fn(&Actor) -> bool) -> Result<Actor, PageError> {
        let actor = self.required()?;
        if rule(&actor) {
            Ok(actor)
        } else {
            Err(PageError(RouteError::forbidden()))
        }
    }

    /// The signed-in actor, or "log in first".
    pub fn required(self) -> Result<Actor, PageError> {
        self.0.ok_or_else(|| PageError(RouteError::Unauthorized("Log in om deze pagina te gebruiken.".into())))
    }
}

/// An API client's identity from its Bearer token; a token that is present but invalid
/// (bad signature, wrong algorithm or audience, expired, revoked) is refused with 401.
pub struct ApiViewer(pub Option<Actor>);

impl FromRequest for ApiViewer {
    type Error = ApiError;
    type Future = Extracted<ApiViewer, ApiError>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let Some(header) = request.headers().get(actix_web::http::header::AUTHORIZATION) else {
                return Ok(ApiViewer(None));
            };
            let token = header.to_str().ok().and_then(|value| value.strip_prefix("Bearer ")).unwrap_or("");
            match actor_from_token(&state(&request), token.trim()).await? {
                Some(actor) => Ok(ApiViewer(Some(actor))),
                None => {
                    Err(ApiError(RouteError::Unauthorized("Het token is ongeldig, verlopen of ingetrokken.".into())))
                }
            }
        })
    }
}

impl ApiViewer {
    pub fn required(self) -> Result<Actor, ApiError> {
        self.0.ok_or_else(|| {
            ApiError(RouteError::Unauthorized(
                "Log in: stuur een token uit POST /api/v1/auth/token als 'Authorization: Bearer …'.".into(),
            ))
        })
    }
}

/// A page that needs a login, opened while logged out, sends the browser to the login form
/// and, once logged in, back to where it was (a local path, see `validation::local_path`).
/// API clients keep their 401 and JSON body; a form post keeps the page that says why.
pub async fn login_first(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let opens_page = request.method() == Method::GET && !request.path().starts_with("/api/");
    let back = request.uri().path_and_query().map_or("/", |path| path.as_str()).to_string();
    let response = next.call(request).await?;
    if opens_page && response.status() == StatusCode::UNAUTHORIZED {
        let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
        let redirect = HttpResponse::SeeOther().insert_header((LOCATION, format!("/inloggen?next={next}"))).finish();
        return Ok(response.into_response(redirect).map_into_right_body());
    }
    Ok(response.map_into_left_body())
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the site runs on https.
pub fn session_cookie(session: &NewSession, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, session.token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(session.expires_in.num_seconds()))
        .finish()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie =
        Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_on_https() {
        let session = NewSession { token: "t".into(), expires_in: chrono::Duration::hours(1) };
        let cookie = session_cookie(&session, true).to_string();
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(!session_cookie(&session, false).to_string().contains("Secure"));
    }
}
