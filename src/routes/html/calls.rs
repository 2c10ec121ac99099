//! Open calls to join the network: the public page `/meedoen` and the programme office's
//! `/beheer/oproepen`.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::admin::invalid_again;
use super::{form_again, form_fields, form_page, page, see_other_with, Notice};
use crate::actor::{policy, Actor};
use crate::calls::applications::{self, ApplicationView, ApplyError, Desk, Draft};
use crate::calls::attachments;
use crate::calls::{self, CallInput, CallKind, Phase};
use crate::documents::files::readable_size;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::routes::{rate_limit, uploads};
use crate::validation::{EditError, FieldErrors};

const NO_CALL: &str = "Deze oproep bestaat niet.";

#[get("/meedoen")]
pub async fn public_list(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let now = Utc::now();
    let current: Vec<calls::CallView> =
        calls::current(&state.db, now).await?.iter().map(|call| calls::view(call, now)).collect();
    let data = serde_json::json!({ "page_title": "Meedoen met het netwerk", "calls": current });
    page("calls/list", &viewer, data)
}

#[get("/meedoen/{slug}")]
pub async fn public_show(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let call = calls::find(&state.db, &slug).await?.ok_or(RouteError::NotFound(NO_CALL.into()))?;
    form_page(&request, &state, "calls/show", &viewer, call_page(&call, ""))
}

