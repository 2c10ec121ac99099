//! `POST /api/v1/auth/token` (log in) and `DELETE /api/v1/auth/token` (log out).

use actix_web::{delete, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::rate_limit;
use crate::routes::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer {token}`.
    pub token: String,
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Exchanges email and password for a Bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 429, body = crate::routes::errors::ErrorBody, description = "Too many attempts; see Retry-After"),
    )
)]
#[post("/auth/token")]
pub async fn token(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    rate_limit::check_login(&state.limits, &request, &body.email)?;
    let account = accounts::authenticate(&state.db, &body.email, &body.password)
        .await?
        .ok_or_else(|| RouteError::Unauthorized("E-mailadres of wachtwoord klopt niet.".into()))?;
    let session = state.keys.start(&state.db, account.id).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        token: session.token,
        token_type: "Bearer".into(),
        expires_in: session.expires_in.num_seconds(),
    }))
}

/// Revokes the token used for this request.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/token",
    responses((status = 204), (status = 401, body = crate::routes::errors::ErrorBody)),
    security(("bearer" = []))
)]
#[delete("/auth/token")]
pub async fn revoke(state: web::Data<AppState>, viewer: ApiViewer) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    accounts::sessions::revoke(&state.db, &actor.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
