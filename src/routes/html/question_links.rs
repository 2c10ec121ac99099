//! The pages behind the links the question desk mails, used without logging in: an expert
//! accepts or declines a request (`/vraag/verzoek/{token}`), an asker tells whether the help
//! helped (`/vraag/geholpen/{token}`). A link opens a page whose button does the work, so mail
//! scanners that open links answer nothing. Unknown links are 404, spent ones 410.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{form_again, form_page, see_other};
use crate::questions::followup;
use crate::questions::introductions::Request;
use crate::questions::QuestionError;
use crate::routes::api::questions::introductions;
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestQuery {
    /// `ja` or `nee`: the button the expert chose in the mail, put first on the page.
    antwoord: String,
}

fn request_data(request: &Request, token: &str, declining: bool) -> serde_json::Value {
    serde_json::json!({
        "page_title": "Verzoek om te helpen",
        "request": request,
        "action": format!("/vraag/verzoek/{token}"),
        "declining": declining,
    })
}

#[get("/vraag/verzoek/{token}")]
pub async fn request_page(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, PageError> {
    let found = introductions(&state).read(&token).await?;
    let data = request_data(&found, &token, query.antwoord == "nee");
    form_page(&request, &state, "questions/request", &viewer, data)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    /// `ja` or `nee`.
    antwoord: String,
    reason: String,
    csrf: String,
}

#[post("/vraag/verzoek/{token}")]
pub async fn answer_request(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let desk = introductions(&state);
    let answered = match form.antwoord.as_str() {
        "ja" => desk.accept(&token).await,
        "nee" => desk.decline(&token, &form.reason).await,
        _ => return Err(RouteError::BadRequest("Kies of u wilt helpen of niet.".into()).into()),
    };
    match answered {
        Ok(_) => Ok(see_other(&format!("/vraag/verzoek/{token}"))),
        Err(QuestionError::Invalid(errors)) => {
            let found = desk.read(&token).await?;
            let mut data = request_data(&found, &token, true);
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            data["reason"] = form.reason.clone().into();
            form_again(&request, &state, "questions/request", &viewer, data)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowupQuery {
    /// The score the asker clicked in the mail, 1 to 5.
    cijfer: String,
}

fn followup_data(asked: &followup::Asked, token: &str, chosen: Option<i32>) -> serde_json::Value {
    let chosen = asked.followup.score.or(chosen);
    serde_json::json!({
        "page_title": "Heeft dit geholpen?",
        "question": asked.question,
        "answered": asked.followup.answered_at.is_some(),
        "scores": (1..=5).map(|score| serde_json::json!({
            "score": score, "checked": chosen == Some(score),
        })).collect::<Vec<_>>(),
        "action": format!("/vraag/geholpen/{token}"),
    })
}

#[get("/vraag/geholpen/{token}")]
pub async fn followup_page(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    query: web::Query<FollowupQuery>,
) -> Result<HttpResponse, PageError> {
    let asked = followup::read(&state.db, &token).await?;
    let data = followup_data(&asked, &token, query.cijfer.parse().ok());
    form_page(&request, &state, "questions/followup", &viewer, data)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowupForm {
    score: String,
    remark: String,
    csrf: String,
}

#[post("/vraag/geholpen/{token}")]
pub async fn answer_followup(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    token: web::Path<String>,
    form: web::Form<FollowupForm>,
) -> Result<HttpResponse, PageError> {
    state.csrf.verify(&request, &form.csrf)?;
    let score = form.score.parse().unwrap_or_default();
    match followup::answer(&state.db, &token, score, &form.remark).await {
        Ok(()) => Ok(see_other(&format!("/vraag/geholpen/{token}"))),
        Err(QuestionError::Invalid(errors)) => {
            let asked = followup::read(&state.db, &token).await?;
            let mut data = followup_data(&asked, &token, Some(score));
            data["errors"] = serde_json::to_value(errors).unwrap_or_default();
            data["remark"] = form.remark.clone().into();
            form_again(&request, &state, "questions/followup", &viewer, data)
        }
        Err(other) => Err(other.into()),
    }
}
