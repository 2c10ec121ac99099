//! Writing practices in the browser: a form with a Markdown preview, saving as concept,
//! publishing, archiving, and earlier versions. Works without JavaScript.

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::{form_again, form_page, page, see_other_with, Notice};
use crate::actor::{policy, Actor};
use crate::markdown;
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::practices::editing;
use crate::practices::{Contact, Link, PracticeInput, PracticeResult};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::taxonomy::{AgeGroup, OrganisationKind, PracticeStatus, Taxonomy, PROVINCES};
use crate::validation::{EditError, FieldErrors};
use crate::vocabulary::Vocabulary;

/// What the form sent: the practice, which button was pressed, and the CSRF token.
struct Submitted {
    input: PracticeInput,
    action: String,
    csrf: String,
}

fn parse_form(body: &[u8]) -> Result<Submitted, RouteError> {
    let pairs = super::form_fields(body)?;
    let mut input = PracticeInput::default();
    let (mut action, mut csrf) = (String::new(), String::new());
    let (mut contact_name, mut contact_role, mut contact_email) = (String::new(), String::new(), String::new());
    let (mut contact_profile, mut email_public) = (String::new(), false);
    for (key, value) in pairs {
        match key.as_str() {
            "title" => input.title = value,
            "summary" => input.summary = value,
            "body" => input.body = value,
            "organisation" => input.organisation = value,
            "province" => input.province = Some(value).filter(|province| !province.is_empty()),
            "themes" => input.themes.push(value),
            "advices" => input.advices.push(value),
            "age_groups" => input.age_groups.push(value),
            "partners" => input.partners.push(value),
            "contact_name" => contact_name = value.trim().to_string(),
            "contact_role" => contact_role = value.trim().to_string(),
            "contact_email" => contact_email = value.trim().to_string(),
            "contact_profile" => contact_profile = value.trim().to_string(),
            "contact_email_public" => email_public = true,
            "links" => input.links = parse_links(&value),
            "results" => input.results = parse_results(&value),
            "published_at" => input.published_at = Some(value).filter(|date| !date.trim().is_empty()),
            "action" => action = value,
            "csrf" => csrf = value,
            _ => {}
        }
    }
    input.contact = (!contact_name.is_empty() || !contact_profile.is_empty()).then(|| Contact {
        name: contact_name,
        role: Some(contact_role).filter(|role| !role.is_empty()),
        email: Some(contact_email).filter(|email| !email.is_empty()),
        email_public,
        profile: Some(contact_profile).filter(|profile| !profile.is_empty()),
    });
    Ok(Submitted { input, action, csrf })
}

/// One link a line: "Titel | https://…" (or only the address).
fn parse_links(text: &str) -> Vec<Link> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.rsplit_once('|') {
            Some((title, url)) => Link { title: title.trim().to_string(), url: url.trim().to_string() },
            None => Link { title: line.to_string(), url: line.to_string() },
        })
        .collect()
}

/// One result a line: "25% minder doorverwijzingen | toelichting" (or only text).
fn parse_results(text: &str) -> Vec<PracticeResult> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once('|') {
            Some((figure, text)) => {
                PracticeResult { text: text.trim().to_string(), figure: Some(figure.trim().to_string()) }
            }
            None => PracticeResult { text: line.to_string(), figure: None },
        })
        .collect()
}

fn links_text(links: &[Link]) -> String {
    links.iter().map(|link| format!("{} | {}", link.title, link.url)).collect::<Vec<_>>().join("\n")
}

