//! Document pages: reading, downloading and uploading harvest documents.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::{form_again, form_page, see_other_with, Notice};
use crate::actor::policy;
use crate::documents::files::readable_size;
use crate::documents::{self, DocumentKind};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::uploads;
use crate::routes::AppState;
use crate::taxonomy::Taxonomy;
use crate::validation::{EditError, FieldErrors};
use crate::vocabulary::Vocabulary;

fn missing() -> RouteError {
    RouteError::NotFound("Dit document bestaat niet.".into())
}

#[get("/documenten/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let document = documents::find_visible(&state.db, viewer.0.as_ref(), &slug).await?.ok_or_else(missing)?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let themes: Vec<_> = document
        .themes
        .iter()
        .map(|slug| serde_json::json!({"slug": slug, "name": taxonomy.theme_name(slug)}))
        .collect();
    let size = document.file_size.map(|bytes| readable_size(bytes.max(0) as u64));
    form_page(
        &request,
        &state,
        "document",
        &viewer,
        serde_json::json!({ "page_title": document.title, "document": document, "themes": themes, "size": size }),
    )
}

/// The file itself (see `uploads::stored_file`).
#[get("/documenten/{slug}/download")]
pub async fn download(
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (hash, name, content_type) =
        documents::file_visible(&state.db, viewer.0.as_ref(), &slug).await?.ok_or_else(missing)?;
    Ok(uploads::stored_file(&state.uploads.store, &hash, &name, content_type).await.map_err(|_| missing())?)
}

/// What the new document will belong to (slugs; empty for none), as the form carries it.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewParams {
    praktijk: String,
    nieuws: String,
    bijeenkomst: String,
}

/// The fields the form marks, with their message beside them.
const MARKED_FIELDS: [&str; 2] = ["file", "title"];

async fn form_data(
    state: &AppState,
    owner: &NewParams,
    errors: Option<&FieldErrors>,
) -> Result<serde_json::Value, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    let all_errors = errors.into_iter().flat_map(FieldErrors::iter);
    // Other fields are hidden (an owner from an outdated `?praktijk=` link) or never wrong
    // when chosen on the form; their messages, which name them, go above the form.
    let (marked, unmarked): (Vec<_>, Vec<_>) = all_errors.partition(|(field, _)| MARKED_FIELDS.contains(field));
    let mut marked_errors = FieldErrors::default();
    for (field, message) in marked {
        marked_errors.add(field, message);
    }
    Ok(serde_json::json!({
        "page_title": "Document uploaden",
        "practice": owner.praktijk,
        "news": owner.nieuws,
        "event": owner.bijeenkomst,
        "max_size": readable_size(state.uploads.max_bytes as u64),
        "kinds": DocumentKind::slugs().iter().map(|slug| serde_json::json!({"slug": slug, "name": DocumentKind::label_of(slug)})).collect::<Vec<_>>(),
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({"slug": theme.slug, "name": theme.name})).collect::<Vec<_>>(),
        "errors": marked_errors,
        "unlinked_errors": unmarked.into_iter().map(|(_, message)| message).collect::<Vec<_>>(),
    }))
}

#[get("/documenten/nieuw")]
pub async fn new_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<NewParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let data = form_data(&state, &params, None).await?;
    form_page(&request, &state, "document_form", &Viewer(Some(actor)), data)
}

#[post("/documenten/nieuw")]
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let received = uploads::read(payload, state.uploads.max_bytes).await?;
    state.csrf.verify(&request, &received.csrf)?;
    let owner = NewParams {
        praktijk: received.upload.practice.clone().unwrap_or_default(),
        nieuws: received.upload.news.clone().unwrap_or_default(),
        bijeenkomst: received.upload.event.clone().unwrap_or_default(),
    };
    if !received.errors.is_empty() {
        return again(&request, &state, actor, &owner, EditError::Invalid(received.errors)).await;
    }
    match documents::upload_as(&state.db, &state.uploads, &actor, received.upload).await {
        Ok(document) => Ok(see_other_with(&document.url, Notice::DocumentUploaded)),
        Err(error) => again(&request, &state, actor, &owner, error).await,
    }
}

/// The form once more with the messages (a browser cannot keep the chosen file).
async fn again(
    request: &HttpRequest,
    state: &AppState,
    actor: crate::actor::Actor,
    owner: &NewParams,
    error: EditError,
) -> Result<HttpResponse, PageError> {
    let EditError::Invalid(errors) = error else { return Err(error.into()) };
    let data = form_data(state, owner, Some(&errors)).await?;
    form_again(request, state, "document_form", &Viewer(Some(actor)), data)
}
