//! Reading a multipart document upload (browser form and API alike), with the size limit
//! enforced while reading, not after.

use actix_multipart::Multipart;
use actix_web::http::header::{Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;

use super::errors::RouteError;
use crate::documents::files::{readable_size, FileStore};
use crate::documents::{safe_file_name, Upload};
use crate::validation::{has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

/// The upload, the CSRF token field (browser forms send one) and what is wrong with the
/// file (too large, missing, forbidden characters). The other fields are read even then, so
/// a form shown again keeps what was filled in, such as what the document belongs to.
pub struct ReceivedUpload {
    pub upload: Upload,
    pub csrf: String,
    pub errors: FieldErrors,
}

impl ReceivedUpload {
    /// The upload when nothing is wrong with it, else its errors.
    pub fn valid(self) -> Result<ReceivedUpload, RouteError> {
        if self.errors.is_empty() {
            Ok(self)
        } else {
            Err(RouteError::Invalid(self.errors))
        }
    }
}

/// How many times the size limit of a file too large is still read to reach the fields after
/// it (what the document belongs to); beyond that the upload is refused at once.
const DRAINED_AT_MOST: usize = 4;

fn too_large(max_bytes: usize) -> String {
    format!("Het bestand is te groot: maximaal {}.", readable_size(max_bytes as u64))
}

pub async fn read(mut payload: Multipart, max_bytes: usize) -> Result<ReceivedUpload, RouteError> {
    let unreadable = |error: actix_multipart::MultipartError| {
        RouteError::BadRequest(format!("Het formulier met het bestand kwam niet goed aan: {error}"))
    };
    let mut upload = Upload::default();
    let mut csrf = String::new();
    let mut errors = FieldErrors::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or("").to_string();
        let file_name =
            field.content_disposition().and_then(|disposition| disposition.get_filename()).map(str::to_string);
        let limit = if name == "file" { max_bytes } else { 64 * 1024 };
        let (mut bytes, mut seen) = (Vec::new(), 0usize);
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            seen += chunk.len();
            if name != "file" && seen > limit {
                return Err(RouteError::BadRequest(format!("Het veld '{name}' is te lang.")));
            }
            if seen <= limit {
                bytes.extend_from_slice(&chunk);
            } else if seen > limit.saturating_mul(DRAINED_AT_MOST) {
                // Far too large: the fields after it are not worth waiting for.
                errors.add("file", too_large(max_bytes));
                return Ok(ReceivedUpload { upload, csrf, errors });
            }
            // Between the two, the rest of a file that is too large is read and dropped, to
            // reach the fields after it.
        }
        let text_field = name != "file";
        if seen > limit {
            errors.add("file", too_large(max_bytes));
            continue;
        }
        if (text_field && has_forbidden_chars(&String::from_utf8_lossy(&bytes)))
            || file_name.as_deref().is_some_and(has_forbidden_chars)
        {
            errors.add(if text_field { &name } else { "file" }, FORBIDDEN_CHARS_MESSAGE);
            continue;
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
    if errors.is_empty() && upload.bytes.is_empty() && upload.file_name.is_empty() {
        errors.add("file", "Kies een bestand om te uploaden.");
    }
    Ok(ReceivedUpload { upload, csrf, errors })
}

/// A stored file as a download: right Content-Type, a safe attachment name, and (with the
/// global nosniff header) no way for an upload to run as a page of this site. An error when
/// the file is not in the store.
pub async fn stored_file(
    store: &FileStore,
    hash: &str,
    name: &str,
    content_type: String,
) -> Result<HttpResponse, std::io::Error> {
    let path = store.path(hash).ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
    let bytes = web::block(move || std::fs::read(path)).await.map_err(std::io::Error::other)??;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(attachment(&safe_file_name(name)))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(bytes))
}

/// `attachment; filename="…"` in ASCII, and for a name beyond ASCII also its UTF-8 form
/// `filename*=UTF-8''…` (RFC 6266), which browsers prefer; older clients take the first.
fn attachment(name: &str) -> ContentDisposition {
    let ascii: String = name.chars().map(|c| if c.is_ascii() { c } else { '_' }).collect();
    let mut parameters = vec![DispositionParam::Filename(ascii)];
    if !name.is_ascii() {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition { disposition: DispositionType::Attachment, parameters }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beyond_ascii_are_sent_in_utf8_too() {
        assert_eq!(attachment("Plan van aanpak.pdf").to_string(), "attachment; filename=\"Plan van aanpak.pdf\"");
        assert_eq!(
            attachment("Coöperatie één.pdf").to_string(),
            "attachment; filename=\"Co_peratie __n.pdf\"; filename*=UTF-8''Co%C3%B6peratie%20%C3%A9%C3%A9n.pdf"
        );
    }
}