fn results_text(results: &[PracticeResult]) -> String {
    results
        .iter()
        .map(|result| match &result.figure {
            Some(figure) => format!("{figure} | {}", result.text),
            None => result.text.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything the form template needs, with the input kept as typed.
async fn form_data(
    state: &AppState,
    actor: &Actor,
    input: &PracticeInput,
    slug: Option<&str>,
    errors: Option<&FieldErrors>,
    preview: Option<String>,
) -> Result<serde_json::Value, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    let organisations = editing::organisations_for(&state.db, actor).await?;
    let checked = |list: &[String], slug: &str| list.iter().any(|value| value == slug);
    let contact = input.contact.clone();
    let candidates = editing::contact_candidates(&state.db, actor).await?;
    let chosen_profile = contact.as_ref().and_then(|contact| contact.profile.as_deref());
    Ok(serde_json::json!({
        "page_title": if slug.is_some() { "Praktijk bewerken" } else { "Nieuwe praktijk" },
        "slug": slug,
        "action": slug.map(|slug| format!("/praktijken/{slug}/bewerken")).unwrap_or_else(|| "/praktijken/nieuw".into()),
        "input": input,
        "status_label": input.status.as_deref().map(PracticeStatus::label_of),
        "errors": errors,
        "preview": preview,
        "contact_name": contact.as_ref().map(|contact| contact.name.clone()),
        "contact_role": contact.as_ref().and_then(|contact| contact.role.clone()),
        "contact_email": contact.as_ref().and_then(|contact| contact.email.clone()),
        "contact_email_public": contact.as_ref().is_some_and(|contact| contact.email_public),
        "contact_candidates": candidates.iter().map(|candidate| serde_json::json!({
            "slug": candidate.profile_slug,
            "label": format!("{} ({})", candidate.name, candidate.organisation),
            "selected": chosen_profile == Some(candidate.profile_slug.as_str()),
        })).collect::<Vec<_>>(),
        "links_text": links_text(&input.links),
        "results_text": results_text(&input.results),
        "published_date": input.published_at.as_deref().map(|date| date.chars().take(10).collect::<String>()),
        "organisations": organisations.iter().map(|organisation| serde_json::json!({
            "slug": organisation.slug, "name": organisation.name, "selected": organisation.slug == input.organisation,
        })).collect::<Vec<_>>(),
        "provinces": PROVINCES.iter().map(|name| serde_json::json!({
            "name": name, "selected": input.province.as_deref() == Some(*name),
        })).collect::<Vec<_>>(),
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({
            "slug": theme.slug, "name": theme.name, "checked": checked(&input.themes, &theme.slug),
        })).collect::<Vec<_>>(),
        "advices": taxonomy.advices.iter().map(|advice| serde_json::json!({
            "slug": advice.slug, "name": advice.name, "checked": checked(&input.advices, &advice.slug),
        })).collect::<Vec<_>>(),
        "age_groups": AgeGroup::slugs().iter().map(|slug| serde_json::json!({
            "slug": slug, "name": AgeGroup::label_of(slug), "checked": checked(&input.age_groups, slug),
        })).collect::<Vec<_>>(),
        "partners": OrganisationKind::slugs().iter().map(|slug| serde_json::json!({
            "slug": slug, "name": OrganisationKind::label_of(slug), "checked": checked(&input.partners, slug),
        })).collect::<Vec<_>>(),
    }))
}

#[get("/praktijken/nieuw")]
pub async fn new_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let viewer = Viewer(Some(actor.clone()));
    let input = PracticeInput { status: Some(PracticeStatus::Concept.slug().into()), ..Default::default() };
    let data = form_data(&state, &actor, &input, None, None, None).await?;
    form_page(&request, &state, "editor/form", &viewer, data)
}

#[post("/praktijken/nieuw")]
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    submit(&request, &state, actor, None, parse_form(&body)?).await
}

#[get("/praktijken/{slug}/bewerken")]
pub async fn edit_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let input = editing::current_input(&state.db, &actor, &slug).await?;
    let data = form_data(&state, &actor, &input, Some(&slug), None, None).await?;
    form_page(&request, &state, "editor/form", &Viewer(Some(actor)), data)
}

#[post("/praktijken/{slug}/bewerken")]
pub async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    submit(&request, &state, actor, Some(&slug), parse_form(&body)?).await
}