fn call_page(call: &entity::call::Model, email: &str) -> serde_json::Value {
    let view = calls::view(call, Utc::now());
    serde_json::json!({
        "page_title": view.title,
        "open": view.phase == Phase::Open,
        "closed": view.phase == Phase::Closed,
        "upcoming": view.phase == Phase::Upcoming,
        "call": view,
        "email": email,
    })
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// Asks for the private link to one's application by mail.
#[post("/meedoen/{slug}")]
pub async fn start(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<StartForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let call = calls::find(&state.db, &slug).await?.ok_or(RouteError::NotFound(NO_CALL.into()))?;
    rate_limit::check_registration(&state.limits, &request, &form.email)?;
    match (Desk { db: &state.db, mail: &state.mail }).start(&call, &form.email).await {
        Ok(()) => Ok(see_other_with(&format!("/meedoen/{}", call.slug), Notice::ApplicationLinkSent)),
        Err(ApplyError::Invalid(errors)) => {
            let mut data = call_page(&call, &form.email);
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(&request, &state, "calls/show", &viewer, data)
        }
        Err(error) => Err(RouteError::from(error).into()),
    }
}

#[get("/meedoen/aanmelding/{token}")]
pub async fn application(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let data = application_page(&state, &token, stored_view(&state, &token, None).await?);
    form_page(&request, &state, "calls/application", &viewer, data)
}

/// The application behind a link as its page shows it: as stored, or with the `typed` draft.
async fn stored_view(state: &AppState, token: &str, typed: Option<&Draft>) -> Result<ApplicationView, PageError> {
    let (call, found) = applications::by_link(&state.db, token).await.map_err(RouteError::from)?;
    let attached = attachments::of(&state.db, found.id).await?;
    let view = match typed {
        Some(draft) => ApplicationView::as_typed(&call, &found, draft),
        None => ApplicationView::of(&call, &found),
    };
    Ok(view.with_attachments(&attached))
}

fn application_page(state: &AppState, token: &str, view: ApplicationView) -> serde_json::Value {
    serde_json::json!({
        "page_title": format!("Uw aanmelding: {}", view.call.title),
        "action": applications::application_path(token),
        "application": view,
        "provinces": crate::taxonomy::PROVINCES,
        "max_size": readable_size(state.uploads.max_bytes as u64),
        "max_attachments": attachments::MAX_ATTACHMENTS,
    })
}

/// The applicant's form as posted: the draft, and which button was pressed.
struct ApplicationForm {
    draft: Draft,
    submit: bool,
    csrf: String,
}

/// The applicant's form: details by name, answers as `answer_{key}`.
fn application_form(fields: Vec<(String, String)>) -> ApplicationForm {
    let mut form = ApplicationForm { draft: Draft::default(), submit: false, csrf: String::new() };
    for (name, value) in fields {
        let details = &mut form.draft.details;
        match name.as_str() {
            "organisation" => details.organisation = value,
            "contact_name" => details.contact_name = value,
            "contact_phone" => details.contact_phone = value,
            "municipalities" => details.municipalities = value,
            "province" => details.province = value,
            "inhabitants" => details.inhabitants = value,
            "area_km2" => details.area_km2 = value,
            "csrf" => form.csrf = value,
            "action" => form.submit = value == "submit",
            _ => {
                if let Some(key) = name.strip_prefix("answer_") {
                    form.draft.answers.insert(key.to_string(), value);
                }
            }
        }
    }
    form
}

/// Saves the draft, or submits it (the button named `action` with value `submit`).
#[post("/meedoen/aanmelding/{token}")]
pub async fn save_application(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = application_form(form_fields(&body)?);
    state.csrf.verify(&request, &form.csrf)?;
    let saved = if form.submit {
        applications::submit(&state.db, &state.mail, &token, form.draft.clone())
            .await
            .map(|_| Notice::ApplicationSubmitted)
    } else {
        applications::save_draft(&state.db, &token, form.draft.clone()).await.map(|_| Notice::DraftSaved)
    };
    let problem = match saved {
        Ok(notice) => return Ok(see_other_with(&applications::application_path(&token), notice)),
        Err(ApplyError::Invalid(errors)) => errors,
        // Too late or too early: the draft was saved; the page says why it was not submitted.
        Err(error @ (ApplyError::Closed | ApplyError::NotOpenYet)) => {
            let mut data = application_page(&state, &token, stored_view(&state, &token, None).await?);
            data["unlinked_errors"] =
                serde_json::json!([format!("{error} Uw aanmelding is niet ingediend; wat u schreef is bewaard.")]);
            let mut response = form_again(&request, &state, "calls/application", &viewer, data)?;
            *response.status_mut() = actix_web::http::StatusCode::CONFLICT;
            return Ok(response);
        }
        Err(error) => return Err(RouteError::from(error).into()),
    };
    let mut data = application_page(&state, &token, stored_view(&state, &token, Some(&form.draft)).await?);
    // Each answer's message beside its question.
    if let Some(questions) = data["application"]["questions"].as_array_mut() {
        for question in questions {
            let field = format!("answer_{}", question["key"].as_str().unwrap_or_default());
            question["error"] = problem.first(&field).into();
        }
    }
    data["errors"] = serde_json::to_value(problem).unwrap_or_default();
    form_again(&request, &state, "calls/application", &viewer, data)
}

/// Asks whether the applicant really withdraws their submitted application.
#[get("/meedoen/aanmelding/{token}/intrekken")]
pub async fn withdraw_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let view = stored_view(&state, &token, None).await?;
    if !view.can_withdraw {
        return Err(RouteError::from(ApplyError::NotSubmitted).into());
    }
    let data = serde_json::json!({
        "page_title": "Aanmelding intrekken",
        "action": format!("{}/intrekken", applications::application_path(&token)),
        "back": applications::application_path(&token),
        "application": view,
    });
    form_page(&request, &state, "calls/withdraw", &viewer, data)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/meedoen/aanmelding/{token}/intrekken")]
pub async fn withdraw(
    request: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    applications::withdraw(&state.db, &state.mail, &token).await.map_err(RouteError::from)?;
    Ok(see_other_with(&applications::application_path(&token), Notice::ApplicationWithdrawn))
}

/// Attaches a file to the application (a multipart form of its own on the page).
#[post("/meedoen/aanmelding/{token}/bijlagen")]
pub async fn attach(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let received = uploads::read(payload, state.uploads.max_bytes).await?;
    state.csrf.verify(&request, &received.csrf)?;
    let attached = match received.valid() {
        Ok(received) => {
            let upload = received.upload;
            attachments::attach(&state.db, &state.uploads, &token, &upload.file_name, upload.bytes).await
        }
        Err(RouteError::Invalid(errors)) => Err(ApplyError::Invalid(errors)),
        Err(error) => return Err(error.into()),
    };
    match attached {
        Ok(_) => Ok(see_other_with(&applications::application_path(&token), Notice::AttachmentAdded)),
        Err(ApplyError::Invalid(errors)) => {
            let mut data = application_page(&state, &token, stored_view(&state, &token, None).await?);
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(&request, &state, "calls/application", &viewer, data)
        }
        Err(error) => Err(RouteError::from(error).into()),
    }
}

#[post("/meedoen/aanmelding/{token}/bijlagen/{id}/verwijderen")]
pub async fn detach(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let (token, id) = path.into_inner();
    attachments::detach(&state.db, &state.uploads.store, &token, id).await.map_err(RouteError::from)?;
    Ok(see_other_with(&applications::application_path(&token), Notice::AttachmentRemoved))
}

#[get("/meedoen/aanmelding/{token}/bijlagen/{id}")]
pub async fn attachment(state: web::Data<AppState>, path: web::Path<(String, i32)>) -> Result<HttpResponse, PageError> {
    let (token, id) = path.into_inner();
    let found = attachments::by_link_and_id(&state.db, &token, id).await.map_err(RouteError::from)?;
    let missing = || RouteError::from(ApplyError::LinkInvalid);
    let response = uploads::stored_file(&state.uploads.store, &found.file_hash, &found.file_name, found.content_type)
        .await
        .map_err(|_| missing())?;
    Ok(response)
}

#[get("/beheer/oproepen")]
pub async fn office_list(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let now = Utc::now();
    let all: Vec<calls::CallView> = calls::all(&state.db).await?.iter().map(|call| calls::view(call, now)).collect();
    let data = serde_json::json!({ "page_title": "Oproepen", "calls": all });
    page("calls/office_list", &Viewer(Some(actor)), data)
}

/// The office's form, as typed: numbers and question lines are read by `input`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CallForm {
    kind: String,
    title: String,
    introduction: String,
    opens_at: String,
    closes_at: String,
    places: String,
    decision_on: String,
    questions: String,
    word_limit: String,
    attachments_allowed: Option<String>,
    criteria: String,
    scale_max: String,
    tranche: String,
    #[serde(skip_serializing)]
    csrf: String,
}

