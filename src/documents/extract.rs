//! Text out of uploaded files: PDF, DOCX, ODT, PPTX, plain text and Markdown.
//!
//! Hostile files are expected. The type is checked by content and extension together, zip
//! containers are read with caps on entries and uncompressed bytes (zip bombs), encrypted
//! PDFs are refused, and `isolated` runs the extraction in a child process with limits on
//! memory and CPU time and a wall-clock timeout, so an endless object graph cannot hang or
//! exhaust the server.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// The file types Oogst accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Pdf,
    Docx,
    Odt,
    Pptx,
    Text,
    Markdown,
}

/// Bytes read from a zip container at most, all entries together.
const MAX_UNCOMPRESSED: u64 = 64 * 1024 * 1024;
const MAX_ZIP_ENTRIES: usize = 5_000;
/// Extracted text kept at most (a very long report still indexes its first 8 MB).
const MAX_TEXT: usize = 8 * 1024 * 1024;
/// Limits of the child process.
const CHILD_MEMORY: u64 = 1024 * 1024 * 1024;
const CHILD_CPU_SECONDS: u64 = 30;
const CHILD_TIMEOUT: Duration = Duration::from_secs(40);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ExtractError {
    #[error("Dit bestandstype kan niet: gebruik PDF, DOCX, ODT, PPTX, TXT of Markdown.")]
    UnsupportedType,
    #[error("De inhoud past niet bij de extensie .{0}: het bestand is iets anders dan het lijkt.")]
    Mismatch(String),
    #[error("Deze PDF is beveiligd met een wachtwoord of versleuteld; sla hem onbeveiligd op en probeer het opnieuw.")]
    Encrypted,
    #[error("Het bestand is beschadigd of onvolledig en kan niet worden gelezen ({0}).")]
    Corrupt(String),
    #[error("Uitgepakt is dit bestand groter dan {} MB; zo'n bestand nemen we niet aan.", MAX_UNCOMPRESSED / 1024 / 1024)]
    TooLarge,
    #[error("Dit bestand bestaat uit meer dan {MAX_ZIP_ENTRIES} onderdelen; zo'n bestand nemen we niet aan.")]
    TooManyEntries,
    #[error("Het lezen van dit bestand duurde te lang of vroeg te veel geheugen; het is geweigerd.")]
    TooCostly,
}

impl FileKind {
    pub fn from_extension(file_name: &str) -> Option<FileKind> {
        let extension = Path::new(file_name).extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "pdf" => FileKind::Pdf,
            "docx" => FileKind::Docx,
            "odt" => FileKind::Odt,
            "pptx" => FileKind::Pptx,
            "txt" => FileKind::Text,
            "md" | "markdown" => FileKind::Markdown,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Odt => "odt",
            FileKind::Pptx => "pptx",
            FileKind::Text => "text",
            FileKind::Markdown => "markdown",
        }
    }

    pub fn parse(value: &str) -> Option<FileKind> {
        [FileKind::Pdf, FileKind::Docx, FileKind::Odt, FileKind::Pptx, FileKind::Text, FileKind::Markdown]
            .into_iter()
            .find(|kind| kind.as_str() == value)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Markdown => "text/markdown; charset=utf-8",
        }
    }

    /// The type the name promises, if the content agrees.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Result<FileKind, ExtractError> {
        let claimed = FileKind::from_extension(file_name).ok_or(ExtractError::UnsupportedType)?;
        let sniffed = infer::get(bytes).map(|found| found.mime_type());
        let agrees = match claimed {
            FileKind::Pdf => bytes.starts_with(b"%PDF-"),
            FileKind::Docx | FileKind::Odt | FileKind::Pptx => {
                bytes.starts_with(b"PK\x03\x04") && zip_kind(bytes) == Some(claimed)
            }
            FileKind::Text | FileKind::Markdown => {
                sniffed.is_none() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
            }
        };
        if agrees {
            Ok(claimed)
        } else {
            let extension = Path::new(file_name).extension().and_then(|ext| ext.to_str()).unwrap_or("");
            Err(ExtractError::Mismatch(extension.to_ascii_lowercase()))
        }
    }
}

