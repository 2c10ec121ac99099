//! What every `/api/v1` operation shares: requests the routes cannot read get the JSON error
//! body, unknown paths and methods too (405 with `Allow`), and the OpenAPI document lists
//! the answers this gives on every operation it applies to.

use std::sync::LazyLock;

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError, Scope};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::OpenApi;

use super::ApiDoc;
use crate::routes::errors::{ApiError, RouteError};

/// The API scope's own extractor settings and default service, so that a query or path the
/// routes cannot read, and a request no route matches, are answered as JSON (the site-wide
/// query settings answer with HTML pages; the site-wide JSON body settings already answer JSON).
pub fn json_errors(scope: Scope) -> Scope {
    scope
        .app_data(web::QueryConfig::default().error_handler(unreadable_query))
        .app_data(web::PathConfig::default().error_handler(unreadable_path))
        .default_service(web::to(unmatched))
}

fn unreadable_query(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError(RouteError::BadRequest(format!("De parameters in de URL kloppen niet: {error}"))).into()
}

/// A path value that does not parse (`/users/abc/role`) names nothing: 404, as for an unknown id.
fn unreadable_path(_: PathError, request: &HttpRequest) -> actix_web::Error {
    ApiError(unknown_path(request.path())).into()
}

pub fn unknown_path(path: &str) -> RouteError {
    RouteError::NotFound(format!("Onbekend API-pad '{path}'."))
}

/// The API description, built once: the routes answer what it documents.
static DOCUMENT: LazyLock<Document> = LazyLock::new(ApiDoc::openapi);

pub fn document() -> &'static Document {
    &DOCUMENT
}

/// Requests no route matched: 405 with `Allow` when the path is documented for other
/// methods (TRACE included), 404 otherwise.
async fn unmatched(request: HttpRequest) -> HttpResponse {
    let path = request.path();
    let documented = document().paths.paths.iter().find(|(template, _)| matches_template(template, path));
    let error = match documented {
        Some((_, item)) => RouteError::MethodNotAllowed(methods(item)),
        None => unknown_path(path),
    };
    ApiError(error).error_response()
}

/// Whether `path` is an instance of an OpenAPI path template (`/practices/{slug}`).
fn matches_template(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(expected, given)| {
            (expected.starts_with('{') && expected.ends_with('}') && !given.is_empty()) || expected == given
        })
}

/// The methods a path item documents, as the `Allow` header names them.
fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", &item.get),
        ("PUT", &item.put),
        ("POST", &item.post),
        ("DELETE", &item.delete),
        ("OPTIONS", &item.options),
        ("HEAD", &item.head),
        ("PATCH", &item.patch),
        ("TRACE", &item.trace),
    ]
    .into_iter()
    .filter_map(|(name, operation)| operation.is_some().then_some(name))
    .collect()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// Documents the answers every operation can give because of how it reads its request:
/// 400 for a body, query or path value it cannot read or that holds control characters
/// (`input_guard`), 404 for a path value that does not parse, 401
/// for a token that is present but invalid, expired or revoked (also where a token is optional).
pub struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut Document) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let parameters = operation.parameters.iter().flatten();
                let reads_query = parameters.clone().any(|parameter| parameter.parameter_in == ParameterIn::Query);
                let reads_path = parameters.clone().any(|parameter| parameter.parameter_in == ParameterIn::Path);
                let accepts_token = operation
                    .security
                    .iter()
                    .flatten()
                    .any(|requirement| *requirement != SecurityRequirement::default());
                if operation.request_body.is_some() || reads_query || reads_path {
                    add_error(
                        operation,
                        "400",
                        "The body, query string or path cannot be read or holds control characters",
                    );
                }
                if reads_path {
                    add_error(operation, "404", "Nothing at this path");
                }
                if accepts_token {
                    add_error(operation, "401", "The token is invalid, expired or revoked, or missing where required");
                }
            }
        }
    }
}

/// Text without the characters `input_guard` refuses, as a JSON-schema pattern (ECMA regex).
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]*$";

/// Says in the document what `input_guard` enforces: every free-text string (no enum or
/// pattern of its own) holds no control characters other than tab and line breaks.
pub struct TextWithoutControlCharacters;