impl CallForm {
    fn of(input: &CallInput) -> CallForm {
        CallForm {
            kind: input.kind.slug().into(),
            title: input.title.clone(),
            introduction: input.introduction.clone(),
            opens_at: input.opens_at.clone(),
            closes_at: input.closes_at.clone(),
            places: input.places.map(|places| places.to_string()).unwrap_or_default(),
            decision_on: input.decision_on.clone(),
            questions: calls::items_to_lines(&input.questions),
            word_limit: input.word_limit.map(|limit| limit.to_string()).unwrap_or_default(),
            attachments_allowed: input.attachments_allowed.then(|| "ja".into()),
            criteria: calls::items_to_lines(&input.criteria),
            scale_max: input.scale_max.map(|scale| scale.to_string()).unwrap_or_default(),
            tranche: input.tranche.map(|tranche| tranche.to_string()).unwrap_or_default(),
            csrf: String::new(),
        }
    }

    /// A new call of `kind` with its default questions.
    fn new_call(kind: CallKind) -> CallForm {
        CallForm {
            kind: kind.slug().into(),
            questions: calls::items_to_lines(&kind.default_questions()),
            word_limit: kind.default_word_limit().map(|limit| limit.to_string()).unwrap_or_default(),
            attachments_allowed: Some("ja".into()),
            criteria: calls::items_to_lines(&kind.default_criteria()),
            scale_max: "5".into(),
            ..CallForm::default()
        }
    }

