//! Reviewing applications (`/beoordelen`), and the programme office's reviewers and
//! selection board of a call (`/beheer/oproepen/{slug}/…`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_fields, form_page, page, see_other, see_other_with, Notice};
use crate::actor::{policy, Actor};
use crate::calls::applications::ApplicationView;
use crate::calls::reviews::{self, ReviewError, ReviewInput};
use crate::calls::{self, attachments, selection};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::{uploads, AppState};

fn not_found() -> RouteError {
    RouteError::from(ReviewError::NotFound)
}

#[get("/beoordelen")]
pub async fn calls_to_review(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    let now = chrono::Utc::now();
    let calls: Vec<calls::CallView> =
        reviews::calls_for(&state.db, &actor).await?.iter().map(|call| calls::view(call, now)).collect();
    page("reviews/calls", &Viewer(Some(actor)), serde_json::json!({ "page_title": "Beoordelen", "calls": calls }))
}

#[get("/beoordelen/{slug}")]
pub async fn applications(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    let call = reviews::call_to_review(&state.db, &actor, &slug).await.map_err(RouteError::from)?;
    let listed = reviews::list(&state.db, &actor, &call).await?;
    let data = serde_json::json!({
        "page_title": format!("Beoordelen: {}", call.title),
        "call": calls::view(&call, chrono::Utc::now()),
        "applications": listed,
    });
    page("reviews/list", &Viewer(Some(actor)), data)
}

/// The review page's data: the application, the actor's review, and the others' once
/// the actor's own is submitted.
async fn review_page(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    id: i32,
    typed: Option<&ReviewInput>,
) -> Result<serde_json::Value, PageError> {
    let call = reviews::call_to_review(&state.db, actor, slug).await.map_err(RouteError::from)?;
    let (found, own) = reviews::application_to_review(&state.db, actor, &call, id).await.map_err(RouteError::from)?;
    let application = ApplicationView::of(&call, &found).with_attachments(&attachments::of(&state.db, found.id).await?);
    let criteria = calls::criteria(&call);
    let mut review = reviews::review_view(&criteria, own.as_ref(), actor.name.clone());
    if let Some(typed) = typed {
        for criterion in &mut review.criteria {
            criterion.score = typed.scores.get(&criterion.key).and_then(|score| score.trim().parse().ok());
            criterion.remark = typed.remarks.get(&criterion.key).cloned().unwrap_or_default();
        }
    }
    let others = reviews::others(&state.db, actor, &call, own.as_ref(), found.id).await?;
    Ok(serde_json::json!({
        "page_title": format!("Beoordeling: {}", application.details.organisation),
        "path": format!("/beoordelen/{}/{}", call.slug, found.id),
        "application": application,
        "review": review,
        "scale": (1..=call.scale_max).collect::<Vec<_>>(),
        "scale_max": call.scale_max,
        "others": others,
    }))
}

#[get("/beoordelen/{slug}/{id}")]
pub async fn review_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    let (slug, id) = path.into_inner();
    let data = review_page(&state, &actor, &slug, id, None).await?;
    form_page(&request, &state, "reviews/application", &Viewer(Some(actor)), data)
}

/// The review form: `score_{key}`, `remark_{key}`, and the button `action` (save or submit).
fn review_input(fields: Vec<(String, String)>) -> (ReviewInput, String) {
    let mut input = ReviewInput::default();
    let mut csrf = String::new();
    for (name, value) in fields {
        if let Some(key) = name.strip_prefix("score_") {
            input.scores.insert(key.to_string(), value);
        } else if let Some(key) = name.strip_prefix("remark_") {
            input.remarks.insert(key.to_string(), value);
        } else if name == "action" {
            input.submit = value == "submit";
        } else if name == "csrf" {
            csrf = value;
        }
    }
    (input, csrf)
}

