//! Member profiles in the browser: one's own at `/profiel`, the directory at `/leden`, and
//! the programme office's list and editing at `/beheer/leden`.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use strum::IntoEnumIterator;

use super::account::CsrfOnly;
use super::admin::invalid_again;
use super::search::{active_filters, facet_views};
use super::{form_page, page, see_other_with, with_cookies, Notice};
use crate::accounts::{self, deletion, AccountError};
use crate::actor::policy;
use crate::contact;
use crate::documents::files::readable_size;
use crate::documents::{self, AttachedTo};
use crate::member_list::{self as member_import, MemberImportReport};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::personal_data;
use crate::practices::{self, Listing};
use crate::profiles::{self, ExpertiseKind, ProfileField, ProfileInput, StoredProfile, ViewerLevel, Visibility};
use crate::routes::auth::{expired_session_cookie, Viewer};
use crate::routes::errors::{PageError, RouteError};
use crate::routes::headers::vary_by_viewer;
use crate::routes::people_search::{search_people, PEOPLE_FACETS};
use crate::routes::search_params::SearchParams;
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
        "awaits_invitation": office && accounts::awaits_invitation(&stored.user),
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

/// The directory: a search of people at the viewer's level, with its facets.
#[get("/leden")]
pub async fn directory(
    viewer: Viewer,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let params = SearchParams::parse(request.query_string(), PER_PAGE)?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    let (results, found) = search_people(&state, level, &params).await?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let facets = facet_views(&results, &params, &PEOPLE_FACETS, &taxonomy);
    let active_filters = active_filters(&facets, &params, "/leden");
    let shown_total = results.total.min(crate::search::MAX_RESULT_WINDOW) as u64;
    let pages =
        PageLinks::new(params.page.page, params.page.per_page, shown_total, |page| params.link_to_page("/leden", page));
    let q = &params.request.text;
    let items: Vec<serde_json::Value> = found
        .into_iter()
        .map(|person| {
            let mut item = serde_json::to_value(&person.view).unwrap_or_default();
            if !q.is_empty() {
                item["snippet"] = person.snippet.into();
            }
            item
        })
        .collect();
    let data = serde_json::json!({
        "page_title": if q.is_empty() { "Leden".to_string() } else { format!("Leden: {q}") },
        "q": q,
        "items": items,
        "total": results.total,
        "pages": pages,
        "filtered": !q.is_empty() || !active_filters.is_empty(),
        "has_filters": !active_filters.is_empty(),
        "active_filters": active_filters,
        "clear_filters_url": params.link_without_filters("/leden"),
        "facets": facets,
        "signed_in": viewer.0.is_some(),
    });
    let mut response = page("profiles/list", &viewer, data)?;
    vary_by_viewer(&mut response);
    Ok(response)
}