/// Preview, save as concept, publish or archive; validation messages go back into the form.
async fn submit(
    request: &HttpRequest,
    state: &AppState,
    actor: Actor,
    slug: Option<&str>,
    submitted: Submitted,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(request, &submitted.csrf)?;
    let mut input = submitted.input;
    let status = match submitted.action.as_str() {
        "voorbeeld" => None,
        "publiceren" => Some(PracticeStatus::Gepubliceerd),
        "archiveren" => Some(PracticeStatus::Gearchiveerd),
        _ => Some(PracticeStatus::Concept),
    };
    let viewer = Viewer(Some(actor.clone()));
    let Some(status) = status else {
        let preview = markdown::to_safe_html(&input.body);
        let data = form_data(state, &actor, &input, slug, None, Some(preview)).await?;
        return form_page(request, state, "editor/form", &viewer, data);
    };
    input.status = Some(status.slug().to_string());
    let saved = match slug {
        Some(slug) => editing::update(&state.db, &actor, slug, input.clone()).await,
        None => editing::create(&state.db, &actor, input.clone()).await,
    };
    match saved {
        Ok(view) => Ok(see_other_with(&format!("/praktijken/{}/bewerken", view.slug), Notice::for_practice(status))),
        Err(EditError::Invalid(errors)) => {
            // Nothing was saved: the form shows the status the practice still has.
            input.status = match slug {
                Some(slug) => editing::current_input(&state.db, &actor, slug).await?.status,
                None => None,
            };
            let data = form_data(state, &actor, &input, slug, Some(&errors), None).await?;
            form_again(request, state, "editor/form", &viewer, data)
        }
        Err(other) => Err(other.into()),
    }
}

#[get("/mijn-praktijken")]
pub async fn mine(
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let request = PageRequest::parse(&params, 25)?;
    let found = editing::list_editable(&state.db, &actor, request).await?;
    let pages =
        PageLinks::new(request.page, request.per_page, found.total, |page| format!("/mijn-praktijken?page={page}"));
    page(
        "editor/mine",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Mijn praktijken", "items": found.items, "total": found.total, "pages": pages }),
    )
}

#[get("/praktijken/{slug}/versies")]
pub async fn versions(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let versions = editing::versions(&state.db, &actor, &slug).await?;
    form_page(
        &request,
        &state,
        "editor/versions",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Eerdere versies", "slug": *slug, "versions": versions }),
    )
}

#[get("/praktijken/{slug}/versies/{number}")]
pub async fn version(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let (slug, number) = path.into_inner();
    let input = editing::version(&state.db, &actor, &slug, number).await?;
    page(
        "editor/version",
        &Viewer(Some(actor)),
        serde_json::json!({
            "page_title": format!("Versie {number}"),
            "slug": slug,
            "number": number,
            "input": input,
            "body_html": markdown::to_safe_html(&input.body),
        }),
    )
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/praktijken/{slug}/versies/{number}/herstellen")]
pub async fn restore(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    state.csrf.verify(&request, &form.csrf)?;
    let (slug, number) = path.into_inner();
    editing::restore(&state.db, &actor, &slug, number).await?;
    Ok(see_other_with(&format!("/praktijken/{slug}/bewerken"), Notice::VersionRestored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_a_practice() {
        let body = "title=Dokwerk&themes=a&themes=b&links=Site+%7C+https%3A%2F%2Fx.nl%0D%0Ahttps%3A%2F%2Fy.nl\
                    &results=60%25+%7C+doorstroom%0D%0AKleine+groepen&contact_name=Femke&contact_email=&action=publiceren&csrf=t";
        let submitted = parse_form(body.as_bytes()).unwrap();
        assert_eq!(submitted.input.title, "Dokwerk");
        assert_eq!(submitted.input.themes, ["a", "b"]);
        assert_eq!(submitted.input.links[0], Link { title: "Site".into(), url: "https://x.nl".into() });
        assert_eq!(submitted.input.links[1].url, "https://y.nl");
        assert_eq!(submitted.input.results[0].figure.as_deref(), Some("60%"));
        assert_eq!(submitted.input.results[1].text, "Kleine groepen");
        assert_eq!(submitted.input.contact.as_ref().unwrap().email, None);
        assert_eq!((submitted.action.as_str(), submitted.csrf.as_str()), ("publiceren", "t"));
    }
}
