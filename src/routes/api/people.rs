//! `/api/v1/invitations` and `/api/v1/users`: inviting colleagues and managing roles.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;

use crate::accounts::{self, NewUser};
use crate::actor::Role;
use crate::organisations;
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::AppState;
use crate::validation::FieldErrors;
use crate::vocabulary::Vocabulary;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    pub name: String,
    /// beheerder, redacteur or lid
    pub role: String,
    /// Organisation slug; a redacteur's own organisation when left out.
    pub organisation: Option<String>,
    #[serde(default)]
    pub job_title: String,
}

fn parse_role(role: &str) -> Result<Role, ApiError> {
    Role::from_slug(role).ok_or_else(|| {
        let mut errors = FieldErrors::default();
        errors.add("role", format!("Onbekende rol '{role}': kies uit {}.", Role::slugs().join(", ")));
        ApiError(RouteError::Invalid(errors))
    })
}

async fn organisation_id(state: &AppState, slug: Option<&str>, fallback: Option<i32>) -> Result<Option<i32>, ApiError> {
    match slug.map(str::trim).filter(|slug| !slug.is_empty()) {
        None => Ok(fallback),
        Some(slug) => match organisations::find_by_slug(&state.db, slug).await? {
            Some(found) => Ok(Some(found.id)),
            None => {
                let mut errors = FieldErrors::default();
                errors.add("organisation", format!("Onbekende organisatie '{slug}'."));
                Err(ApiError(RouteError::Invalid(errors)))
            }
        },
    }
}

/// Invites someone by email (single-use link, valid 7 days).
#[utoipa::path(
    post,
    path = "/api/v1/invitations",
    request_body = InvitationRequest,
    responses(
        (status = 201, body = crate::accounts::PersonView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    body: web::Json<InvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let role = parse_role(&body.role)?;
    let default_organisation = if role == Role::Beheerder { None } else { actor.organisation_id };
    let organisation_id = organisation_id(&state, body.organisation.as_deref(), default_organisation).await?;
    let new = NewUser {
        email: body.email.clone(),
        name: body.name.clone(),
        role,
        organisation_id,
        job_title: body.job_title.clone(),
    };
    let created = accounts::invite(&state.db, &state.mail, &actor, &new).await?;
    Ok(HttpResponse::Created().json(accounts::PersonView::from(created)))
}

/// Everyone with an account (beheerders only).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    responses(
        (status = 200, body = Vec<crate::accounts::PersonView>),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list(state: web::Data<AppState>, viewer: ApiViewer) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    Ok(HttpResponse::Ok().json(accounts::list(&state.db, &actor).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: String,
    pub organisation: Option<String>,
}

/// Changes a person's role and organisation (beheerders only).
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/role",
    params(("id" = i32, Path, description = "The person's id")),
    request_body = RoleChange,
    responses(
        (status = 200, body = crate::accounts::PersonView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody),
        (status = 422, body = crate::routes::errors::ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/users/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    id: web::Path<i32>,
    body: web::Json<RoleChange>,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let role = parse_role(&body.role)?;
    let organisation_id = organisation_id(&state, body.organisation.as_deref(), None).await?;
    Ok(HttpResponse::Ok().json(accounts::change_role(&state.db, &actor, *id, role, organisation_id).await?))
}
