//! CSS and other static files, embedded in the binary.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

#[get("/static/{path:.*}")]
pub async fn static_file(path: web::Path<String>) -> HttpResponse {
    match StaticFiles::get(&path) {
        Some(file) => HttpResponse::Ok()
            .content_type(mime_guess::from_path(path.as_str()).first_or_octet_stream().as_ref())
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(file.data.into_owned()),
        None => HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("Bestand niet gevonden"),
    }
}
