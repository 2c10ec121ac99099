//! `/api/v1/documents`: uploading harvest documents and reading them.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpResponse};

use crate::documents;
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::uploads;
use crate::routes::AppState;

/// The fields of an upload form, for the API description only: the route reads them one by
/// one as they stream in (`routes::uploads`). `deny_unknown_fields` documents that no other
/// fields are taken (`additionalProperties: false`).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes the multipart form; never built")]
pub struct UploadForm {
    /// PDF, DOCX, ODT, PPTX, TXT or Markdown.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    title: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    /// Theme slugs.
    themes: Option<Vec<String>>,
    /// Slug of the practice it belongs to.
    practice: Option<String>,
    /// Slug of the organisation it belongs to.
    organisation: Option<String>,
    /// Slug of the news item it belongs to.
    news: Option<String>,
    /// Slug of the event it belongs to.
    event: Option<String>,
}

/// Uploads a document (multipart/form-data): `file` (PDF, DOCX, ODT, PPTX, TXT or Markdown),
/// and optionally `title`, `description`, `kind`, `themes` (repeat), `practice` and
/// `organisation` (slugs). Its text becomes searchable.
#[utoipa::path(
    post,
    path = "/api/v1/documents",
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "file plus optional fields"),
    responses(
        (status = 201, body = crate::documents::DocumentView),
        (status = 401, body = crate::routes::errors::ErrorBody),
        (status = 403, body = crate::routes::errors::ErrorBody),
        (status = 404, body = crate::routes::errors::ErrorBody, description = "The event or news item named does not exist"),
        (status = 422, body = crate::routes::errors::ErrorBody, description = "Wrong type, too large, encrypted, unreadable …"),
    ),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn upload(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let actor = viewer.required()?;
    let received = uploads::read(payload, state.uploads.max_bytes).await?.valid()?;
    let created = documents::upload_as(&state.db, &state.uploads, &actor, received.upload).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/documents/{}", created.slug))).json(created))
}

/// One document with its extracted text.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{slug}",
    params(("slug" = String, Path, description = "The document's slug")),
    responses((status = 200, body = crate::documents::DocumentView), (status = 404, body = crate::routes::errors::ErrorBody))
)]
#[get("/documents/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let document = documents::find_visible(&state.db, viewer.0.as_ref(), &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound(format!("Document '{slug}' bestaat niet.")))?;
    Ok(HttpResponse::Ok().json(document))
}
