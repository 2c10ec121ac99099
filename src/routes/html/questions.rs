//! The question desk's pages: "Vraag stellen" for everyone (members ask with one click,
//! others confirm by mail), the confirmation link, and the office's queue and question page.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_fields, form_page, see_other, see_other_with, Notice};
use crate::actor::{policy, Actor};
use crate::matching::{self, Need};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::questions::archive::{self, ArchiveInput};
use crate::questions::queue::{self, HandlerFilter, QueueFilter};
use crate::questions::replies::{self, Replies};
use crate::questions::{self, AskedBy, Channel, Handling, QuestionError, QuestionInput, Status};
use crate::questions::{figures, introductions};
use crate::routes::api::questions::{desk, introductions};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;
use crate::taxonomy::{Taxonomy, PROVINCES};
use crate::validation::FieldErrors;
use crate::vocabulary::Vocabulary;

const QUEUE_PER_PAGE: u64 = 25;

/// Who fills in the form, and so what it shows and where it posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormKind {
    /// Someone asking for themselves, with or without an account.
    Own,
    /// The programme office, on an asker's behalf.
    Office,
}

impl FormKind {
    fn action(self) -> &'static str {
        match self {
            FormKind::Own => "/vraag-stellen",
            FormKind::Office => "/beheer/vragen/nieuw",
        }
    }
}

/// The form's fields as posted: the question, its themes and the CSRF token.
fn parse_form(body: &[u8]) -> Result<(QuestionInput, Vec<String>, String), RouteError> {
    let mut input = QuestionInput::default();
    let mut themes = Vec::new();
    let mut csrf = String::new();
    for (key, value) in form_fields(body)? {
        match key.as_str() {
            "name" => input.name = value,
            "email" => input.email = value,
            "organisation" => input.organisation = value,
            "role" => input.role = value,
            "province" => input.province = value,
            "municipality" => input.municipality = value,
            "question" => input.question = value,
            "context" => input.context = value,
            "tried" => input.tried = value,
            "needed_by" => input.needed_by = Some(value),
            "share_anonymised" => input.share_anonymised = value == "ja",
            "themes" => themes.push(value),
            "csrf" => csrf = value,
            _ => {}
        }
    }
    Ok((input, themes, csrf))
}

async fn form_data(
    state: &AppState,
    kind: FormKind,
    member: bool,
    input: &QuestionInput,
    themes: &[String],
) -> Result<serde_json::Value, PageError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    Ok(serde_json::json!({
        "page_title": if kind == FormKind::Office { "Vraag invoeren namens iemand" } else { "Vraag stellen" },
        "action": kind.action(),
        "office": kind == FormKind::Office,
        "member": member,
        "input": input,
        "min_question": questions::input::MIN_QUESTION_CHARS,
        "provinces": PROVINCES.iter().map(|name| serde_json::json!({
            "name": name, "selected": input.province.eq_ignore_ascii_case(name),
        })).collect::<Vec<_>>(),
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({
            "slug": theme.slug, "name": theme.name, "checked": themes.contains(&theme.slug),
        })).collect::<Vec<_>>(),
    }))
}

/// A page that holds someone's contact details: no cache may keep it.
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    response
}

#[get("/vraag-stellen")]
pub async fn ask_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let input = match &viewer.0 {
        Some(actor) => questions::prefill_for(&state.db, actor).await?,
        None => QuestionInput::default(),
    };
    let data = form_data(&state, FormKind::Own, viewer.0.is_some(), &input, &[]).await?;
    form_page(&request, &state, "questions/form", &viewer, data)
}

