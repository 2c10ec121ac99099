//! Member profiles in the browser: one's own at `/profiel`, the directory at `/leden`, and
//! the programme office's list and editing at `/beheer/leden`.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use strum::IntoEnumIterator;

use super::admin::invalid_again;
use super::{form_page, page, see_other_with, Notice};
use crate::actor::policy;
use crate::contact;
use crate::documents::files::readable_size;
use crate::member_list::{self as member_import, MemberImportReport};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::personal_data;
use crate::profiles::{
    self, DirectoryFilter, ExpertiseKind, ProfileField, ProfileInput, StoredProfile, ViewerLevel, Visibility,
};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::uploads;
use crate::routes::AppState;
use crate::taxonomy::{Taxonomy, PROVINCES};
use crate::validation::{EditError, FieldErrors};
use crate::vocabulary::Vocabulary;

const PER_PAGE: u64 = 24;
const OFFICE_PER_PAGE: u64 = 50;

/// What the form sent.
struct Submitted {
    input: ProfileInput,
    /// Values that could not be read at all (a number that is not one).
    unreadable: FieldErrors,
    csrf: String,
}

/// "Zutphen, Lochem" → ["Zutphen", "Lochem"].
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n']).map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect()
}

fn parse_form(body: &[u8]) -> Result<Submitted, RouteError> {
    let mut input = ProfileInput::default();
    let mut unreadable = FieldErrors::default();
    let mut csrf = String::new();
    for (key, value) in super::form_fields(body)? {
        match key.as_str() {
            "display_name" => input.display_name = value,
            "job_title" => input.job_title = value,
            "province" => input.province = Some(value).filter(|province| !province.is_empty()),
            "municipalities" => input.municipalities = split_list(&value),
            "themes" => input.themes.push(value),
            "advices" => input.advices.push(value),
            "keywords" => input.keywords = split_list(&value),
            "expertise_kind" => input.expertise_kind = Some(value).filter(|kind| !kind.is_empty()),
            "bio" => input.bio = value,
            "languages" => input.languages = split_list(&value),
            "available" => input.available = true,
            "max_requests_per_month" => match value.trim() {
                "" => input.max_requests_per_month = None,
                number => match number.parse() {
                    Ok(number) => input.max_requests_per_month = Some(number),
                    Err(_) => unreadable.add("max_requests_per_month", "Vul een aantal in, zoals 2."),
                },
            },
            "listed" => input.listed = true,
            "csrf" => csrf = value,
            other => {
                let field = other.strip_prefix("visibility_").and_then(ProfileField::from_slug);
                if let (Some(field), Some(level)) = (field, Visibility::from_slug(&value)) {
                    input.visibility.set(field, level);
                }
            }
        }
    }
    Ok(Submitted { input, unreadable, csrf })
}

/// The radio group "Wie ziet dit?" of each field.
fn visibility_choices(input: &ProfileInput) -> serde_json::Value {
    let choices: serde_json::Map<String, serde_json::Value> = ProfileField::iter()
        .map(|field| {
            let chosen = input.visibility.get(field);
            let options: Vec<_> = Visibility::iter()
                .map(|level| {
                    serde_json::json!({
                        "name": format!("visibility_{}", field.slug()),
                        "id": format!("visibility_{}-{}", field.slug(), level.slug()),
                        "value": level.slug(),
                        "label": level.label(),
                        "checked": level == chosen,
                    })
                })
                .collect();
            let choice = serde_json::json!({ "field": field.slug(), "label": field.label(), "options": options });
            (field.slug().to_string(), choice)
        })
        .collect();
    serde_json::Value::Object(choices)
}

/// Everything the form needs, with the input kept as typed.
async fn form_data(
    state: &AppState,
    stored: &StoredProfile,
    input: &ProfileInput,
    office: bool,
) -> Result<serde_json::Value, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    let checked = |list: &[String], slug: &str| list.iter().any(|value| value == slug);
    let profile = &stored.profile;
    let refusals = if office { Vec::new() } else { contact::refusals_of(&state.db, stored.user.id).await? };
    let (refused_senders, everyone): (Vec<_>, Vec<_>) =
        refusals.into_iter().partition(|refusal| refusal.sender_id.is_some());
    Ok(serde_json::json!({
        "refused_senders": refused_senders,
        "refuses_everyone": !everyone.is_empty(),
        "page_title": if office { format!("Profiel van {}", profile.display_name) } else { "Mijn profiel".to_string() },
        "action": if office { format!("/beheer/leden/{}", profile.slug) } else { "/profiel".to_string() },
        "office": office,
        "slug": profile.slug,
        "shown_in_directory": profile.listed && !profile.hidden_by_office,
        "hidden_by_office": profile.hidden_by_office,
        "listed_changed_at": profile.listed_changed_at,
        "email": stored.user.email,
        "organisation": stored.organisation.as_ref().map(|organisation| organisation.name.clone()),
        "input": input,
        "choices": visibility_choices(input),
        "municipalities_text": input.municipalities.join(", "),
        "keywords_text": input.keywords.join(", "),
        "languages_text": input.languages.join(", "),
        "provinces": PROVINCES.iter().map(|name| serde_json::json!({
            "name": name, "selected": input.province.as_deref() == Some(*name),
        })).collect::<Vec<_>>(),
        "kinds": ExpertiseKind::iter().map(|kind| serde_json::json!({
            "slug": kind.slug(), "name": kind.label(), "selected": input.expertise_kind.as_deref() == Some(kind.slug()),
        })).collect::<Vec<_>>(),
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({
            "slug": theme.slug, "name": theme.name, "checked": checked(&input.themes, &theme.slug),
        })).collect::<Vec<_>>(),
        "advices": taxonomy.advices.iter().map(|advice| serde_json::json!({
            "slug": advice.slug, "name": advice.name, "checked": checked(&input.advices, &advice.slug),
        })).collect::<Vec<_>>(),
    }))
}