#[post("/beoordelen/{slug}/{id}")]
pub async fn save_review(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    let (input, csrf) = review_input(form_fields(&body)?);
    state.csrf.verify(&request, &csrf)?;
    let (slug, id) = path.into_inner();
    match reviews::save(&state.db, &actor, &slug, id, &input).await {
        Ok(saved) => {
            let notice = if saved.submitted_at.is_some() { Notice::ReviewSubmitted } else { Notice::ReviewSaved };
            Ok(see_other_with(&format!("/beoordelen/{slug}/{id}"), notice))
        }
        Err(ReviewError::Invalid(errors)) => {
            let mut data = review_page(&state, &actor, &slug, id, Some(&input)).await?;
            if let Some(criteria) = data["review"]["criteria"].as_array_mut() {
                for criterion in criteria {
                    let key = criterion["key"].as_str().unwrap_or_default().to_string();
                    criterion["score_error"] = errors.first(&format!("score_{key}")).into();
                    criterion["remark_error"] = errors.first(&format!("remark_{key}")).into();
                }
            }
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(&request, &state, "reviews/application", &Viewer(Some(actor)), data)
        }
        Err(error) => Err(RouteError::from(error).into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/beoordelen/{slug}/{id}/belang")]
pub async fn declare_conflict(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    state.csrf.verify(&request, &form.csrf)?;
    let (slug, _) = path.as_ref();
    reviews::declare_conflict(&state.db, &actor, slug, path.1).await.map_err(RouteError::from)?;
    Ok(see_other_with(&format!("/beoordelen/{slug}"), Notice::ConflictDeclared))
}

#[get("/beoordelen/{slug}/{id}/bijlagen/{attachment}")]
pub async fn attachment(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32, i32)>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_review)?;
    let (slug, id, attachment) = path.into_inner();
    let call = reviews::call_to_review(&state.db, &actor, &slug).await.map_err(RouteError::from)?;
    let (found, _) = reviews::application_to_review(&state.db, &actor, &call, id).await.map_err(RouteError::from)?;
    let file = attachments::find_of(&state.db, found.id, attachment).await?.ok_or_else(not_found)?;
    let response = uploads::stored_file(&state.uploads.store, &file.file_hash, &file.file_name, file.content_type)
        .await
        .map_err(|_| not_found())?;
    Ok(response)
}

/// The call behind `slug` for the programme office.
async fn office_call(state: &AppState, slug: &str) -> Result<entity::call::Model, PageError> {
    Ok(calls::find(&state.db, slug).await?.ok_or_else(|| RouteError::NotFound("Deze oproep bestaat niet.".into()))?)
}

#[get("/beheer/oproepen/{slug}/beoordelaars")]
pub async fn reviewers(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let call = office_call(&state, &slug).await?;
    let assigned = reviews::reviewers(&state.db, &call).await?;
    let candidates: Vec<_> = reviews::candidates(&state.db)
        .await?
        .into_iter()
        .filter(|candidate| !assigned.iter().any(|reviewer| reviewer.id == candidate.id))
        .map(|candidate| serde_json::json!({ "id": candidate.id, "name": candidate.name, "email": candidate.email }))
        .collect();
    let assigned: Vec<_> = assigned
        .iter()
        .map(|reviewer| serde_json::json!({ "id": reviewer.id, "name": reviewer.name, "email": reviewer.email }))
        .collect();
    let data = serde_json::json!({
        "page_title": format!("Beoordelaars: {}", call.title),
        "call": calls::view(&call, chrono::Utc::now()),
        "assigned": assigned,
        "candidates": candidates,
    });
    form_page(&request, &state, "calls/reviewers", &Viewer(Some(actor)), data)
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    csrf: String,
}

#[post("/beheer/oproepen/{slug}/beoordelaars")]
pub async fn assign(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let call = office_call(&state, &slug).await?;
    let user_id = form.reviewer.trim().parse().unwrap_or(0);
    reviews::assign(&state.db, &actor, &call, user_id).await.map_err(RouteError::from)?;
    Ok(see_other_with(&format!("/beheer/oproepen/{}/beoordelaars", call.slug), Notice::ReviewersChanged))
}

#[post("/beheer/oproepen/{slug}/beoordelaars/{user}/verwijderen")]
pub async fn unassign(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let call = office_call(&state, &path.0).await?;
    reviews::unassign(&state.db, &actor, &call, path.1).await.map_err(RouteError::from)?;
    Ok(see_other_with(&format!("/beheer/oproepen/{}/beoordelaars", call.slug), Notice::ReviewersChanged))
}

#[get("/beheer/oproepen/{slug}/selectie")]
pub async fn selection_board(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let call = office_call(&state, &slug).await?;
    let board = selection::board(&state.db, &actor, &call).await.map_err(RouteError::from)?;
    let data = serde_json::json!({
        "page_title": format!("Selectie: {}", call.title),
        "call": calls::view(&call, chrono::Utc::now()),
        // The map is built from the shipped outline and numbers only (see `province_map`).
        "map": selection::province_map(&board.summary.provinces),
        "call_scale": call.scale_max,
        "board": board,
    });
    form_page(&request, &state, "calls/selection", &Viewer(Some(actor)), data)
}

#[derive(Debug, Deserialize)]
pub struct SelectForm {
    #[serde(default)]
    selected: String,
    #[serde(default)]
    csrf: String,
}

#[post("/beheer/oproepen/{slug}/selectie/{id}")]
pub async fn select(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, i32)>,
    form: web::Form<SelectForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let call = office_call(&state, &path.0).await?;
    let selected = form.selected == "ja";
    selection::set_selected(&state.db, &actor, &call, path.1, selected).await.map_err(RouteError::from)?;
    Ok(see_other(&format!("/beheer/oproepen/{}/selectie#aanmelding-{}", call.slug, path.1)))
}

#[get("/beheer/oproepen/{slug}/selectie.csv")]
pub async fn board_csv(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let call = office_call(&state, &slug).await?;
    let found = selection::board(&state.db, &actor, &call).await.map_err(RouteError::from)?;
    let bytes = selection::board_csv(&found).map_err(|error| RouteError::Internal(error.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(actix_web::http::header::ContentDisposition::attachment(format!("selectie-{}.csv", call.slug)))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
