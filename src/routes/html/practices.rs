use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{form_page, page};
use crate::actor::policy;
use crate::documents;
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::practices::{self, editing, Listing};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::search::ItemKind;
use crate::taxonomy::PracticeStatus;
use crate::vocabulary::Vocabulary;

const PER_PAGE: u64 = 12;
const SIMILAR: usize = 5;

#[get("/praktijken")]
pub async fn list(
    viewer: Viewer,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let request = PageRequest::parse(&params, PER_PAGE)?;
    let found = practices::list_published(&state.db, Listing::All, request).await?;
    let pages = PageLinks::new(request.page, request.per_page, found.total, |page| format!("/praktijken?page={page}"));
    page(
        "practices",
        &viewer,
        serde_json::json!({
            "page_title": "Praktijken",
            "heading": "Praktijken",
            "intro": "Wat regio's en leden in het netwerk doen, van thuiszitterslabs tot één zorgteam rond school.",
            "items": found.items,
            "total": found.total,
            "pages": pages,
            "empty": "Er zijn nog geen praktijken gepubliceerd.",
        }),
    )
}

#[get("/praktijken/{slug}")]
pub async fn show(
    request: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let practice = editing::find_visible(&state.db, viewer.0.as_ref(), &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Deze praktijk bestaat niet of is niet (meer) gepubliceerd.".into()))?;
    let can_edit =
        viewer.0.as_ref().is_some_and(|actor| policy::can_edit_practices_of(actor, practice.organisation.id));
    let attachments =
        documents::attached_to(&state.db, viewer.0.as_ref(), documents::AttachedTo::Practice(practice.id)).await?;
    let id = practices::id_of(&state.db, &slug).await?;
    let index = state.search.clone();
    let similar = match id {
        Some(id) => web::block(move || index.similar(ItemKind::Practice, id, SIMILAR)).await??,
        None => Vec::new(),
    };
    form_page(
        &request,
        &state,
        "practice",
        &viewer,
        serde_json::json!({
            "page_title": practice.title,
            "description": practice.summary,
            "status_label": PracticeStatus::label_of(&practice.status),
            "unpublished": practice.status != PracticeStatus::Gepubliceerd.slug(),
            "practice": practice,
            "similar": similar,
            "can_edit": can_edit,
            "attachments": attachments,
        }),
    )
}
