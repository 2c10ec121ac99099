//! Signing in and out, setting and resetting passwords, signing up.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_page, page, see_other, see_other_with, with_cookies, Notice};
use crate::accounts::{self, AccountError};
use crate::routes::auth::{expired_session_cookie, session_cookie, Viewer};
use crate::routes::errors::{PageError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextParam {
    next: String,
}

/// Only plain local paths, so the login form cannot send people to another site.
fn safe_next(next: &str) -> &str {
    crate::validation::local_path(next).unwrap_or("/")
}

#[get("/inloggen")]
pub async fn login_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<NextParam>,
) -> Result<HttpResponse, PageError> {
    form_page(
        &request,
        &state,
        "account/login",
        &viewer,
        serde_json::json!({ "page_title": "Inloggen", "next": params.next }),
    )
}

#[post("/inloggen")]
pub async fn login(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    rate_limit::check_login(&state.limits, &request, &form.email)?;
    match accounts::authenticate(&state.db, &form.email, &form.password).await? {
        Some(account) => {
            let session = state.keys.start(&state.db, account.id).await?;
            let response = see_other(safe_next(&form.next));
            with_cookies(response, [session_cookie(&session, state.config.https()), state.csrf.fresh_cookie()])
        }
        None => form_again(
            &request,
            &state,
            "account/login",
            &viewer,
            serde_json::json!({
                "page_title": "Inloggen",
                "email": form.email,
                "next": form.next,
                "unlinked_errors": ["Dit e-mailadres en wachtwoord horen niet bij een actief account. Controleer ze, of vraag een nieuw wachtwoord aan."],
            }),
        ),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    pub(super) csrf: String,
}

#[get("/uitloggen")]
pub async fn logout_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    form_page(&request, &state, "account/logout", &viewer, serde_json::json!({ "page_title": "Uitloggen" }))
}

/// Ends the session for real: the token stops working, not just the cookie.
#[post("/uitloggen")]
pub async fn logout(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    if let Some(actor) = viewer.0 {
        accounts::sessions::revoke(&state.db, &actor.session_id).await?;
    }
    with_cookies(
        see_other_with("/", Notice::LoggedOut),
        [expired_session_cookie(state.config.https()), state.csrf.fresh_cookie()],
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
    csrf: String,
}

#[get("/wachtwoord-vergeten")]
pub async fn forgot_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    form_page(&request, &state, "account/forgot", &viewer, serde_json::json!({ "page_title": "Wachtwoord vergeten" }))
}

#[post("/wachtwoord-vergeten")]
pub async fn forgot(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    rate_limit::check(&state.limits.reset_by_address, &rate_limit::client_address(&request))?;
    rate_limit::check(&state.limits.reset_by_account, &form.email.trim().to_lowercase())?;
    accounts::request_password_reset(&state.db, &state.mail, &form.email).await?;
    message(
        &viewer,
        "Controleer uw e-mail",
        "U ontvangt binnen enkele minuten een e-mail op dit adres. Hoort het bij een account, dan staat daarin een link om een nieuw wachtwoord te kiezen; die link is een uur geldig.",
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenParam {
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    token: String,
    password: String,
    password_again: String,
    csrf: String,
}

/// The two links that set a password: an invitation, and a reset.
#[derive(Clone, Copy)]
enum PasswordLink {
    Invitation,
    Reset,
}

impl PasswordLink {
    fn path(self) -> &'static str {
        match self {
            PasswordLink::Invitation => "/wachtwoord-instellen",
            PasswordLink::Reset => "/wachtwoord-herstellen",
        }
    }

    fn title(self) -> &'static str {
        match self {
            PasswordLink::Invitation => "Wachtwoord instellen",
            PasswordLink::Reset => "Nieuw wachtwoord kiezen",
        }
    }

    fn purpose(self) -> accounts::tokens::Purpose {
        match self {
            PasswordLink::Invitation => accounts::tokens::Purpose::Invitation,
            PasswordLink::Reset => accounts::tokens::Purpose::PasswordReset,
        }
    }
}

async fn password_form(
    request: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    link: PasswordLink,
    token: &str,
) -> Result<HttpResponse, PageError> {
    if accounts::tokens::peek(&state.db, token, link.purpose()).await?.is_none() {
        return invalid_link(viewer);
    }
    form_page(
        request,
        state,
        "account/password",
        viewer,
        serde_json::json!({ "page_title": link.title(), "action": link.path(), "token": token }),
    )
}

