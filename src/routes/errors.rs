//! The HTTP layer's one error type, answered as JSON for the API and as a friendly Dutch
//! page for browsers. Internal details are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::search::SearchError;
use crate::templates::{self, RenderError};

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl RouteError {
    fn status(&self) -> StatusCode {
        match self {
            RouteError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RouteError::NotFound(_) => StatusCode::NOT_FOUND,
            RouteError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            RouteError::BadRequest(_) => "bad_request",
            RouteError::NotFound(_) => "not_found",
            RouteError::Internal(_) => "internal",
        }
    }

    /// What a person may read: internal errors get a generic message.
    fn public_message(&self) -> String {
        match self {
            RouteError::BadRequest(message) | RouteError::NotFound(message) => message.clone(),
            RouteError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "Er ging iets mis aan onze kant. Probeer het later opnieuw.".into()
            }
        }
    }
}

macro_rules! internal_from {
    ($($source:ty),*) => {$(
        impl From<$source> for RouteError {
            fn from(error: $source) -> RouteError {
                RouteError::Internal(error.to_string())
            }
        }
    )*};
}
internal_from!(sea_orm::DbErr, SearchError, RenderError, actix_web::error::BlockingError);

impl From<crate::pagination::PageError> for RouteError {
    fn from(error: crate::pagination::PageError) -> RouteError {
        RouteError::BadRequest(error.to_string())
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable: bad_request, not_found or internal.
    pub error: String,
    /// A sentence (in Dutch) a person understands.
    pub message: String,
}

/// An error answered as `{error, message}`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub RouteError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .json(ErrorBody { error: self.0.code().into(), message: self.0.public_message() })
    }
}

/// An error answered as an HTML page.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub RouteError);

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        let heading = match self.0 {
            RouteError::BadRequest(_) => "Dat verzoek begrijpen we niet",
            RouteError::NotFound(_) => "Pagina niet gevonden",
            RouteError::Internal(_) => "Er ging iets mis",
        };
        let data = serde_json::json!({ "page_title": heading, "heading": heading, "message": self.0.public_message() });
        let body = templates::render("error", &data).unwrap_or_else(|_| heading.to_string());
        HttpResponse::build(self.status_code()).content_type("text/html; charset=utf-8").body(body)
    }
}

macro_rules! wrap_from {
    ($wrapper:ident, $($source:ty),*) => {$(
        impl From<$source> for $wrapper {
            fn from(error: $source) -> $wrapper {
                $wrapper(RouteError::from(error))
            }
        }
    )*};
}
wrap_from!(ApiError, sea_orm::DbErr, SearchError, actix_web::error::BlockingError, crate::pagination::PageError);
wrap_from!(
    PageError,
    sea_orm::DbErr,
    SearchError,
    RenderError,
    actix_web::error::BlockingError,
    crate::pagination::PageError
);
