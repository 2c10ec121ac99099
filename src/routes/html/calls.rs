//! Open calls to join the network: the public page `/meedoen` and the programme office's
//! `/beheer/oproepen`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::admin::invalid_again;
use super::{form_page, page, see_other_with, Notice};
use crate::actor::policy;
use crate::calls::{self, CallInput, CallKind, Phase};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
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
    let view = calls::view(&call, Utc::now());
    let data = serde_json::json!({
        "page_title": view.title,
        "closed": view.phase == Phase::Closed,
        "upcoming": view.phase == Phase::Upcoming,
        "call": view,
    });
    // A form page for the notice after the office saved the call.
    form_page(&request, &state, "calls/show", &viewer, data)
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
            questions: calls::questions_to_lines(&input.questions),
            word_limit: input.word_limit.map(|limit| limit.to_string()).unwrap_or_default(),
            attachments_allowed: input.attachments_allowed.then(|| "ja".into()),
            csrf: String::new(),
        }
    }

    /// A new call of `kind` with its default questions.
    fn new_call(kind: CallKind) -> CallForm {
        CallForm {
            kind: kind.slug().into(),
            questions: calls::questions_to_lines(&kind.default_questions()),
            word_limit: match kind {
                CallKind::Inspiratieregio => calls::THREE_A4_WORDS.to_string(),
                CallKind::Aandeelhouder => String::new(),
            },
            attachments_allowed: Some("ja".into()),
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
        let questions = calls::questions_from_lines(&self.questions).unwrap_or_else(|message| {
            errors.add("questions", message);
            Vec::new()
        });
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
    match saved {
        Ok(call) => Ok(see_other_with(&format!("/meedoen/{}", call.slug), Notice::CallSaved)),
        Err(error) => {
            let data = form_data("/beheer/oproepen", "Nieuwe oproep", &form);
            invalid_again(&request, &state, "calls/form", actor, data, error)
        }
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
    match saved {
        Ok(call) => Ok(see_other_with(&format!("/meedoen/{}", call.slug), Notice::CallSaved)),
        Err(error) => {
            let data = form_data(&format!("/beheer/oproepen/{slug}"), "Oproep bewerken", &form);
            invalid_again(&request, &state, "calls/form", actor, data, error)
        }
    }
}
