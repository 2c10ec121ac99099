//! Protection against cross-site form posts: a random id in a cookie, and in every form
//! an HMAC of that id under the site's secret. A forged form from another site cannot
//! know the HMAC; a cookie set by another site cannot produce it either.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::errors::RouteError;

pub const CSRF_COOKIE: &str = "oogst_csrf";
/// The hidden form field carrying the token.
pub const CSRF_FIELD: &str = "csrf";

#[derive(Clone)]
pub struct Csrf {
    secret: Vec<u8>,
    secure: bool,
}

/// A token for a form, and the cookie to set when the visitor had none.
pub struct FormToken {
    pub token: String,
    pub cookie: Option<Cookie<'static>>,
}

impl Csrf {
    pub fn new(secret: &[u8], secure: bool) -> Csrf {
        Csrf { secret: [b"csrf:".as_slice(), secret].concat(), secure }
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes keys of any length")
    }

    pub fn issue(&self, request: &HttpRequest) -> FormToken {
        let (id, cookie) = match request.cookie(CSRF_COOKIE).filter(|cookie| cookie.value().len() == 64) {
            Some(existing) => (existing.value().to_string(), None),
            None => {
                let cookie = self.fresh_cookie();
                (cookie.value().to_string(), Some(cookie))
            }
        };
        let mut mac = self.mac();
        mac.update(id.as_bytes());
        FormToken { token: hex::encode(mac.finalize().into_bytes()), cookie }
    }

    /// A cookie with a new random id. Set at login and logout, so a form token seen before
    /// the session changed hands (e.g. planted by someone on a shared computer) stops working.
    pub fn fresh_cookie(&self) -> Cookie<'static> {
        Cookie::build(CSRF_COOKIE, hex::encode(rand::random::<[u8; 32]>()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .finish()
    }

    pub fn verify(&self, request: &HttpRequest, token: &str) -> Result<(), RouteError> {
        let refused = || {
            RouteError::BadRequest(
                "Het formulier is verlopen of kwam niet van deze site. Laad de pagina opnieuw en probeer het nog eens."
                    .into(),
            )
        };
        let cookie = request.cookie(CSRF_COOKIE).ok_or_else(refused)?;
        let expected = hex::decode(token).map_err(|_| refused())?;
        let mut mac = self.mac();
        mac.update(cookie.value().as_bytes());
        mac.verify_slice(&expected).map_err(|_| refused())
    }
}
