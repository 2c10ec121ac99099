//! Refuses control characters at the door: in the path, the query string and form or JSON
//! bodies, before any handler or database sees them. One check for every route means NUL
//! bytes are refused alike on SQLite (which would store them) and PostgreSQL (which fails
//! on them), and no title can break the XML feeds or calendars later. Multipart uploads
//! are checked field by field where they are read (`uploads`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::StreamExt;

use super::errors::{self, RouteError};
use crate::validation::{has_forbidden_chars, FORBIDDEN_CHARS_MESSAGE};

/// The JSON and form limit (`routes::configure`); uploads are multipart and not read here.
const BODY_LIMIT: usize = 1 << 20;
const TOO_LARGE_MESSAGE: &str = "Het verzoek is te groot: formulieren en JSON mogen samen maximaal 1 MB zijn.";

pub async fn refuse_control_characters(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refusal = if url_has_forbidden_chars(&request) {
        Some(FORBIDDEN_CHARS_MESSAGE)
    } else {
        check_body(&mut request).await?
    };
    if let Some(message) = refusal {
        let response = errors::for_path(request.path(), RouteError::BadRequest(message.into()));
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}

fn url_has_forbidden_chars(request: &ServiceRequest) -> bool {
    let path = percent_encoding::percent_decode_str(request.path()).decode_utf8_lossy();
    has_forbidden_chars(&path) || pairs_have_forbidden_chars(request.query_string().as_bytes())
}

/// Reads a form or JSON body, checks it and puts it back for the handler; the reason to
/// refuse it, if any.
async fn check_body(request: &mut ServiceRequest) -> Result<Option<&'static str>, actix_web::Error> {
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json");
    if !is_form && !is_json {
        return Ok(None);
    }
    let mut payload = request.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Ok(Some(TOO_LARGE_MESSAGE));
        }
        body.extend_from_slice(&chunk);
    }
    let body: Bytes = body.freeze();
    let refused = if is_form { pairs_have_forbidden_chars(&body) } else { json_has_forbidden_chars(&body) };
    request.set_payload(Payload::from(body));
    Ok(refused.then_some(FORBIDDEN_CHARS_MESSAGE))
}

/// `a=1&b=%00`: every decoded name and value. Text that does not decode is left to the
/// handler, which refuses it with its own message.
fn pairs_have_forbidden_chars(encoded: &[u8]) -> bool {
    url::form_urlencoded::parse(encoded).any(|(name, value)| has_forbidden_chars(&name) || has_forbidden_chars(&value))
}

fn json_has_forbidden_chars(body: &[u8]) -> bool {
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(text) => has_forbidden_chars(text),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(fields) => {
                fields.iter().any(|(name, value)| has_forbidden_chars(name) || walk(value))
            }
            _ => false,
        }
    }
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|value| walk(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_control_characters_in_forms_and_json() {
        assert!(pairs_have_forbidden_chars(b"title=Dokwerk%00&x=1"));
        assert!(pairs_have_forbidden_chars(b"ti%07tle=Dokwerk"));
        assert!(!pairs_have_forbidden_chars(b"body=regel+1%0D%0Aregel+2%09tab"));
        assert!(json_has_forbidden_chars(br#"{"contact": {"name": "a\u0000b"}}"#));
        assert!(json_has_forbidden_chars(br#"{"links": [{"title": "x\u001b"}]}"#));
        assert!(!json_has_forbidden_chars(br#"{"body": "regel 1\nregel 2", "n": 3}"#));
        assert!(!json_has_forbidden_chars(b"geen json"));
    }
}