/// What an office container really is, from the names inside it.
fn zip_kind(bytes: &[u8]) -> Option<FileKind> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|name| name.into_owned()).collect();
    let has = |wanted: &str| names.iter().any(|name| name == wanted);
    if has("word/document.xml") {
        Some(FileKind::Docx)
    } else if names.iter().any(|name| name.starts_with("ppt/slides/")) {
        Some(FileKind::Pptx)
    } else if has("content.xml") && has("mimetype") {
        Some(FileKind::Odt)
    } else {
        None
    }
}

/// Extracts in this process: call only inside the child (`oogst extract-text`) or on
/// trusted input.
pub fn extract(kind: FileKind, bytes: &[u8]) -> Result<String, ExtractError> {
    let mut text = match kind {
        FileKind::Pdf => pdf_text(bytes)?,
        FileKind::Docx => office_text(bytes, |name| name == "word/document.xml", "p")?,
        FileKind::Pptx => {
            office_text(bytes, |name| name.starts_with("ppt/slides/slide") && name.ends_with(".xml"), "p")?
        }
        FileKind::Odt => office_text(bytes, |name| name == "content.xml", "p")?,
        FileKind::Text => String::from_utf8_lossy(bytes).into_owned(),
        FileKind::Markdown => crate::markdown::to_plain_text(&String::from_utf8_lossy(bytes)),
    };
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    Ok(text)
}

fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let document = lopdf::Document::load_mem(bytes).map_err(|error| ExtractError::Corrupt(error.to_string()))?;
    // lopdf opens a PDF encrypted with an empty user password by itself (`was_encrypted`);
    // it is refused all the same, so every encrypted PDF gets the same answer.
    if document.is_encrypted() || document.was_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let text = pdf_extract::extract_text_from_mem(bytes).map_err(|error| ExtractError::Corrupt(error.to_string()))?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The text of the XML parts `wanted` of an office container; `paragraph` is the local
/// name of the element that ends a paragraph (w:p, a:p, text:p all end in "p").
fn office_text(bytes: &[u8], wanted: impl Fn(&str) -> bool, paragraph: &str) -> Result<String, ExtractError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|error| ExtractError::Corrupt(error.to_string()))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(ExtractError::TooManyEntries);
    }
    let mut names: Vec<String> =
        archive.file_names().filter_map(Result::ok).filter(|name| wanted(name)).map(|name| name.into_owned()).collect();
    // slide2.xml before slide10.xml
    names.sort_by_key(|name| (name.len(), name.clone()));
    let mut budget = MAX_UNCOMPRESSED;
    let mut text = String::new();
    for name in names {
        let entry = archive.by_name(&name).map_err(|error| ExtractError::Corrupt(error.to_string()))?;
        let mut xml = Vec::new();
        entry.take(budget + 1).read_to_end(&mut xml).map_err(|error| ExtractError::Corrupt(error.to_string()))?;
        if xml.len() as u64 > budget {
            return Err(ExtractError::TooLarge);
        }
        budget -= xml.len() as u64;
        xml_text(&xml, paragraph, &mut text)?;
    }
    Ok(text.trim().to_string())
}

fn xml_text(xml: &[u8], paragraph: &str, out: &mut String) -> Result<(), ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Text(text)) => out.push_str(&text.xml10_content()),
            Ok(Event::GeneralRef(reference)) => {
                if let Ok(Some(character)) = reference.resolve_char_ref() {
                    out.push(character);
                } else {
                    out.push_str(quick_xml::escape::resolve_predefined_entity(reference.as_ref()).unwrap_or(""));
                }
            }
            Ok(Event::End(end)) if end.local_name().as_ref() == paragraph => out.push('\n'),
            Ok(Event::Empty(empty)) if matches!(empty.local_name().as_ref(), "tab" | "br" | "s") => out.push(' '),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(error) => return Err(ExtractError::Corrupt(error.to_string())),
        }
        buffer.clear();
    }
}