#[get("/profiel")]
pub async fn own_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let stored = profiles::own(&state.db, &actor).await?;
    let data = form_data(&state, &stored, &ProfileInput::from_model(&stored.profile), false).await?;
    form_page(&request, &state, "profiles/form", &Viewer(Some(actor)), data)
}

/// Everything stored about you, as a JSON file: the right of access. Sent `no-store`, as
/// every answer to a signed-in request is.
#[get("/profiel/gegevens")]
pub async fn own_data(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let data = personal_data::of(&state.db, &actor).await?;
    Ok(HttpResponse::Ok()
        .insert_header(actix_web::http::header::ContentDisposition::attachment("oogst-mijn-gegevens.json"))
        .json(data))
}

#[post("/profiel")]
pub async fn own_save(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let submitted = parse_form(&body)?;
    state.csrf.verify(&request, &submitted.csrf)?;
    let stored = profiles::own(&state.db, &actor).await?;
    let saved = if submitted.unreadable.is_empty() {
        profiles::save_own(&state.db, &actor, &submitted.input).await
    } else {
        Err(EditError::Invalid(submitted.unreadable))
    };
    match saved {
        Ok(_) => Ok(see_other_with("/profiel", Notice::ProfileSaved)),
        Err(error) => {
            let data = form_data(&state, &stored, &submitted.input, false).await?;
            invalid_again(&request, &state, "profiles/form", actor, data, error)
        }
    }
}

/// The directory's filters as the page's form sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DirectoryQuery {
    provincie: String,
    soort: String,
}

impl DirectoryQuery {
    /// The address of a page of the directory, with the filters chosen.
    fn link(&self, page: u64) -> String {
        let page = page.to_string();
        let chosen = [("provincie", self.provincie.as_str()), ("soort", self.soort.as_str()), ("page", &page)];
        let query =
            serde_urlencoded::to_string(chosen.iter().filter(|(_, value)| !value.is_empty()).collect::<Vec<_>>())
                .unwrap_or_default();
        format!("/leden?{query}")
    }
}