async fn password_submit(
    request: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    link: PasswordLink,
    form: &PasswordForm,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(request, &form.csrf)?;
    let retry = |message: &str| {
        form_again(
            request,
            state,
            "account/password",
            viewer,
            serde_json::json!({ "page_title": link.title(), "action": link.path(), "token": form.token, "errors": { "password": [message] } }),
        )
    };
    if form.password != form.password_again {
        return retry("De twee wachtwoorden zijn niet gelijk.");
    }
    let outcome = match link {
        PasswordLink::Invitation => accounts::accept_invitation(&state.db, &form.token, &form.password).await,
        PasswordLink::Reset => accounts::reset_password(&state.db, &form.token, &form.password).await,
    };
    match outcome {
        Ok(_) => Ok(see_other_with("/inloggen", Notice::PasswordSet)),
        Err(AccountError::Invalid(errors)) => retry(errors.first("password").unwrap_or("Kies een ander wachtwoord.")),
        Err(AccountError::LinkInvalid) => invalid_link(viewer),
        Err(other) => Err(other.into()),
    }
}

#[get("/wachtwoord-instellen")]
pub async fn set_password_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<TokenParam>,
) -> Result<HttpResponse, PageError> {
    password_form(&request, &state, &viewer, PasswordLink::Invitation, &params.token).await
}

#[post("/wachtwoord-instellen")]
pub async fn set_password(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    password_submit(&request, &state, &viewer, PasswordLink::Invitation, &form).await
}

#[get("/wachtwoord-herstellen")]
pub async fn reset_password_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<TokenParam>,
) -> Result<HttpResponse, PageError> {
    password_form(&request, &state, &viewer, PasswordLink::Reset, &params.token).await
}

#[post("/wachtwoord-herstellen")]
pub async fn reset_password(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    password_submit(&request, &state, &viewer, PasswordLink::Reset, &form).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    name: String,
    email: String,
    password: String,
    csrf: String,
}

fn signup_enabled(state: &AppState) -> Result<(), PageError> {
    if state.config.self_signup {
        Ok(())
    } else {
        Err(PageError(RouteError::NotFound(
            "Zelf aanmelden is niet mogelijk. Vraag het programmabureau of de contactpersoon van uw organisatie om een uitnodiging."
                .into(),
        )))
    }
}

#[get("/aanmelden")]
pub async fn signup_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    signup_enabled(&state)?;
    form_page(&request, &state, "account/signup", &viewer, serde_json::json!({ "page_title": "Aanmelden als lid" }))
}

#[post("/aanmelden")]
pub async fn signup(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    signup_enabled(&state)?;
    state.csrf.verify(&request, &form.csrf)?;
    rate_limit::check(&state.limits.signup_by_address, &rate_limit::client_address(&request))?;
    match accounts::sign_up(&state.db, &state.mail, &form.name, &form.email, &form.password).await {
        Ok(()) => message(
            &viewer,
            "Bevestig uw e-mailadres",
            "We hebben u een e-mail gestuurd. Klik op de link daarin om uw account te activeren.",
        ),
        Err(AccountError::Invalid(errors)) => form_again(
            &request,
            &state,
            "account/signup",
            &viewer,
            serde_json::json!({ "page_title": "Aanmelden als lid", "name": form.name, "email": form.email, "errors": errors }),
        ),
        Err(other) => Err(other.into()),
    }
}

#[get("/e-mailadres-bevestigen")]
pub async fn verify_email(
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<TokenParam>,
) -> Result<HttpResponse, PageError> {
    match accounts::verify_email(&state.db, &params.token).await {
        Ok(()) => message(&viewer, "E-mailadres bevestigd", "Uw account is actief. U kunt nu inloggen."),
        Err(AccountError::LinkInvalid) => invalid_link(&viewer),
        Err(other) => Err(other.into()),
    }
}

fn message(viewer: &Viewer, heading: &str, text: &str) -> Result<HttpResponse, PageError> {
    page("account/message", viewer, serde_json::json!({ "page_title": heading, "heading": heading, "message": text }))
}

fn invalid_link(viewer: &Viewer) -> Result<HttpResponse, PageError> {
    let mut response = message(
        viewer,
        "Deze link werkt niet (meer)",
        "De link is ongeldig, verlopen of al gebruikt. Vraag een nieuwe link aan via 'Wachtwoord vergeten', of vraag wie u uitnodigde om een nieuwe uitnodiging.",
    )?;
    *response.status_mut() = actix_web::http::StatusCode::GONE;
    Ok(response)
}