impl utoipa::Modify for TextWithoutControlCharacters {
    fn modify(&self, openapi: &mut Document) {
        fn walk(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(fields) => {
                    let is_string = match fields.get("type") {
                        Some(serde_json::Value::String(kind)) => kind == "string",
                        Some(serde_json::Value::Array(kinds)) => kinds.iter().any(|kind| kind == "string"),
                        _ => false,
                    };
                    let constrained =
                        ["enum", "format", "pattern", "const"].iter().any(|key| fields.contains_key(*key));
                    if is_string && !constrained {
                        fields.insert("pattern".into(), TEXT_PATTERN.into());
                    }
                    fields.values_mut().for_each(walk);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
                _ => {}
            }
        }
        let Ok(mut json) = serde_json::to_value(&*openapi) else { return };
        walk(&mut json);
        if let Ok(patterned) = serde_json::from_value(json) {
            *openapi = patterned;
        }
    }
}

/// Adds an error response with the JSON error body, unless the operation documents the status.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", body).build();
    operation.responses.responses.entry(status.to_string()).or_insert(response.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments() {
        assert!(matches_template("/api/v1/practices/{slug}", "/api/v1/practices/dokwerk"));
        assert!(!matches_template("/api/v1/practices/{slug}", "/api/v1/practices/"));
        assert!(!matches_template("/api/v1/practices/{slug}", "/api/v1/practices/a/b"));
        assert!(!matches_template("/api/v1/practices", "/api/v1/practice"));
    }

    #[test]
    fn every_operation_documents_what_reading_its_request_can_answer() {
        let document = document();
        let operation = |path: &str, pick: fn(&PathItem) -> &Option<Operation>| {
            let item = document.paths.paths.get(path).unwrap_or_else(|| panic!("{path} documented"));
            pick(item).clone().unwrap_or_else(|| panic!("operation on {path}")).responses.responses
        };
        let statuses = |responses: std::collections::BTreeMap<_, _>| responses.into_keys().collect::<Vec<String>>();
        assert!(statuses(operation("/api/v1/practices", |item| &item.post)).contains(&"400".to_string()));
        assert!(statuses(operation("/api/v1/practices", |item| &item.get)).contains(&"400".to_string()));
        assert!(!statuses(operation("/api/v1/practices", |item| &item.get)).contains(&"401".to_string()));
        assert!(statuses(operation("/api/v1/practices/{slug}", |item| &item.get)).contains(&"401".to_string()));
        assert!(statuses(operation("/api/v1/users/{id}/role", |item| &item.put)).contains(&"404".to_string()));
        assert!(statuses(operation("/api/v1/documents/{slug}", |item| &item.get)).contains(&"400".to_string()));
        assert_eq!(statuses(operation("/api/v1/themes", |item| &item.get)), ["200"]);
    }

    #[test]
    fn free_text_is_documented_without_control_characters() {
        let json = serde_json::to_value(document()).unwrap();
        let title = &json["components"]["schemas"]["PracticeInput"]["properties"]["title"];
        assert_eq!(title["pattern"], TEXT_PATTERN, "{title}");
        let query = &json["paths"]["/api/v1/search"]["get"]["parameters"][0];
        assert_eq!(
            (&query["name"], &query["schema"]["pattern"]),
            (&"q".into(), &TEXT_PATTERN.into()),
            "query text too"
        );
    }

    #[test]
    fn page_bounds_are_documented_as_enforced() {
        let json = serde_json::to_value(document()).unwrap();
        let parameters = json["paths"]["/api/v1/practices"]["get"]["parameters"].as_array().unwrap();
        let schema =
            |name: &str| parameters.iter().find(|parameter| parameter["name"] == name).unwrap()["schema"].clone();
        assert_eq!(schema("page")["minimum"], 1);
        assert_eq!(schema("page")["maximum"], crate::pagination::MAX_PAGE);
        assert_eq!(schema("per_page")["maximum"], crate::pagination::MAX_PER_PAGE);
        assert_eq!(schema("page")["type"], "integer");
    }
}