#[get("/leden")]
pub async fn directory(
    viewer: Viewer,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, PageError> {
    let request = PageRequest::parse(&params, PER_PAGE)?;
    let filter = DirectoryFilter::parse(Some(&query.provincie), Some(&query.soort)).map_err(|errors| {
        RouteError::BadRequest(errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
    })?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    let found = profiles::directory(&state.db, level, &filter, request).await?;
    let pages = PageLinks::new(request.page, request.per_page, found.total, |page| query.link(page));
    let data = serde_json::json!({
        "page_title": "Leden",
        "items": found.items,
        "total": found.total,
        "pages": pages,
        "filtered": filter != DirectoryFilter::default(),
        "signed_in": viewer.0.is_some(),
        "provinces": PROVINCES.iter().map(|name| serde_json::json!({
            "name": name, "selected": filter.province == Some(*name),
        })).collect::<Vec<_>>(),
        "kinds": ExpertiseKind::iter().map(|kind| serde_json::json!({
            "slug": kind.slug(), "name": kind.label(), "selected": filter.expertise_kind == Some(kind),
        })).collect::<Vec<_>>(),
    });
    page("profiles/list", &viewer, data)
}

#[get("/leden/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let level = ViewerLevel::of(viewer.0.as_ref());
    let profile = profiles::find_visible(&state.db, level, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Dit profiel bestaat niet of staat niet in de ledenlijst.".into()))?;
    let data = serde_json::json!({
        "page_title": profile.display_name,
        "profile": profile,
        "office": level == ViewerLevel::Office,
    });
    // A form page: it shows, once, that a message was sent from it.
    form_page(&request, &state, "profiles/show", &viewer, data)
}

#[get("/beheer/leden")]
pub async fn office_list(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let page_request = PageRequest::parse(&params, OFFICE_PER_PAGE)?;
    let found = profiles::directory(&state.db, ViewerLevel::Office, &DirectoryFilter::default(), page_request).await?;
    let pages = PageLinks::new(page_request.page, page_request.per_page, found.total, |page| {
        format!("/beheer/leden?page={page}")
    });
    let data = serde_json::json!({
        "page_title": "Leden en profielen", "items": found.items, "total": found.total, "pages": pages,
    });
    form_page(&request, &state, "admin/profiles", &Viewer(Some(actor)), data)
}

fn import_data(state: &AppState, report: Option<&MemberImportReport>) -> serde_json::Value {
    let kinds: Vec<&str> = ExpertiseKind::iter().map(Vocabulary::slug).collect();
    serde_json::json!({
        "page_title": "Ledenlijst importeren",
        "max_size": readable_size(state.uploads.max_bytes as u64),
        "kinds": kinds.join(", "),
        "report": report,
        "failed_count": report.map_or(0, |report| report.failed.len()),
    })
}

// Registered before `/beheer/leden/{slug}`, which would otherwise take the path.
#[get("/beheer/leden/importeren")]
pub async fn office_import_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    form_page(&request, &state, "admin/member_import", &Viewer(Some(actor)), import_data(&state, None))
}

/// Runs the import and shows its report on the form's page.
#[post("/beheer/leden/importeren")]
pub async fn office_import(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let template = "admin/member_import";
    let received = match uploads::read(payload, state.uploads.max_bytes).await {
        Ok(received) => received,
        Err(RouteError::Invalid(errors)) => {
            return invalid_again(
                &request,
                &state,
                template,
                actor,
                import_data(&state, None),
                EditError::Invalid(errors),
            )
        }
        Err(other) => return Err(other.into()),
    };
    state.csrf.verify(&request, &received.csrf)?;
    match member_import::import_as_office(&state.db, &actor, &received.upload.bytes).await {
        Ok(report) => form_page(&request, &state, template, &Viewer(Some(actor)), import_data(&state, Some(&report))),
        Err(error) => invalid_again(&request, &state, template, actor, import_data(&state, None), error.into()),
    }
}

#[get("/beheer/leden/{slug}")]
pub async fn office_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let stored = profiles::for_office(&state.db, &actor, &slug).await?;
    let data = form_data(&state, &stored, &ProfileInput::from_model(&stored.profile), true).await?;
    form_page(&request, &state, "profiles/form", &Viewer(Some(actor)), data)
}

#[post("/beheer/leden/{slug}")]
pub async fn office_save(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let submitted = parse_form(&body)?;
    state.csrf.verify(&request, &submitted.csrf)?;
    let stored = profiles::for_office(&state.db, &actor, &slug).await?;
    let saved = if submitted.unreadable.is_empty() {
        profiles::save_as_office(&state.db, &actor, &slug, &submitted.input).await
    } else {
        Err(EditError::Invalid(submitted.unreadable))
    };
    match saved {
        // A new display name gives the profile a new address.
        Ok(saved) => Ok(see_other_with(&format!("/beheer/leden/{}", saved.profile.slug), Notice::ProfileSaved)),
        Err(error) => {
            let data = form_data(&state, &stored, &submitted.input, true).await?;
            invalid_again(&request, &state, "profiles/form", actor, data, error)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HideForm {
    /// "verbergen" or "tonen".
    action: String,
    csrf: String,
}

#[post("/beheer/leden/{slug}/ledenlijst")]
pub async fn office_hide(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<HideForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let hidden = match form.action.as_str() {
        "verbergen" => true,
        "tonen" => false,
        _ => return Err(RouteError::BadRequest("Kies verbergen of weer tonen.".into()).into()),
    };
    profiles::set_hidden(&state.db, &actor, &slug, hidden).await?;
    let notice = if hidden { Notice::ProfileHidden } else { Notice::ProfileShown };
    Ok(see_other_with(&format!("/beheer/leden/{slug}"), notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_a_profile() {
        let body = "display_name=Anouk&themes=a&themes=b&keywords=OZA%2C+leerplicht&available=ja\
                    &max_requests_per_month=2&listed=ja&visibility_bio=public&visibility_region=office\
                    &visibility_nonsense=public&visibility_job_title=everyone&csrf=t";
        let submitted = parse_form(body.as_bytes()).unwrap();
        let input = submitted.input;
        assert_eq!(input.themes, ["a", "b"]);
        assert_eq!(input.keywords, ["OZA", "leerplicht"]);
        assert!(input.available && input.listed);
        assert_eq!(input.max_requests_per_month, Some(2));
        assert_eq!(input.visibility.bio, Visibility::Public);
        assert_eq!(input.visibility.region, Visibility::Office);
        assert_eq!(input.visibility.job_title, Visibility::Members);
        assert!(submitted.unreadable.is_empty());
        let unreadable = parse_form(b"max_requests_per_month=twee").unwrap().unreadable;
        assert!(unreadable.first("max_requests_per_month").is_some());
    }
}
