//! News pages, and writing news for the programme office.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_page, page, see_other_with, Notice};
use crate::actor::{policy, Actor};
use crate::documents;
use crate::news::{self, NewsInput};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::practices;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::taxonomy::Taxonomy;
use crate::validation::EditError;

const PER_PAGE: u64 = 10;

#[get("/nieuws")]
pub async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let request = PageRequest::parse(&params, PER_PAGE)?;
    let found = news::list_published(&state.db, request).await?;
    let pages = PageLinks::new(request.page, request.per_page, found.total, |page| format!("/nieuws?page={page}"));
    let can_write = viewer.0.as_ref().is_some_and(policy::can_manage_network);
    page(
        "news/list",
        &viewer,
        serde_json::json!({ "page_title": "Nieuws", "items": found.items, "pages": pages, "can_write": can_write }),
    )
}

#[get("/nieuws/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let item = news::find_visible(&state.db, viewer.0.as_ref(), &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Dit nieuwsbericht bestaat niet (of is nog niet gepubliceerd).".into()))?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let themes: Vec<_> =
        item.themes.iter().map(|slug| serde_json::json!({"slug": slug, "name": taxonomy.theme_name(slug)})).collect();
    let mut related = Vec::new();
    for slug in &item.practices {
        related.extend(practices::find_published(&state.db, slug).await?);
    }
    let attachments =
        documents::attached_to(&state.db, viewer.0.as_ref(), documents::AttachedTo::News(item.id)).await?;
    let can_write = viewer.0.as_ref().is_some_and(policy::can_manage_network);
    form_page(
        &request,
        &state,
        "news/show",
        &viewer,
        serde_json::json!({
            "page_title": item.title,
            "description": item.summary,
            "item": item,
            "themes": themes,
            "related": related,
            "attachments": attachments,
            "can_write": can_write,
        }),
    )
}

async fn form_data(
    state: &AppState,
    input: &NewsInput,
    existing: Option<&str>,
) -> Result<serde_json::Value, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    let local_time = input
        .published_at
        .as_deref()
        .and_then(news::parse_time)
        .map(|time| time.with_timezone(&chrono_tz::Europe::Amsterdam).format("%Y-%m-%dT%H:%M").to_string());
    Ok(serde_json::json!({
        "page_title": if existing.is_some() { "Nieuwsbericht bewerken" } else { "Nieuw nieuwsbericht" },
        "action": existing.map(|slug| format!("/nieuws/{slug}/bewerken")).unwrap_or_else(|| "/nieuws/nieuw".into()),
        "input": input,
        "local_time": local_time,
        "practices_text": input.practices.join(", "),
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({
            "slug": theme.slug, "name": theme.name, "checked": input.themes.contains(&theme.slug),
        })).collect::<Vec<_>>(),
    }))
}

#[get("/nieuws/nieuw")]
pub async fn new_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let data = form_data(&state, &NewsInput::default(), None).await?;
    form_page(&request, &state, "news/form", &Viewer(Some(actor)), data)
}

#[get("/nieuws/{slug}/bewerken")]
pub async fn edit_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let item = news::find_visible(&state.db, Some(&actor), &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Dit nieuwsbericht bestaat niet.".into()))?;
    let input = NewsInput {
        slug: item.slug.clone(),
        title: item.title,
        summary: item.summary,
        body: item.body,
        published_at: Some(item.published_at.to_rfc3339()),
        themes: item.themes,
        practices: item.practices,
    };
    let data = form_data(&state, &input, Some(&item.slug)).await?;
    form_page(&request, &state, "news/form", &Viewer(Some(actor)), data)
}

fn parse_form(body: &[u8]) -> Result<(NewsInput, String), RouteError> {
    let pairs = super::form_fields(body)?;
    let mut input = NewsInput::default();
    let mut csrf = String::new();
    for (key, value) in pairs {
        match key.as_str() {
            "title" => input.title = value,
            "summary" => input.summary = value,
            "body" => input.body = value,
            "published_at" => input.published_at = Some(value).filter(|time| !time.trim().is_empty()),
            "themes" => input.themes.push(value),
            "practices" => {
                input.practices =
                    value.split(',').map(str::trim).filter(|slug| !slug.is_empty()).map(str::to_string).collect()
            }
            "csrf" => csrf = value,
            _ => {}
        }
    }
    Ok((input, csrf))
}

#[derive(Deserialize)]
pub struct Slug {
    slug: String,
}

#[post("/nieuws/nieuw")]
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    submit(&request, &state, actor, None, &body).await
}

#[post("/nieuws/{slug}/bewerken")]
pub async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<Slug>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    submit(&request, &state, actor, Some(&path.slug), &body).await
}

async fn submit(
    request: &HttpRequest,
    state: &AppState,
    actor: Actor,
    existing: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse, PageError> {
    let (input, csrf) = parse_form(body)?;
    state.csrf.verify(request, &csrf)?;
    match news::save_as(&state.db, &actor, existing, input.clone()).await {
        Ok(saved) => Ok(see_other_with(&format!("/nieuws/{}", saved.slug), Notice::NewsSaved)),
        Err(EditError::Invalid(errors)) => {
            let mut data = form_data(state, &input, existing).await?;
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(request, state, "news/form", &Viewer(Some(actor)), data)
        }
        Err(other) => Err(other.into()),
    }
}
