//! `/api/v1/questions`: asking the programme office a question, and the office's queue.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::actor::policy;
use crate::matching::{self, Need};
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::questions::introductions::{self, Introductions};
use crate::questions::queue::{self, HandlerFilter, QueueFilter};
use crate::questions::{self, AskedBy, Channel, Desk, QuestionError, QuestionInput, QuestionView, Status};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;
use crate::vocabulary::Vocabulary;

pub fn desk(state: &AppState) -> Desk<'_> {
    Desk { db: &state.db, mail: &state.mail, confirm_hours: state.config.confirm_hours }
}

pub fn introductions(state: &AppState) -> Introductions<'_> {
    Introductions {
        db: &state.db,
        mail: &state.mail,
        answer_days: state.config.introduction_days,
        followup_days: state.config.followup_days,
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct HintsQuery {
    /// The question being written (with its context), as far as it is.
    text: String,
}

/// Hints while someone writes a question: themes to tick, and published practices and
/// archived questions that may already help. Open to anyone; finds only what is public.
#[utoipa::path(
    get,
    path = "/api/v1/questions/hints",
    params(HintsQuery),
    responses(
        (status = 200, body = crate::matching::hints::Hints),
        (status = 400, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/questions/hints")]
pub async fn hints(state: web::Data<AppState>, query: web::Query<HintsQuery>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(matching::hints::hints(&state.db, &state.search, &query.text).await?))
}

/// Asks the programme office a question. Without a token the question counts once the link
/// in the confirmation mail is used (`confirmed: false`); with a member's token at once, under
/// the account's address; with a beheerder's token it is registered on the asker's behalf,
/// confirmed, without a confirmation mail.
#[utoipa::path(
    post,
    path = "/api/v1/questions",
    request_body = crate::questions::QuestionInput,
    responses(
        (status = 201, body = crate::questions::Asked),
        (status = 422, body = crate::routes::errors::ErrorBody),
        (status = 429, description = "Too many questions from this client or for this address", body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[post("/questions")]
pub async fn ask(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: ApiViewer,
    input: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    let by = match &viewer.0 {
        Some(actor) if policy::can_manage_network(actor) => AskedBy::Office(actor),
        Some(actor) => AskedBy::Member(actor),
        None => {
            rate_limit::check_registration(&state.limits, &request, &input.email)?;
            AskedBy::Anonymous
        }
    };
    let asked = desk(&state).ask(input.into_inner(), &[], by, Channel::Api).await?;
    Ok(HttpResponse::Created().json(asked))
}

/// The queue's filters as a query string.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Only questions with this status.
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    /// Only questions this office member (account id) handles, or `none` for those nobody
    /// handles yet.
    #[param(value_type = Option<String>, pattern = "^(none|[0-9]{1,9})?$")]
    pub handler: Option<String>,
    /// Only questions with this theme (slug).
    pub theme: Option<String>,
    /// Words that must all occur in the question or its context.
    pub q: Option<String>,
}

impl QueueParams {
    fn filter(&self) -> Result<QueueFilter, RouteError> {
        let status = match self.status.as_deref().filter(|status| !status.is_empty()) {
            None => None,
            Some(slug) => Some(Status::from_slug(slug).ok_or_else(|| {
                RouteError::BadRequest(format!("Onbekende status '{slug}': kies uit {}.", Status::slugs().join(", ")))
            })?),
        };
        let handler =
            match self.handler.as_deref().filter(|handler| !handler.is_empty()) {
                None => None,
                Some("none") => Some(HandlerFilter::Nobody),
                Some(id) => Some(HandlerFilter::Member(id.parse().map_err(|_| {
                    RouteError::BadRequest("'handler' is het nummer van een account, of 'none'.".into())
                })?)),
            };
        let non_empty =
            |text: &Option<String>| text.as_ref().map(|text| text.trim().to_string()).filter(|text| !text.is_empty());
        Ok(QueueFilter { status, handler, theme: non_empty(&self.theme), text: non_empty(&self.q) })
    }
}

/// The office's queue of confirmed questions, newest first (beheerders only).
#[utoipa::path(
    get,
    path = "/api/v1/questions",
    params(QueueParams, PageParams),
    responses(
        (status = 200, body = crate::pagination::Page<crate::questions::queue::QueueItem>),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/questions")]
pub async fn list(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    params: web::Query<QueueParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    if !policy::can_manage_network(&actor) {
        return Err(RouteError::forbidden().into());
    }
    let filter = params.filter()?;
    let page = PageRequest::parse(&page, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(queue::list(&state.db, &actor, &filter, page).await?))
}

/// One confirmed question in full (beheerders only; to anyone else it does not exist).
#[utoipa::path(
    get,
    path = "/api/v1/questions/{id}",
    params(("id" = i32, Path, description = "The question's number")),
    responses(
        (status = 200, body = crate::questions::QuestionView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/questions/{id}")]
pub async fn show(state: web::Data<AppState>, viewer: ApiViewer, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(office_question(&state, viewer, *id).await?))
}

/// The experts and practices that may help with a question, ranked, each with the reasons in
/// words (beheerders only; to anyone else the question does not exist).
#[utoipa::path(
    get,
    path = "/api/v1/questions/{id}/suggestions",
    params(("id" = i32, Path, description = "The question's number")),
    responses(
        (status = 200, body = crate::matching::Suggestions),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/questions/{id}/suggestions")]
pub async fn suggestions(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let question = office_question(&state, viewer, *id).await?;
    let need = Need::of_question(&question);
    let busy = introductions::open_per_expert(&state.db).await?;
    Ok(HttpResponse::Ok().json(matching::suggest(&state.db, &state.search, &need, &busy).await?))
}

/// A confirmed question for a beheerder's token; for anyone else it does not exist.
async fn office_question(state: &AppState, viewer: ApiViewer, id: i32) -> Result<QuestionView, ApiError> {
    let actor = viewer.required()?;
    Ok(questions::for_office(&state.db, &actor, id).await.map_err(|error| match error {
        QuestionError::NotFound => RouteError::NotFound(format!("Vraag {id} bestaat niet.")),
        other => other.into(),
    })?)
}
