//! `oogst import`: practices from Markdown files with YAML front matter, documents from
//! text files. A bad file is reported by name and skipped; the others are imported.

use std::fmt;
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use entity::organisation;
use indicatif::ProgressBar;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

use crate::db;
use crate::documents::{self, DocumentInput, Uploads};
use crate::practices::{self, PracticeInput};
use crate::taxonomy::Taxonomy;
use crate::validation::has_forbidden_chars;
use crate::vocabulary::Vocabulary;

/// Files saved per transaction: large enough to be fast, small enough to keep memory flat.
const BATCH: usize = 250;

/// What an importable file turned into.
#[derive(Debug)]
pub enum Item {
    Practice(PracticeInput),
    Document(DocumentInput),
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub failed: Vec<(PathBuf, String)>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} imported, {} failed", self.imported, self.failed.len())
    }
}

/// The importable files under `paths`: folders are walked (hidden files skipped, only
/// `.md` and `.txt`); a file named directly is always tried, so a wrong type is reported.
pub fn collect_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .into_iter()
                .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.'))
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_file() && is_importable(entry.path()))
                .map(|entry| entry.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn extension(path: &Path) -> String {
    path.extension().map(|ext| ext.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn is_importable(path: &Path) -> bool {
    matches!(extension(path).as_str(), "md" | "txt" | "pdf" | "docx" | "odt" | "pptx")
}

/// Reads and parses one file; the slug is the file name's stem.
pub async fn read_item(path: &Path, uploads: &Uploads) -> Result<Item, String> {
    if !is_importable(path) {
        return Err(
            "unsupported file type (use .md for practices; .txt, .pdf, .docx, .odt or .pptx for documents)".into()
        );
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read: {error}"))?;
    let name = path.file_name().map(|name| name.to_string_lossy().to_string()).unwrap_or_default();
    let stem = path.file_stem().map(|stem| stem.to_string_lossy().to_string()).unwrap_or_default();
    let slug = slug::slugify(&stem);
    let as_text = |bytes: Vec<u8>| match String::from_utf8(bytes) {
        Ok(text) if has_forbidden_chars(&text) => {
            Err("contains control characters (such as NUL or escape): remove them and import again".to_string())
        }
        Ok(text) => Ok(text),
        Err(_) => Err("not UTF-8 text".to_string()),
    };
    match extension(path).as_str() {
        "md" => parse_practice(&slug, &as_text(bytes)?).map(Item::Practice),
        "txt" => Ok(Item::Document(DocumentInput::from_text(&slug, &as_text(bytes)?))),
        _ => {
            let (file, text) =
                documents::receive_file(uploads, &name, bytes).await.map_err(|error| error.to_string())?;
            Ok(Item::Document(DocumentInput {
                slug,
                title: documents::title_from_file_name(&name),
                body: text,
                kind: documents::DocumentKind::Oogstdocument.slug().into(),
                file: Some(file),
                ..Default::default()
            }))
        }
    }
}

/// A practice from Markdown with YAML front matter between `---` lines.
pub fn parse_practice(slug: &str, text: &str) -> Result<PracticeInput, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err("missing YAML front matter: the file must start with a line '---'".into());
    }
    let mut front_matter = String::new();
    let mut closed = false;
    for line in lines.by_ref() {
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        front_matter.push_str(line);
    }
    if !closed {
        return Err("front matter is not closed by a line '---'".into());
    }
    let mut input: PracticeInput =
        serde_yaml_ng::from_str(&front_matter).map_err(|error| format!("front matter: {error}"))?;
    input.slug = slug.to_string();
    input.body = lines.collect::<String>().trim().to_string();
    Ok(input)
}

/// Saves items in batched transactions. New valid practices go in together, a few
/// statements per batch; everything else (updates, documents, items that fail) gets a
/// savepoint each, so one that fails leaves nothing half-written and does not take the rest
/// of its batch down. Within a batch, a later file with the same slug updates the earlier one.
pub async fn save(
    db: &DatabaseConnection,
    items: Vec<(PathBuf, Item)>,
    report: &mut ImportReport,
    progress: &ProgressBar,
) -> Result<(), DbErr> {
    Saver::new(db).await?.save(items, report, progress).await
}

/// What saving keeps between batches: the taxonomy, and the organisations resolved so far.
struct Saver<'a> {
    db: &'a DatabaseConnection,
    taxonomy: Taxonomy,
    organisations: HashMap<String, organisation::Model>,
}

impl<'a> Saver<'a> {
    async fn new(db: &'a DatabaseConnection) -> Result<Saver<'a>, DbErr> {
        Ok(Saver { db, taxonomy: Taxonomy::load(db).await?, organisations: HashMap::new() })
    }

    async fn save(
        &mut self,
        items: Vec<(PathBuf, Item)>,
        report: &mut ImportReport,
        progress: &ProgressBar,
    ) -> Result<(), DbErr> {
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let batch: Vec<(PathBuf, Item)> = items.by_ref().take(BATCH).collect();
            let transaction = db::begin_write(self.db).await?;
            let (fresh, rest) = split_fresh(&transaction, batch, &self.taxonomy).await?;
            let rest = match insert_fresh(&transaction, fresh, &self.taxonomy, &mut self.organisations).await? {
                Ok(inserted) => {
                    report.imported += inserted;
                    progress.inc(inserted as u64);
                    rest
                }
                Err(fresh) => fresh.into_iter().chain(rest).collect(),
            };
            for (path, item) in rest {
                save_one(&transaction, path, item, &self.taxonomy, report).await?;
                progress.inc(1);
            }
            transaction.commit().await?;
        }
        Ok(())
    }
}

/// Splits a batch into valid practices with slugs new to the database (the first file of
/// each slug) and the rest, keeping the files' order within each part.
async fn split_fresh(
    db: &impl ConnectionTrait,
    batch: Vec<(PathBuf, Item)>,
    taxonomy: &Taxonomy,
) -> Result<(Vec<(PathBuf, PracticeInput)>, Vec<(PathBuf, Item)>), DbErr> {
    let slugs: Vec<&str> = batch
        .iter()
        .filter_map(|(_, item)| match item {
            Item::Practice(input) => Some(input.slug.as_str()),
            Item::Document(_) => None,
        })
        .collect();
    let mut taken = practices::existing_slugs(db, &slugs).await?;
    let (mut fresh, mut rest) = (Vec::new(), Vec::new());
    for (path, item) in batch {
        match item {
            Item::Practice(input) if input.validate(taxonomy).is_ok() && taken.insert(input.slug.clone()) => {
                fresh.push((path, input))
            }
            other => rest.push((path, other)),
        }
    }
    Ok((fresh, rest))
}

/// Inserts the fresh practices under one savepoint; when that fails they are handed back,
/// to be saved one by one so the failing file is found and named.
async fn insert_fresh(
    transaction: &DatabaseTransaction,
    fresh: Vec<(PathBuf, PracticeInput)>,
    taxonomy: &Taxonomy,
    organisations: &mut HashMap<String, organisation::Model>,
) -> Result<Result<usize, Vec<(PathBuf, Item)>>, DbErr> {
    let savepoint = transaction.begin().await?;
    let inputs = fresh.iter().map(|(_, input)| input.clone()).collect();
    match practices::insert_new_in(&savepoint, inputs, taxonomy, organisations).await {
        Ok(inserted) => {
            savepoint.commit().await?;
            Ok(Ok(inserted))
        }
        Err(error) => {
            savepoint.rollback().await?;
            // Organisations created inside the savepoint are gone with it.
            organisations.clear();
            tracing::debug!(%error, "batch insert failed; saving the files one by one");
            Ok(Err(fresh.into_iter().map(|(path, input)| (path, Item::Practice(input))).collect()))
        }
    }
}

async fn save_one(
    transaction: &DatabaseTransaction,
    path: PathBuf,
    item: Item,
    taxonomy: &Taxonomy,
    report: &mut ImportReport,
) -> Result<(), DbErr> {
    let savepoint = transaction.begin().await?;
    let outcome = match item {
        Item::Practice(input) => {
            practices::upsert_in(&savepoint, input, taxonomy).await.map(drop).map_err(|error| error.to_string())
        }
        Item::Document(input) => {
            documents::upsert_in(&savepoint, input).await.map(drop).map_err(|error| error.to_string())
        }
    };
    match outcome {
        Ok(()) => {
            savepoint.commit().await?;
            report.imported += 1;
        }
        Err(message) => {
            savepoint.rollback().await?;
            report.failed.push((path, message));
        }
    }
    Ok(())
}

/// Reads, parses and saves everything under `paths`, a batch at a time so memory stays
/// flat however many files there are.
pub async fn import_paths(
    db: &DatabaseConnection,
    uploads: &Uploads,
    paths: &[PathBuf],
    progress: &ProgressBar,
) -> Result<ImportReport, DbErr> {
    let files = collect_files(paths);
    progress.set_length(files.len() as u64);
    let mut report = ImportReport::default();
    let mut saver = Saver::new(db).await?;
    for chunk in files.chunks(BATCH) {
        let mut items = Vec::with_capacity(chunk.len());
        for path in chunk {
            match read_item(path, uploads).await {
                Ok(item) => items.push((path.clone(), item)),
                Err(message) => {
                    report.failed.push((path.clone(), message));
                    progress.inc(1);
                }
            }
        }
        saver.save(items, &mut report, progress).await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body() {
        let input = parse_practice("dokwerk", "---\ntitle: Dokwerk\norganisation: gemeente-gorinchem\nthemes: [thuiszitters]\n---\n\n## Aanpak\n\nTekst.\n").unwrap();
        assert_eq!(input.slug, "dokwerk");
        assert_eq!(input.title, "Dokwerk");
        assert_eq!(input.themes, ["thuiszitters"]);
        assert_eq!(input.body, "## Aanpak\n\nTekst.");
    }

    #[test]
    fn bad_front_matter_is_explained() {
        assert!(parse_practice("x", "geen front matter").unwrap_err().contains("front matter"));
        assert!(parse_practice("x", "---\ntitle: x\n").unwrap_err().contains("not closed"));
        assert!(parse_practice("x", "---\ntitle: [\n---\n").unwrap_err().starts_with("front matter:"));
        assert!(parse_practice("x", "---\ntitel: x\n---\n").unwrap_err().contains("unknown field"));
    }
}