#[get("/leden/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let level = ViewerLevel::of(viewer.0.as_ref());
    let (id, profile) = profiles::find_visible(&state.db, level, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Dit profiel bestaat niet of staat niet in de ledenlijst.".into()))?;
    let practices =
        practices::list_published(&state.db, Listing::WithContact(id), PageRequest { page: 1, per_page: 50 }).await?;
    let documents = documents::attached_to(&state.db, viewer.0.as_ref(), AttachedTo::PracticesWithContact(id)).await?;
    let data = serde_json::json!({
        "page_title": profile.display_name,
        "profile": profile,
        "practices": practices.items,
        "documents": documents,
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
    let found = profiles::all_for_office(&state.db, page_request).await?;
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
    let received = uploads::read(payload, state.uploads.max_bytes).await?;
    state.csrf.verify(&request, &received.csrf)?;
    if !received.errors.is_empty() {
        let errors = EditError::Invalid(received.errors);
        return invalid_again(&request, &state, template, actor, import_data(&state, None), errors);
    }
    match member_import::import_as_office(&state.db, &actor, &received.upload.bytes).await {
        Ok(report) => form_page(&request, &state, template, &Viewer(Some(actor)), import_data(&state, Some(&report))),
        Err(error) => invalid_again(&request, &state, template, actor, import_data(&state, None), error.into()),
    }
}

// Registered before `/beheer/leden/{slug}`, which would otherwise take the path.
/// Invites every imported member who has not had an invitation yet.
#[post("/beheer/leden/uitnodigen")]
pub async fn office_invite_all(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    accounts::invite_all_uninvited(&state.db, &state.mail, &actor).await?;
    Ok(see_other_with("/beheer/leden", Notice::InvitationsSent))
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

/// Invites (or invites again) a member who has no password yet, such as an imported one.
#[post("/beheer/leden/{slug}/uitnodiging")]
pub async fn office_invite(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let stored = profiles::for_office(&state.db, &actor, &slug).await?;
    accounts::invite_existing(&state.db, &state.mail, &actor, stored.user.id).await?;
    Ok(see_other_with(&format!("/beheer/leden/{slug}"), Notice::InvitationSent))
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

/// The page that explains what deleting an account takes away and asks to confirm.
fn deletion_data(stored: &StoredProfile, office: bool) -> serde_json::Value {
    let slug = &stored.profile.slug;
    serde_json::json!({
        "page_title": if office { format!("Account van {} verwijderen", stored.user.name) } else { "Mijn account verwijderen".to_string() },
        "office": office,
        "name": stored.user.name,
        "action": if office { format!("/beheer/leden/{slug}/verwijderen") } else { "/profiel/verwijderen".to_string() },
        "back": if office { format!("/beheer/leden/{slug}") } else { "/profiel".to_string() },
    })
}

#[get("/profiel/verwijderen")]
pub async fn own_delete_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let stored = profiles::own(&state.db, &actor).await?;
    form_page(&request, &state, "account/delete", &Viewer(Some(actor)), deletion_data(&stored, false))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
    /// The office's checkbox "Ja, verwijder het account".
    confirm: String,
    csrf: String,
}

/// Deletes one's own account; the session ends with it and the person lands on the home page.
#[post("/profiel/verwijderen")]
pub async fn own_delete(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    state.csrf.verify(&request, &form.csrf)?;
    match deletion::delete_own(&state.db, &state.mail, &actor, &form.password).await {
        Ok(_) => with_cookies(
            see_other_with("/", Notice::AccountDeleted),
            [expired_session_cookie(state.config.https()), state.csrf.fresh_cookie()],
        ),
        Err(AccountError::Invalid(errors)) => {
            let stored = profiles::own(&state.db, &actor).await?;
            invalid_again(
                &request,
                &state,
                "account/delete",
                actor,
                deletion_data(&stored, false),
                EditError::Invalid(errors),
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[get("/beheer/leden/{slug}/verwijderen")]
pub async fn office_delete_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let stored = profiles::for_office(&state.db, &actor, &slug).await?;
    form_page(&request, &state, "account/delete", &Viewer(Some(actor)), deletion_data(&stored, true))
}

/// Deletes a member's account at their request; the audit log names the pseudonym.
#[post("/beheer/leden/{slug}/verwijderen")]
pub async fn office_delete(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let stored = profiles::for_office(&state.db, &actor, &slug).await?;
    let deleted = if form.confirm.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "Vink aan dat u dit account wilt verwijderen.");
        Err(AccountError::Invalid(errors))
    } else {
        deletion::delete_as_office(&state.db, &state.mail, &actor, stored.user.id).await
    };
    match deleted {
        Ok(_) => Ok(see_other_with("/beheer/leden", Notice::AccountDeletedByOffice)),
        Err(AccountError::Invalid(errors)) => invalid_again(
            &request,
            &state,
            "account/delete",
            actor,
            deletion_data(&stored, true),
            EditError::Invalid(errors),
        ),
        Err(other) => Err(other.into()),
    }
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
