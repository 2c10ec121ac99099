//! Reading a multipart document upload (browser form and API alike), with the size limit
//! enforced while reading, not after.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::errors::RouteError;
use crate::documents::files::readable_size;
use crate::documents::Upload;
use crate::validation::{has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

/// The upload and the CSRF token field (browser forms send one).
pub struct ReceivedUpload {
    pub upload: Upload,
    pub csrf: String,
}

fn too_large(max_bytes: usize) -> RouteError {
    let mut errors = FieldErrors::default();
    errors.add("file", format!("Het bestand is te groot: maximaal {}.", readable_size(max_bytes as u64)));
    RouteError::Invalid(errors)
}

pub async fn read(mut payload: Multipart, max_bytes: usize) -> Result<ReceivedUpload, RouteError> {
    let unreadable = |error: actix_multipart::MultipartError| {
        RouteError::BadRequest(format!("Het formulier met het bestand kwam niet goed aan: {error}"))
    };
    let mut upload = Upload::default();
    let mut csrf = String::new();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or("").to_string();
        let file_name =
            field.content_disposition().and_then(|disposition| disposition.get_filename()).map(str::to_string);
        let limit = if name == "file" { max_bytes } else { 64 * 1024 };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    too_large(max_bytes)
                } else {
                    RouteError::BadRequest(format!("Het veld '{name}' is te lang."))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text_field = name != "file";
        if (text_field && has_forbidden_chars(&String::from_utf8_lossy(&bytes)))
            || file_name.as_deref().is_some_and(has_forbidden_chars)
        {
            let mut errors = FieldErrors::default();
            errors.add(if text_field { &name } else { "file" }, FORBIDDEN_CHARS_MESSAGE);
            return Err(RouteError::Invalid(errors));
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "file" => {
                upload.file_name = file_name.unwrap_or_default();
                upload.bytes = bytes;
            }
            "title" => upload.title = text(),
            "description" => upload.description = text(),
            "kind" => upload.kind = text(),
            "themes" => upload.themes.push(text()),
            "practice" => upload.practice = Some(text()),
            "organisation" => upload.organisation = Some(text()),
            "news" => upload.news = Some(text()),
            "event" => upload.event = Some(text()),
            "csrf" => csrf = text(),
            _ => {}
        }
    }
    if upload.bytes.is_empty() && upload.file_name.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("file", "Kies een bestand om te uploaden.");
        return Err(RouteError::Invalid(errors));
    }
    Ok(ReceivedUpload { upload, csrf })
}