#[post("/vraag-stellen")]
pub async fn ask(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (input, themes, csrf) = parse_form(&body)?;
    state.csrf.verify(&request, &csrf)?;
    let by = match &viewer.0 {
        Some(actor) => AskedBy::Member(actor),
        None => {
            rate_limit::check_registration(&state.limits, &request, &input.email)?;
            AskedBy::Anonymous
        }
    };
    match desk(&state).ask(input.clone(), &themes, by, Channel::Web).await {
        Ok(asked) if asked.confirmed => Ok(see_other("/vraag-stellen/verstuurd?bevestigd=ja")),
        Ok(_) => Ok(see_other("/vraag-stellen/verstuurd")),
        Err(QuestionError::Invalid(errors)) => {
            let mut data = form_data(&state, FormKind::Own, viewer.0.is_some(), &input, &themes).await?;
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            Ok(no_store(form_again(&request, &state, "questions/form", &viewer, data)?))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentQuery {
    bevestigd: Option<String>,
}

/// After asking: what happens next. Holds nothing personal, so a reload is harmless.
#[get("/vraag-stellen/verstuurd")]
pub async fn sent(viewer: Viewer, query: web::Query<SentQuery>) -> Result<HttpResponse, PageError> {
    let (title, message) = if query.bevestigd.as_deref() == Some("ja") {
        (
            "Uw vraag is ontvangen",
            "Het programmabureau heeft uw vraag ontvangen en zoekt wie u verder kan helpen. U krijgt een \
             ontvangstbevestiging per e-mail.",
        )
    } else {
        (
            "Bijna klaar: bevestig uw vraag",
            "We hebben u een e-mail gestuurd. Klik op de link in die mail om uw vraag te bevestigen; pas daarna \
             neemt het programmabureau haar in behandeling.",
        )
    };
    super::page("questions/message", &viewer, serde_json::json!({ "page_title": title, "message": message }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

/// The link from the confirmation mail opens a page with one button, so mail scanners that
/// open links do not confirm for the asker.
#[get("/vraag-stellen/bevestigen/{token}")]
pub async fn confirm_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let data = serde_json::json!({
        "page_title": "Vraag bevestigen",
        "button": "Vraag bevestigen",
        "action": format!("/vraag-stellen/bevestigen/{token}"),
        "message": "Bevestig hieronder dat u deze vraag stelde; daarna neemt het programmabureau haar in behandeling.",
    });
    // `no-store` comes from `headers::no_store_when_personal`, as for every mailed link.
    form_page(&request, &state, "events/link", &viewer, data)
}

#[post("/vraag-stellen/bevestigen/{token}")]
pub async fn confirm(
    request: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    desk(&state).confirm(&token).await?;
    Ok(see_other("/vraag-stellen/verstuurd?bevestigd=ja"))
}

/// The programme office, or a 404: outsiders do not learn the office pages exist.
fn office(viewer: Viewer) -> Result<Actor, PageError> {
    viewer.0.filter(policy::can_manage_network).ok_or_else(|| RouteError::from(QuestionError::NotFound).into())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    behandelaar: String,
    thema: String,
    q: String,
    page: Option<String>,
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        let handler = match self.behandelaar.as_str() {
            "" => None,
            "niemand" => Some(HandlerFilter::Nobody),
            id => id.parse().ok().map(HandlerFilter::Member),
        };
        QueueFilter {
            status: Status::from_slug(&self.status),
            handler,
            theme: Some(self.thema.clone()).filter(|slug| !slug.is_empty()),
            text: Some(self.q.trim().to_string()).filter(|text| !text.is_empty()),
        }
    }

    /// The query string of these filters on another page.
    fn link(&self, page: u64) -> String {
        let query = serde_urlencoded::to_string([
            ("status", self.status.as_str()),
            ("behandelaar", self.behandelaar.as_str()),
            ("thema", self.thema.as_str()),
            ("q", self.q.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("/beheer/vragen?{query}")
    }
}

#[get("/beheer/vragen")]
pub async fn queue_page(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let page_request = PageRequest::parse(&PageParams { page: query.page.clone(), per_page: None }, QUEUE_PER_PAGE)?;
    let filter = query.filter();
    let found = queue::list(&state.db, &actor, &filter, page_request).await?;
    let pages = PageLinks::new(page_request.page, page_request.per_page, found.total, |page| query.link(page));
    let taxonomy = Taxonomy::load(&state.db).await?;
    let handlers = questions::office_members(&state.db).await?;
    let data = serde_json::json!({
        "page_title": "Vragen",
        "items": found.items,
        "total": found.total,
        "pages": pages,
        "filtered": filter != QueueFilter::default(),
        "q": query.q,
        "statuses": Status::iter_labels(&query.status),
        "handlers": handlers.iter().map(|member| serde_json::json!({
            "id": member.id, "name": member.name, "selected": query.behandelaar == member.id.to_string(),
        })).collect::<Vec<_>>(),
        "nobody_selected": query.behandelaar == "niemand",
        "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({
            "slug": theme.slug, "name": theme.name, "selected": query.thema == theme.slug,
        })).collect::<Vec<_>>(),
    });
    form_page(&request, &state, "questions/queue", &Viewer(Some(actor)), data)
}

#[get("/beheer/vragen/cijfers")]
pub async fn figures_page(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let figures = figures::load(&state.db, &actor, chrono::Utc::now()).await?;
    let data = serde_json::json!({ "page_title": "Vragen in cijfers", "figures": figures });
    super::page("questions/figures", &Viewer(Some(actor)), data)
}

#[get("/beheer/vragen/nieuw")]
pub async fn office_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let data = form_data(&state, FormKind::Office, false, &QuestionInput::default(), &[]).await?;
    form_page(&request, &state, "questions/form", &Viewer(Some(actor)), data)
}

#[post("/beheer/vragen/nieuw")]
pub async fn office_ask(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let (input, themes, csrf) = parse_form(&body)?;
    state.csrf.verify(&request, &csrf)?;
    match desk(&state).ask(input.clone(), &themes, AskedBy::Office(&actor), Channel::Web).await {
        Ok(asked) => Ok(see_other_with(&format!("/beheer/vragen/{}", asked.id), Notice::QuestionEntered)),
        Err(QuestionError::Invalid(errors)) => {
            let mut data = form_data(&state, FormKind::Office, false, &input, &themes).await?;
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            form_again(&request, &state, "questions/form", &Viewer(Some(actor)), data)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// `ja` when the office comes from the mail that an expert declined or did not answer:
    /// the best expert not asked yet is then ticked, one click from being asked.
    volgende: String,
}

#[get("/beheer/vragen/{id}")]
pub async fn show(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let id = question_id(&id)?;
    let data = question_page(&state, &actor, id, query.volgende == "ja", &[]).await?;
    form_page(&request, &state, "questions/show", &Viewer(Some(actor)), data)
}

fn question_id(text: &str) -> Result<i32, PageError> {
    text.parse().map_err(|_| RouteError::from(QuestionError::NotFound).into())
}

/// The question's page: the question, its handling, the requests to experts and their
/// answers, the office's replies, the follow-up, and the suggestions (`ticked`: the experts
/// and practices ticked in the form that came back).
async fn question_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    tick_next: bool,
    ticked: &[String],
) -> Result<serde_json::Value, PageError> {
    let question = questions::for_office(&state.db, actor, id).await?;
    let handlers = questions::office_members(&state.db).await?;
    let requests = introductions::of_question(&state.db, id).await?;
    let busy = introductions::open_per_expert(&state.db).await?;
    let suggestions = matching::suggest(&state.db, &state.search, &Need::of_question(&question), &busy).await?;
    let asked = requests.iter().map(|request| request.expert_slug.as_str()).collect::<Vec<_>>();
    let next = suggestions.experts.iter().find(|expert| !asked.contains(&expert.slug.as_str()));
    let experts = suggestions.experts.iter().map(|expert| {
        let checked = ticked.contains(&expert.slug) || (tick_next && next.is_some_and(|next| next.slug == expert.slug));
        serde_json::json!({
            "slug": expert.slug, "name": expert.name, "reasons": expert.reasons,
            "asked": asked.contains(&expert.slug.as_str()), "checked": checked,
        })
    });
    let practices = suggestions.practices.iter().map(|practice| {
        serde_json::json!({
            "slug": practice.slug, "title": practice.title, "reasons": practice.reasons,
            "checked": ticked.contains(&practice.slug),
        })
    });
    let (archive, published_at) = archive::draft(&state.db, actor, id).await?;
    Ok(serde_json::json!({
        "page_title": format!("Vraag {id}"),
        "archive": archive,
        "published_at": published_at,
        "experts": experts.collect::<Vec<_>>(),
        "practices": practices.collect::<Vec<_>>(),
        "replies": replies::of_question(&state.db, id).await?,
        "max_practices": replies::MAX_PRACTICES,
        "suggestions": suggestions,
        "requests": requests,
        "followup": questions::followup::of_question(&state.db, id).await?,
        "max_experts": introductions::MAX_EXPERTS_AT_ONCE,
        "statuses": Status::iter_labels(question.status.slug()),
        "handlers": handlers.iter().map(|member| serde_json::json!({
            "id": member.id, "name": member.name, "selected": question.handler_id == Some(member.id),
        })).collect::<Vec<_>>(),
        "question": question,
    }))
}

/// The office asks one to three experts to help.
#[post("/beheer/vragen/{id}/experts")]
pub async fn ask_experts(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let id = question_id(&id)?;
    let (experts, note) = ticks_and_text(&request, &state, &body, "experts", "note")?;
    match introductions(&state).request(&actor, id, &experts, &note).await {
        Ok(_) => Ok(see_other_with(&format!("/beheer/vragen/{id}"), Notice::ExpertsAsked)),
        Err(QuestionError::Invalid(errors)) => {
            question_again(&request, &state, actor, id, &experts, errors, ("note", note.into())).await
        }
        Err(other) => Err(other.into()),
    }
}

/// A form of the question page as posted: the values ticked in the list `ticks`, the text
/// `text`, after the CSRF token is checked.
fn ticks_and_text(
    request: &HttpRequest,
    state: &AppState,
    body: &[u8],
    ticks: &str,
    text: &str,
) -> Result<(Vec<String>, String), PageError> {
    let (mut ticked, mut written, mut csrf) = (Vec::new(), String::new(), String::new());
    for (key, value) in form_fields(body)? {
        match key.as_str() {
            key if key == ticks => ticked.push(value),
            key if key == text => written = value,
            "csrf" => csrf = value,
            _ => {}
        }
    }
    state.csrf.verify(request, &csrf)?;
    Ok((ticked, written))
}

/// The question page once more after a refused form: its ticks and what was written kept
/// (`kept`: the template's name for it and its value), the messages at their fields.
async fn question_again(
    request: &HttpRequest,
    state: &AppState,
    actor: Actor,
    id: i32,
    ticked: &[String],
    errors: FieldErrors,
    (name, value): (&str, serde_json::Value),
) -> Result<HttpResponse, PageError> {
    let mut data = question_page(state, &actor, id, false, ticked).await?;
    data["errors"] = serde_json::to_value(errors).unwrap_or_default();
    data[name] = value;
    form_again(request, state, "questions/show", &Viewer(Some(actor)), data)
}

/// The office answers the asker itself, with practices it chose.
#[post("/beheer/vragen/{id}/antwoord")]
pub async fn reply(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    let id = question_id(&id)?;
    let (practices, text) = ticks_and_text(&request, &state, &body, "practices", "body")?;
    let desk = Replies { db: &state.db, mail: &state.mail, followup_days: state.config.followup_days };
    match desk.reply(&actor, id, &text, &practices).await {
        Ok(()) => Ok(see_other_with(&format!("/beheer/vragen/{id}"), Notice::QuestionAnswered)),
        Err(QuestionError::Invalid(errors)) => {
            question_again(&request, &state, actor, id, &practices, errors, ("body", text.into())).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveForm {
    /// `publiceren` or `intrekken`.
    actie: String,
    title: String,
    text: String,
    answer: String,
    csrf: String,
}

/// The office publishes the anonymised question in the archive, or takes it out.
#[post("/beheer/vragen/{id}/archief")]
pub async fn publish(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    form: web::Form<ArchiveForm>,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    state.csrf.verify(&request, &form.csrf)?;
    let id = question_id(&id)?;
    if form.actie == "intrekken" {
        archive::withdraw(&state.db, &actor, id).await?;
        return Ok(see_other_with(&format!("/beheer/vragen/{id}"), Notice::QuestionWithdrawn));
    }
    let input = ArchiveInput { title: form.title.clone(), text: form.text.clone(), answer: form.answer.clone() };
    match archive::publish(&state.db, &actor, id, &input).await {
        Ok(()) => Ok(see_other_with(&format!("/beheer/vragen/{id}"), Notice::QuestionPublished)),
        Err(QuestionError::Invalid(errors)) => {
            let kept = serde_json::to_value(&input).unwrap_or_default();
            question_again(&request, &state, actor, id, &[], errors, ("archive", kept)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandlingForm {
    status: String,
    handler_id: String,
    csrf: String,
}

#[post("/beheer/vragen/{id}")]
pub async fn handle(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    form: web::Form<HandlingForm>,
) -> Result<HttpResponse, PageError> {
    let actor = office(viewer)?;
    state.csrf.verify(&request, &form.csrf)?;
    let id = question_id(&id)?;
    let handler_id = match form.handler_id.as_str() {
        "" => None,
        text => Some(text.parse().map_err(|_| RouteError::BadRequest("Kies iemand van het programmabureau.".into()))?),
    };
    let handling = Handling { status: form.status.clone(), handler_id };
    questions::set_handling(&state.db, &actor, id, &handling).await?;
    Ok(see_other_with(&format!("/beheer/vragen/{id}"), Notice::QuestionHandled))
}