    fn input(&self) -> Result<CallInput, EditError> {
        let mut errors = FieldErrors::default();
        let kind = CallKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Kies voor wie de oproep is.");
        }
        let mut number = |field: &str, text: &str| match text.trim() {
            "" => None,
            text => text.parse::<i32>().map_err(|_| errors.add(field, "Vul een heel getal in.")).ok(),
        };
        let (places, word_limit) = (number("places", &self.places), number("word_limit", &self.word_limit));
        let (scale_max, tranche) = (number("scale_max", &self.scale_max), number("tranche", &self.tranche));
        let mut lines = |field: &str, text: &str| {
            calls::items_from_lines(text).unwrap_or_else(|message| {
                errors.add(field, message);
                Vec::new()
            })
        };
        let (questions, criteria) = (lines("questions", &self.questions), lines("criteria", &self.criteria));
        errors.into_result().map_err(EditError::Invalid)?;
        Ok(CallInput {
            kind: kind.unwrap_or(CallKind::Aandeelhouder),
            title: self.title.clone(),
            introduction: self.introduction.clone(),
            opens_at: self.opens_at.clone(),
            closes_at: self.closes_at.clone(),
            places,
            decision_on: self.decision_on.clone(),
            questions,
            word_limit,
            attachments_allowed: self.attachments_allowed.is_some(),
            criteria,
            scale_max,
            tranche,
        })
    }
}

fn form_data(action: &str, title: &str, form: &CallForm) -> serde_json::Value {
    serde_json::json!({ "page_title": title, "action": action, "input": form })
}

#[derive(Debug, Deserialize)]
pub struct NewCallQuery {
    soort: Option<String>,
}

#[get("/beheer/oproepen/nieuw")]
pub async fn new_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<NewCallQuery>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let kind = query.soort.as_deref().and_then(CallKind::parse).unwrap_or(CallKind::Inspiratieregio);
    let data = form_data("/beheer/oproepen", "Nieuwe oproep", &CallForm::new_call(kind));
    form_page(&request, &state, "calls/form", &Viewer(Some(actor)), data)
}

#[post("/beheer/oproepen")]
pub async fn create(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<CallForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let saved = match form.input() {
        Ok(input) => calls::create(&state.db, &actor, input).await,
        Err(error) => Err(error),
    };
    shown_or_again(&request, &state, actor, saved, form_data("/beheer/oproepen", "Nieuwe oproep", &form))
}

/// A saved call's page, or the form again with what was typed and why it was refused.
fn shown_or_again(
    request: &HttpRequest,
    state: &AppState,
    actor: Actor,
    saved: Result<entity::call::Model, EditError>,
    form_data: serde_json::Value,
) -> Result<HttpResponse, PageError> {
    match saved {
        Ok(call) => Ok(see_other_with(&format!("/meedoen/{}", call.slug), Notice::CallSaved)),
        Err(error) => invalid_again(request, state, "calls/form", actor, form_data, error),
    }
}

#[get("/beheer/oproepen/{slug}")]
pub async fn edit_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let call = calls::find(&state.db, &slug).await?.ok_or(RouteError::NotFound(NO_CALL.into()))?;
    let form = CallForm::of(&calls::input_of(&call));
    let data = form_data(&format!("/beheer/oproepen/{}", call.slug), "Oproep bewerken", &form);
    form_page(&request, &state, "calls/form", &Viewer(Some(actor)), data)
}

#[post("/beheer/oproepen/{slug}")]
pub async fn update(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<CallForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let saved = match form.input() {
        Ok(input) => calls::update(&state.db, &actor, &slug, input).await,
        Err(error) => Err(error),
    };
    let data = form_data(&format!("/beheer/oproepen/{slug}"), "Oproep bewerken", &form);
    shown_or_again(&request, &state, actor, saved, data)
}
