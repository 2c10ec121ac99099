//! "Neem contact op": the relay's form on a profile (`/leden/{slug}/contact`) and on a
//! practice (`/praktijken/{slug}/contact`), the refusal links of relayed mails, and the
//! refusals on `/profiel`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_page, see_other_with, Notice};
use crate::actor::Actor;
use crate::contact::{self, ContactError, ContactInput, Recipient, RefusalLink};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;

/// What a message is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Profile,
    Practice,
}

impl Target {
    /// The page the form belongs to.
    fn page(self, slug: &str) -> String {
        match self {
            Target::Profile => format!("/leden/{slug}"),
            Target::Practice => format!("/praktijken/{slug}"),
        }
    }

    async fn recipient(self, state: &AppState, viewer: Option<&Actor>, slug: &str) -> Result<Recipient, ContactError> {
        match self {
            Target::Profile => contact::profile_recipient(&state.db, viewer, slug).await,
            Target::Practice => contact::practice_recipient(&state.db, viewer, slug).await,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    subject: String,
    message: String,
    csrf: String,
}

/// The form's page: the form for members, a login link for visitors. Never the address.
fn form_data(
    target: Target,
    slug: &str,
    recipient: &Recipient,
    viewer: &Viewer,
    input: &ContactInput,
) -> serde_json::Value {
    let page = target.page(slug);
    let action = format!("{page}/contact");
    let login_next: String = url::form_urlencoded::byte_serialize(action.as_bytes()).collect();
    serde_json::json!({
        "page_title": format!("Bericht aan {}", recipient.label),
        "label": recipient.label,
        "back_url": page,
        "practice": target == Target::Practice,
        "signed_in": viewer.0.is_some(),
        "organisation": viewer.0.as_ref().is_some_and(|actor| actor.organisation_id.is_some()),
        "action": action,
        "login_next": login_next,
        "input": input,
    })
}

async fn show_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    target: Target,
    slug: &str,
) -> Result<HttpResponse, PageError> {
    let recipient = target.recipient(&state, viewer.0.as_ref(), slug).await?;
    let data = form_data(target, slug, &recipient, &viewer, &ContactInput::default());
    form_page(&request, &state, "contact/form", &viewer, data)
}

async fn send(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    target: Target,
    slug: &str,
    form: ContactForm,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    state.csrf.verify(&request, &form.csrf)?;
    let recipient = target.recipient(&state, Some(&actor), slug).await?;
    let input = ContactInput { subject: form.subject, message: form.message };
    match contact::send(&state.db, &state.mail, &actor, &recipient, &input).await {
        Ok(()) => Ok(see_other_with(&target.page(slug), Notice::ContactSent)),
        Err(ContactError::Invalid(errors)) => {
            let viewer = Viewer(Some(actor));
            let mut data = form_data(target, slug, &recipient, &viewer, &input);
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(&request, &state, "contact/form", &viewer, data)
        }
        Err(other) => Err(other.into()),
    }
}

#[get("/leden/{slug}/contact")]
pub async fn profile_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    show_form(request, state, viewer, Target::Profile, &slug).await
}

#[post("/leden/{slug}/contact")]
pub async fn profile_send(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, PageError> {
    send(request, state, viewer, Target::Profile, &slug, form.into_inner()).await
}

#[get("/praktijken/{slug}/contact")]
pub async fn practice_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    show_form(request, state, viewer, Target::Practice, &slug).await
}

#[post("/praktijken/{slug}/contact")]
pub async fn practice_send(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, PageError> {
    send(request, state, viewer, Target::Practice, &slug, form.into_inner()).await
}

/// What a refusal link does, in words.
fn refusal_text(refusal: RefusalLink) -> &'static str {
    match refusal.sender {
        Some(_) => "Na bevestigen ontvangt u via Oogst geen berichten meer van deze afzender.",
        None => "Na bevestigen ontvangt u via Oogst geen berichten meer van wie dan ook.",
    }
}

/// The page a refusal link opens: a button, so a mail scanner that follows links changes
/// nothing.
#[get("/berichten/weigeren/{token}")]
pub async fn refusal_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let refusal = contact::read_link(&state.mail, &token)?;
    let data = serde_json::json!({
        "page_title": "Geen berichten meer",
        "message": refusal_text(refusal),
        "action": format!("/berichten/weigeren/{token}"),
        "button": "Bevestigen",
    });
    form_page(&request, &state, "events/link", &viewer, data)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

#[post("/berichten/weigeren/{token}")]
pub async fn refuse(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let refusal = contact::read_link(&state.mail, &token)?;
    contact::refuse(&state.db, refusal).await?;
    let data = serde_json::json!({
        "page_title": "Geen berichten meer",
        "heading": "Geen berichten meer",
        "message": "Uw keuze is opgeslagen. Ongedaan maken kan onder Mijn profiel, nadat u bent ingelogd.",
    });
    super::page("account/message", &viewer, data)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RefusalForm {
    /// weigeren (refuse) or toestaan (allow).
    action: String,
    /// A sender's account id; empty for everyone.
    afzender: String,
    csrf: String,
}

/// The refusals on `/profiel`: refuse everyone, or undo a refusal.
#[post("/profiel/berichten")]
pub async fn own_refusals(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<RefusalForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    state.csrf.verify(&request, &form.csrf)?;
    let sender = match form.afzender.trim() {
        "" => None,
        id => Some(id.parse().map_err(|_| RouteError::BadRequest("Onbekende afzender.".into()))?),
    };
    let refusal = RefusalLink { recipient: actor.user_id, sender };
    match form.action.as_str() {
        "weigeren" => contact::refuse(&state.db, refusal).await?,
        "toestaan" => contact::allow(&state.db, refusal).await?,
        _ => return Err(RouteError::BadRequest("Kies weigeren of toestaan.".into()).into()),
    }
    Ok(see_other_with("/profiel#berichten", Notice::ContactSettingSaved))
}
