//! Server-rendered pages in Dutch; they work without JavaScript.

mod account;
mod admin;
mod archive;
mod calls;
mod contact;
mod documents;
mod editor;
mod events;
mod home;
mod news;
mod organisations;
mod practices;
mod profiles;
mod question_links;
mod questions;
mod reviews;
mod search;
mod site_pages;
mod themes;

use super::auth::Viewer;
use super::errors::{PageError, RouteError};
use super::notice::{see_other_with, Notice};
use crate::routes::AppState;
use crate::templates;
use actix_web::{web, HttpRequest, HttpResponse};

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(home::home)
        .service(account::login_form)
        .service(account::login)
        .service(account::logout_form)
        .service(account::logout)
        .service(account::forgot_form)
        .service(account::forgot)
        .service(account::set_password_form)
        .service(account::set_password)
        .service(account::reset_password_form)
        .service(account::reset_password)
        .service(account::signup_form)
        .service(account::signup)
        .service(account::verify_email)
        .service(admin::account)
        .service(admin::invite_form)
        .service(admin::invite)
        .service(admin::dashboard)
        .service(admin::people)
        .service(admin::change_role)
        .service(admin::organisations_list)
        .service(admin::organisation_new)
        .service(admin::organisation_edit)
        .service(admin::organisation_save)
        .service(admin::themes_list)
        .service(admin::theme_edit)
        .service(admin::theme_save)
        .service(admin::mail_queue)
        .service(admin::mail_retry)
        .service(admin::audit_log)
        .service(search::search)
        .service(editor::new_form)
        .service(editor::create)
        .service(editor::mine)
        .service(editor::edit_form)
        .service(editor::update)
        .service(editor::versions)
        .service(editor::version)
        .service(editor::restore)
        .service(practices::list)
        .service(practices::show)
        .service(organisations::list)
        .service(organisations::show)
        .service(themes::list)
        .service(themes::show)
        .service(documents::new_form)
        .service(documents::create)
        .service(documents::download)
        .service(documents::show)
        .service(news::list)
        .service(news::new_form)
        .service(news::create)
        .service(news::edit_form)
        .service(news::update)
        .service(news::show)
        .service(events::agenda)
        .service(events::feed)
        .service(events::new_form)
        .service(events::create)
        .service(events::edit_form)
        .service(events::update)
        .service(events::call_off)
        .service(events::registrations_csv)
        .service(events::registrations)
        .service(events::attendance)
        .service(events::message_all)
        .service(events::register)
        .service(events::show)
        .service(events::confirm_form)
        .service(events::confirm)
        .service(events::cancel_form)
        .service(events::cancel)
        .service(contact::profile_form)
        .service(contact::profile_send)
        .service(contact::practice_form)
        .service(contact::practice_send)
        .service(contact::refusal_form)
        .service(contact::refuse)
        .service(contact::own_refusals)
        .service(profiles::own_form)
        .service(profiles::own_data)
        .service(profiles::own_save)
        .service(profiles::own_delete_form)
        .service(profiles::own_delete)
        .service(profiles::directory)
        .service(profiles::show)
        .service(profiles::office_list)
        .service(profiles::office_import_form)
        .service(profiles::office_import)
        .service(profiles::office_invite_all)
        .service(profiles::office_form)
        .service(profiles::office_save)
        .service(profiles::office_hide)
        .service(profiles::office_invite)
        .service(profiles::office_delete_form)
        .service(profiles::office_delete)
        .service(questions::ask_form)
        .service(questions::ask)
        .service(questions::sent)
        .service(questions::confirm_form)
        .service(questions::confirm)
        .service(questions::queue_page)
        // Before `/beheer/vragen/{id}`, which would otherwise take the path.
        .service(questions::figures_page)
        .service(questions::office_form)
        .service(questions::office_ask)
        .service(questions::show)
        .service(questions::handle)
        .service(questions::ask_experts)
        .service(questions::reply)
        .service(questions::publish)
        .service(archive::list)
        .service(archive::show)
        .service(question_links::request_page)
        .service(question_links::answer_request)
        .service(question_links::followup_page)
        .service(question_links::answer_followup)
        .service(calls::public_list)
        .service(calls::application)
        .service(calls::save_application)
        .service(calls::withdraw_form)
        .service(calls::withdraw)
        .service(calls::attach)
        .service(calls::detach)
        .service(calls::attachment)
        .service(calls::public_show)
        .service(calls::start)
        .service(reviews::calls_to_review)
        .service(reviews::applications)
        .service(reviews::review_form)
        .service(reviews::save_review)
        .service(reviews::declare_conflict)
        .service(reviews::attachment)
        .service(reviews::reviewers)
        .service(reviews::assign)
        .service(reviews::unassign)
        .service(reviews::selection_board)
        .service(reviews::select)
        .service(reviews::board_csv)
        .service(calls::office_list)
        // Before `/beheer/oproepen/{slug}`, which would otherwise take the path.
        .service(calls::new_form)
        .service(calls::create)
        .service(calls::edit_form)
        .service(calls::update)
        .service(site_pages::edit_list)
        .service(site_pages::edit_form)
        .service(site_pages::save)
        .service(site_pages::show);
}

/// Renders a page for the viewer: the layout shows who is signed in.
fn page(template: &str, viewer: &Viewer, mut data: serde_json::Value) -> Result<HttpResponse, PageError> {
    if let Some(object) = data.as_object_mut() {
        object.insert("viewer".into(), serde_json::to_value(&viewer.0).unwrap_or_default());
    }
    let body = templates::render(template, &data)?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

/// Renders a page for a request: adds the CSRF token for its forms (setting its cookie when
/// the visitor has none yet) and shows, once, the notice of the action that led here.
fn form_page(
    request: &HttpRequest,
    state: &AppState,
    template: &str,
    viewer: &Viewer,
    mut data: serde_json::Value,
) -> Result<HttpResponse, PageError> {
    let token = state.csrf.issue(request);
    let notice = Notice::of(request);
    if let Some(object) = data.as_object_mut() {
        object.insert("csrf".into(), token.token.into());
        if let Some(notice) = notice {
            object.insert("notice".into(), notice.text().into());
        }
    }
    let shown = notice.map(|_| crate::routes::notice::shown());
    with_cookies(page(template, viewer, data)?, token.cookie.into_iter().chain(shown))
}

/// The response with cookies added.
fn with_cookies(
    mut response: HttpResponse,
    cookies: impl IntoIterator<Item = actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, PageError> {
    for cookie in cookies {
        response.add_cookie(&cookie).map_err(|error| RouteError::Internal(error.to_string()))?;
    }
    Ok(response)
}

/// The form once more after invalid input: the same page, with status 422 and a title that
/// starts with "Fout: ", so screen-reader users hear at once that the form was not accepted.
fn form_again(
    request: &HttpRequest,
    state: &AppState,
    template: &str,
    viewer: &Viewer,
    mut data: serde_json::Value,
) -> Result<HttpResponse, PageError> {
    if let Some(object) = data.as_object_mut() {
        object.insert("form_failed".into(), true.into());
    }
    let mut response = form_page(request, state, template, viewer, data)?;
    *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The fields of a posted form in order, repeated names kept (checkbox lists, themes).
fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, RouteError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| RouteError::BadRequest("Het formulier is niet goed verstuurd.".into()))
}

/// After a successful form post: go elsewhere (303 See Other), so reloading does not post again.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_string())).finish()
}

/// Answer for paths nobody serves.
pub async fn not_found() -> PageError {
    PageError(RouteError::NotFound("Deze pagina bestaat niet (meer). Misschien is het adres veranderd.".into()))
}
