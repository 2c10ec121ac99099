//! The accessibility statement, privacy statement and contact page, linked from every
//! page's footer, and their editing by the programme office at `/beheer/paginas`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::admin::invalid_again;
use super::{form_page, see_other_with, Notice};
use crate::actor::policy;
use crate::markdown;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::site_pages::{self, Defaults, SitePage, SitePageInput};

fn defaults(state: &AppState) -> Defaults {
    Defaults::from_config(&state.config)
}

fn known_page(slug: &str) -> Result<SitePage, PageError> {
    SitePage::from_slug(slug).ok_or_else(|| PageError(RouteError::NotFound("Deze pagina bestaat niet.".into())))
}

#[get("/{slug:toegankelijkheid|privacy|contact}")]
pub async fn show(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let content = site_pages::find(&state.db, &defaults(&state), known_page(&slug)?).await?;
    let can_edit = viewer.0.as_ref().is_some_and(policy::can_manage_network);
    let data = serde_json::json!({
        "page_title": content.title,
        "body": markdown::to_safe_html(&content.body_markdown),
        "page": content,
        "can_edit": can_edit,
    });
    form_page(&request, &state, "site_page", &viewer, data)
}

#[get("/beheer/paginas")]
pub async fn edit_list(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let pages = site_pages::all(&state.db, &defaults(&state)).await?;
    let data = serde_json::json!({ "page_title": "Pagina's", "pages": pages });
    form_page(&request, &state, "admin/pages", &Viewer(Some(actor)), data)
}

fn form_data(page: SitePage, input: &SitePageInput) -> serde_json::Value {
    serde_json::json!({
        "page_title": "Pagina bewerken",
        "slug": page.slug(),
        "action": format!("/beheer/paginas/{}", page.slug()),
        "input": input,
    })
}

#[get("/beheer/paginas/{slug}")]
pub async fn edit_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let page = known_page(&slug)?;
    let content = site_pages::find(&state.db, &defaults(&state), page).await?;
    let input = SitePageInput { title: content.title, body_markdown: content.body_markdown };
    form_page(&request, &state, "admin/page", &Viewer(Some(actor)), form_data(page, &input))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageForm {
    title: String,
    body_markdown: String,
    /// "voorbeeld" shows the text as it will look, without saving.
    action: String,
    csrf: String,
}

#[post("/beheer/paginas/{slug}")]
pub async fn save(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<PageForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let page = known_page(&slug)?;
    let form = form.into_inner();
    let input = SitePageInput { title: form.title, body_markdown: form.body_markdown };
    if form.action == "voorbeeld" {
        let mut data = form_data(page, &input);
        data["preview"] = markdown::to_safe_html(&input.body_markdown).into();
        return form_page(&request, &state, "admin/page", &Viewer(Some(actor)), data);
    }
    match site_pages::save_as(&state.db, &actor, page, input.clone()).await {
        Ok(saved) => Ok(see_other_with(&format!("/{}", saved.slug), Notice::PageSaved)),
        Err(error) => invalid_again(&request, &state, "admin/page", actor, form_data(page, &input), error),
    }
}
