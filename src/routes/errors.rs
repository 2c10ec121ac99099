//! The HTTP layer's one error type, answered as JSON for the API and as a friendly Dutch
//! page for browsers. Internal details are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::accounts::AccountError;
use crate::calls::applications::ApplyError;
use crate::calls::reviews::ReviewError;
use crate::contact::ContactError;
use crate::events::registration::RegistrationError;
use crate::matching::MatchingError;
use crate::questions::QuestionError;
use crate::search::SearchError;
use crate::templates::{self, RenderError};
use crate::validation::{EditError, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// No valid login (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Logged in, but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// Input that breaks the rules, per field (422).
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Not possible in the current state, such as registering after closing time (409).
    #[error("{0}")]
    Conflict(String),
    /// A link that was used up or expired (410).
    #[error("{0}")]
    Gone(String),
    /// Too many attempts; try again after this many seconds (429).
    #[error("te veel pogingen")]
    TooManyRequests(u64),
    /// Too many messages relayed to other members; again after this many seconds (429).
    #[error("te veel berichten")]
    TooManyMessages(u64),
    /// The path exists, but not for this method (405); holds the methods it allows.
    #[error("methode niet toegestaan")]
    MethodNotAllowed(Vec<&'static str>),
    #[error("internal error: {0}")]
    Internal(String),
}

impl RouteError {
    fn status(&self) -> StatusCode {
        match self {
            RouteError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RouteError::NotFound(_) => StatusCode::NOT_FOUND,
            RouteError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            RouteError::Forbidden(_) => StatusCode::FORBIDDEN,
            RouteError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            RouteError::Conflict(_) => StatusCode::CONFLICT,
            RouteError::Gone(_) => StatusCode::GONE,
            RouteError::TooManyRequests(_) | RouteError::TooManyMessages(_) => StatusCode::TOO_MANY_REQUESTS,
            RouteError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            RouteError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            RouteError::BadRequest(_) => "bad_request",
            RouteError::NotFound(_) => "not_found",
            RouteError::Unauthorized(_) => "unauthorized",
            RouteError::Forbidden(_) => "forbidden",
            RouteError::Invalid(_) => "invalid",
            RouteError::Conflict(_) => "conflict",
            RouteError::Gone(_) => "gone",
            RouteError::TooManyRequests(_) | RouteError::TooManyMessages(_) => "too_many_requests",
            RouteError::MethodNotAllowed(_) => "method_not_allowed",
            RouteError::Internal(_) => "internal",
        }
    }

    /// What a person may read: internal errors get a generic message.
    fn public_message(&self) -> String {
        match self {
            RouteError::BadRequest(message)
            | RouteError::NotFound(message)
            | RouteError::Unauthorized(message)
            | RouteError::Forbidden(message)
            | RouteError::Conflict(message)
            | RouteError::Gone(message) => message.clone(),
            RouteError::Invalid(errors) => format!("Controleer de invoer: {errors}"),
            RouteError::TooManyRequests(seconds) => {
                format!("Te veel pogingen. Probeer het over {} opnieuw.", wait_in_words(*seconds))
            }
            RouteError::TooManyMessages(seconds) => {
                format!("U heeft te veel berichten verstuurd; probeer het over {} opnieuw.", wait_in_words(*seconds))
            }
            RouteError::MethodNotAllowed(allowed) => {
                format!("Deze methode kan hier niet; wel: {}.", allowed.join(", "))
            }
            RouteError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "Er ging iets mis aan onze kant. Probeer het later opnieuw.".into()
            }
        }
    }

    /// The response with the headers this error needs (Retry-After for 429, Allow for 405).
    fn response(&self) -> actix_web::HttpResponseBuilder {
        let mut builder = HttpResponse::build(self.status());
        match self {
            RouteError::TooManyRequests(seconds) | RouteError::TooManyMessages(seconds) => {
                builder.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
            }
            RouteError::MethodNotAllowed(allowed) => {
                builder.insert_header((actix_web::http::header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        builder
    }

    pub fn forbidden() -> RouteError {
        RouteError::Forbidden("U hebt geen toestemming om dit te doen.".into())
    }
}

fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "een seconde".into(),
        2..=59 => format!("{seconds} seconden"),
        60..=119 => "een minuut".into(),
        _ => format!("{} minuten", seconds.div_ceil(60)),
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

impl From<AccountError> for RouteError {
    fn from(error: AccountError) -> RouteError {
        match error {
            AccountError::Invalid(errors) => RouteError::Invalid(errors),
            AccountError::LinkInvalid => {
                RouteError::BadRequest("Deze link is ongeldig, verlopen of al gebruikt.".into())
            }
            AccountError::Forbidden => RouteError::forbidden(),
            AccountError::NotFound => RouteError::NotFound("Deze persoon bestaat niet.".into()),
            AccountError::Mail(error) => RouteError::Internal(error.to_string()),
            AccountError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<EditError> for RouteError {
    fn from(error: EditError) -> RouteError {
        match error {
            EditError::Invalid(errors) => RouteError::Invalid(errors),
            EditError::NotFound(message) => RouteError::NotFound(message.into()),
            EditError::Forbidden => RouteError::forbidden(),
            EditError::Database(error) => RouteError::Internal(error.to_string()),
            EditError::Mail(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<RegistrationError> for RouteError {
    fn from(error: RegistrationError) -> RouteError {
        match error {
            RegistrationError::Invalid(errors) => RouteError::Invalid(errors),
            RegistrationError::Closed(message) => RouteError::Conflict(message),
            RegistrationError::NotFound => RouteError::NotFound(error.to_string()),
            RegistrationError::LinkInvalid => RouteError::Gone(error.to_string()),
            RegistrationError::Mail(error) => RouteError::Internal(error.to_string()),
            RegistrationError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<ContactError> for RouteError {
    fn from(error: ContactError) -> RouteError {
        match error {
            ContactError::Invalid(errors) => RouteError::Invalid(errors),
            ContactError::NotFound(message) => RouteError::NotFound(message.into()),
            ContactError::Refused => RouteError::Forbidden(error.to_string()),
            ContactError::TooMany(seconds) => RouteError::TooManyMessages(seconds),
            ContactError::LinkInvalid => RouteError::NotFound(error.to_string()),
            ContactError::Mail(error) => RouteError::Internal(error.to_string()),
            ContactError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<MatchingError> for RouteError {
    fn from(error: MatchingError) -> RouteError {
        RouteError::Internal(error.to_string())
    }
}

impl From<ReviewError> for RouteError {
    fn from(error: ReviewError) -> RouteError {
        match error {
            ReviewError::Invalid(errors) => RouteError::Invalid(errors),
            ReviewError::NotFound => RouteError::NotFound(error.to_string()),
            ReviewError::Conflict(_) => RouteError::Forbidden(error.to_string()),
            ReviewError::Forbidden => RouteError::forbidden(),
            ReviewError::Final => RouteError::Conflict(error.to_string()),
            ReviewError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<ApplyError> for RouteError {
    fn from(error: ApplyError) -> RouteError {
        match error {
            ApplyError::Invalid(errors) => RouteError::Invalid(errors),
            ApplyError::LinkInvalid => RouteError::NotFound(error.to_string()),
            ApplyError::NotOpenYet | ApplyError::Closed | ApplyError::Final | ApplyError::NotSubmitted => {
                RouteError::Conflict(error.to_string())
            }
            ApplyError::Mail(error) => RouteError::Internal(error.to_string()),
            ApplyError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<QuestionError> for RouteError {
    fn from(error: QuestionError) -> RouteError {
        match error {
            QuestionError::Invalid(errors) => RouteError::Invalid(errors),
            QuestionError::NotFound => RouteError::NotFound(error.to_string()),
            QuestionError::Forbidden => RouteError::forbidden(),
            QuestionError::LinkInvalid | QuestionError::RequestClosed => RouteError::Gone(error.to_string()),
            QuestionError::Mail(error) => RouteError::Internal(error.to_string()),
            QuestionError::Database(error) => RouteError::Internal(error.to_string()),
        }
    }
}

impl From<crate::pagination::PageError> for RouteError {
    fn from(error: crate::pagination::PageError) -> RouteError {
        RouteError::BadRequest(error.to_string())
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable: bad_request, not_found, unauthorized, forbidden, invalid, conflict,
    /// gone, too_many_requests, method_not_allowed or internal.
    pub error: String,
    /// A sentence (in Dutch) a person understands.
    pub message: String,
    /// For `invalid`: the messages per field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
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
        let fields = match &self.0 {
            RouteError::Invalid(errors) => Some(errors.clone()),
            _ => None,
        };
        self.0.response().json(ErrorBody { error: self.0.code().into(), message: self.0.public_message(), fields })
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
            RouteError::BadRequest(_) | RouteError::Invalid(_) => "Dat verzoek begrijpen we niet",
            RouteError::NotFound(_) => "Pagina niet gevonden",
            RouteError::Unauthorized(_) => "Log eerst in",
            RouteError::Forbidden(_) => "Geen toegang",
            RouteError::Conflict(_) => "Dat kan nu niet",
            RouteError::Gone(_) => "Deze link werkt niet meer",
            RouteError::TooManyRequests(_) | RouteError::TooManyMessages(_) => "Even geduld",
            RouteError::MethodNotAllowed(_) => "Dat verzoek begrijpen we niet",
            RouteError::Internal(_) => "Er ging iets mis",
        };
        let login = matches!(self.0, RouteError::Unauthorized(_));
        let data = serde_json::json!({
            "page_title": heading, "heading": heading, "message": self.0.public_message(), "login": login,
        });
        let body = templates::render("error", &data).unwrap_or_else(|_| heading.to_string());
        self.0.response().content_type("text/html; charset=utf-8").body(body)
    }
}

/// The error as the asker expects it: the JSON error body under `/api/`, a page elsewhere.
pub fn for_path(path: &str, error: RouteError) -> HttpResponse {
    if path.starts_with("/api/") {
        ApiError(error).error_response()
    } else {
        PageError(error).error_response()
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
wrap_from!(
    ApiError,
    AccountError,
    ContactError,
    EditError,
    MatchingError,
    QuestionError,
    RegistrationError,
    sea_orm::DbErr,
    SearchError,
    actix_web::error::BlockingError,
    crate::pagination::PageError
);
wrap_from!(
    PageError,
    AccountError,
    ContactError,
    EditError,
    MatchingError,
    QuestionError,
    RegistrationError,
    sea_orm::DbErr,
    SearchError,
    RenderError,
    actix_web::error::BlockingError,
    crate::pagination::PageError
);