/// The child's answer on stdout.
#[derive(Debug, Serialize, Deserialize)]
pub enum ChildAnswer {
    Text(String),
    Failed(ExtractError),
}

/// Runs in the child process (`oogst extract-text KIND`): file on stdin, answer on stdout.
pub fn run_child(kind: &str) -> std::io::Result<()> {
    // Limits first: whatever the file does, the child dies, not the server.
    let _ = rlimit::setrlimit(rlimit::Resource::AS, CHILD_MEMORY, CHILD_MEMORY);
    let _ = rlimit::setrlimit(rlimit::Resource::CPU, CHILD_CPU_SECONDS, CHILD_CPU_SECONDS);
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    let answer = match FileKind::parse(kind) {
        Some(kind) => match extract(kind, &bytes) {
            Ok(text) => ChildAnswer::Text(text),
            Err(error) => ChildAnswer::Failed(error),
        },
        None => ChildAnswer::Failed(ExtractError::UnsupportedType),
    };
    let json = serde_json::to_vec(&answer).map_err(std::io::Error::other)?;
    std::io::stdout().write_all(&json)
}

/// Extracts in a child process (`extractor` is the oogst binary) under limits; a child
/// that crashes, runs out of memory or time is reported as `TooCostly`.
pub async fn isolated(extractor: &Path, kind: FileKind, bytes: Vec<u8>) -> Result<String, ExtractError> {
    let mut child = tokio::process::Command::new(extractor)
        .args(["extract-text", kind.as_str()])
        // mimalloc reserves address space in arenas of 1 GiB by default, which alone would
        // break the child's address space limit; small arenas keep the limit about memory.
        .env("MIMALLOC_ARENA_RESERVE", "32MiB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| ExtractError::Corrupt(format!("extractor: {error}")))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = stdin.write_all(&bytes).await;
    });
    let output = match tokio::time::timeout(CHILD_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(ExtractError::Corrupt(format!("extractor: {error}"))),
        Err(_) => return Err(ExtractError::TooCostly),
    };
    let _ = writer.await;
    match serde_json::from_slice::<ChildAnswer>(&output.stdout) {
        Ok(ChildAnswer::Text(text)) => Ok(text),
        Ok(ChildAnswer::Failed(error)) => Err(error),
        Err(_) => Err(ExtractError::TooCostly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_and_content_must_agree() {
        assert_eq!(FileKind::detect("verslag.txt", "Verslag van de heidag".as_bytes()), Ok(FileKind::Text));
        assert_eq!(FileKind::detect("plan.pdf", b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(FileKind::detect("plan.pdf", b"<html>"), Err(ExtractError::Mismatch("pdf".into())));
        assert_eq!(
            FileKind::detect("plaatje.txt", b"\x89PNG\r\n\x1a\n\0\0\0"),
            Err(ExtractError::Mismatch("txt".into()))
        );
        assert_eq!(FileKind::detect("virus.exe", b"MZ"), Err(ExtractError::UnsupportedType));
        assert_eq!(FileKind::detect("nep.docx", b"%PDF-1.4"), Err(ExtractError::Mismatch("docx".into())));
    }

    #[test]
    fn xml_paragraphs_become_lines() {
        let mut out = String::new();
        xml_text(br#"<w:document><w:p><w:r><w:t>Warme</w:t></w:r><w:r><w:t> overdracht</w:t></w:r></w:p><w:p><w:t>co&#246;peratie &amp; school</w:t></w:p></w:document>"#, "p", &mut out).unwrap();
        assert_eq!(out, "Warme overdracht\ncoöperatie & school\n");
    }
}
