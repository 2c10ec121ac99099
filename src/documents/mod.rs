//! Harvest documents ("oogstdocumenten"): uploaded or imported files (PDF, DOCX, ODT, PPTX,
//! text, Markdown) whose text is extracted and searchable, attached to a practice, an
//! organisation or a news item.

pub mod extract;
pub mod files;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use strum::{EnumIter, EnumMessage, EnumString, IntoStaticStr};

use entity::{document, event, news, organisation, practice};

use crate::actor::{policy, Actor};
use crate::config::Config;
use crate::db;
use crate::outbox;
use crate::search::{Audience, IndexItem, ItemKind, OrganisationRef};
use crate::taxonomy::{PracticeStatus, Taxonomy};
use crate::validation::{free_slug, slug_is_valid, without_forbidden_chars, EditError, FieldErrors};
use crate::vocabulary::Vocabulary;
use extract::{ExtractError, FileKind};
use files::FileStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum DocumentKind {
    #[strum(serialize = "oogstdocument", message = "Oogstdocument")]
    Oogstdocument,
    #[strum(serialize = "presentatie", message = "Presentatie")]
    Presentatie,
    #[strum(serialize = "verslag", message = "Verslag")]
    Verslag,
    #[strum(serialize = "plan-van-aanpak", message = "Plan van aanpak")]
    PlanVanAanpak,
    #[strum(serialize = "overig", message = "Overig")]
    Overig,
}
impl Vocabulary for DocumentKind {}

/// Text status when a file has no text to extract (a scan): still downloadable.
pub const NO_TEXT: &str = "no_text";

/// A stored file as a document refers to it.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub hash: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub slug: String,
    pub title: String,
    /// The document's text (extracted from its file, or typed).
    pub body: String,
    pub description: String,
    pub kind: String,
    pub themes: Vec<String>,
    pub organisation_id: Option<i32>,
    pub practice_id: Option<i32>,
    pub news_id: Option<i32>,
    pub event_id: Option<i32>,
    pub file: Option<StoredFile>,
}

impl DocumentInput {
    /// A text file: the first non-empty line is the title, the rest the body.
    pub fn from_text(slug: &str, text: &str) -> DocumentInput {
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let (title, body) = text.split_once('\n').unwrap_or((text, ""));
        DocumentInput {
            slug: slug.to_string(),
            title: title.trim().to_string(),
            body: body.trim().to_string(),
            kind: DocumentKind::Oogstdocument.slug().into(),
            ..Default::default()
        }
    }

    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !slug_is_valid(&self.slug) {
            errors.add(
                "slug",
                format!("'{}' is geen geldige korte naam: gebruik kleine letters, cijfers en streepjes.", self.slug),
            );
        }
        if self.title.trim().is_empty() {
            errors.add("title", "Het document heeft geen titel.");
        }
        if self.body.is_empty() && self.file.is_none() {
            errors.add("body", "Het document bevat geen tekst na de titel.");
        }
        check_classification(&self.kind, &self.themes, taxonomy, &mut errors);
        errors.into_result()
    }
}

/// The kind and themes of a document; an upload is checked on them before its file is stored.
fn check_classification(kind: &str, themes: &[String], taxonomy: &Taxonomy, errors: &mut FieldErrors) {
    if DocumentKind::from_slug(kind).is_none() {
        errors
            .add("kind", format!("Onbekend soort document '{kind}' (kies uit {}).", DocumentKind::slugs().join(", ")));
    }
    for slug in themes {
        if !taxonomy.themes.iter().any(|theme| &theme.slug == slug) {
            errors.add("themes", format!("Onbekend thema '{slug}'."));
        }
    }
}

/// Saves a document inside the caller's transaction, with its outbox record.
pub async fn upsert_in(db: &impl ConnectionTrait, input: DocumentInput) -> Result<document::Model, EditError> {
    let taxonomy = Taxonomy::load(db).await?;
    input.validate(&taxonomy).map_err(EditError::Invalid)?;
    let now = Utc::now();
    let existing = document::Entity::find().filter(document::Column::Slug.eq(&input.slug)).one(db).await?;
    let mut model = match &existing {
        Some(found) => document::ActiveModel::from(found.clone()),
        None => document::ActiveModel { created_at: Set(now), published_at: Set(now), ..Default::default() },
    };
    model.slug = Set(input.slug);
    model.title = Set(input.title.trim().to_string());
    model.text_status = Set(if input.body.trim().is_empty() { NO_TEXT.into() } else { "ok".into() });
    model.body = Set(input.body);
    model.description = Set(input.description.trim().to_string());
    model.kind = Set(input.kind);
    model.themes = Set(serde_json::json!(input.themes));
    model.organisation_id = Set(input.organisation_id);
    model.practice_id = Set(input.practice_id);
    model.news_id = Set(input.news_id);
    model.event_id = Set(input.event_id);
    model.file_hash = Set(input.file.as_ref().map(|file| file.hash.clone()));
    model.file_name = Set(input.file.as_ref().map(|file| file.name.clone()));
    model.content_type = Set(input.file.as_ref().map(|file| file.content_type.clone()));
    model.file_size = Set(input.file.as_ref().map(|file| file.size));
    model.updated_at = Set(now);
    let saved = match existing {
        Some(_) => model.update(db).await?,
        None => model.insert(db).await?,
    };
    outbox::record_changes(db, ItemKind::Document, &[saved.id]).await?;
    Ok(saved)
}

/// Where uploads go and how they are read.
#[derive(Debug, Clone)]
pub struct Uploads {
    pub store: FileStore,
    /// The oogst binary, run as `oogst extract-text` to read files in a separate process.
    pub extractor: std::path::PathBuf,
    pub max_bytes: usize,
}

impl Uploads {
    /// Where the configuration says uploads are stored, and how they are read.
    pub fn from_config(config: &Config) -> std::io::Result<Uploads> {
        let extractor = if config.extractor.is_empty() {
            std::env::current_exe()?
        } else {
            std::path::PathBuf::from(&config.extractor)
        };
        Ok(Uploads {
            store: FileStore::new(config.data_dir.join("files")),
            extractor,
            max_bytes: config.max_upload_mb.max(1) * 1024 * 1024,
        })
    }
}

/// Checks a file's type by content and extension, extracts its text under limits and
/// stores it. A file without text (a scan) is accepted with empty text.
pub async fn receive_file(
    uploads: &Uploads,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<(StoredFile, String), EditError> {
    let file_error = |message: String| EditError::field("file", message);
    if bytes.is_empty() {
        return Err(file_error("Het bestand is leeg.".into()));
    }
    if bytes.len() > uploads.max_bytes {
        return Err(file_error(format!(
            "Het bestand is te groot: maximaal {}.",
            files::readable_size(uploads.max_bytes as u64)
        )));
    }
    let kind = FileKind::detect(file_name, &bytes).map_err(|error| file_error(error.to_string()))?;
    let size = bytes.len() as i64;
    let (text, bytes) = match kind {
        // Plain text needs no isolation; everything else is parsed in the child process.
        FileKind::Text | FileKind::Markdown => (extract::extract(kind, &bytes), bytes),
        _ => (extract::isolated(&uploads.extractor, kind, bytes.clone()).await, bytes),
    };
    // Extracted text is not typed by anyone: control characters (form feeds, NUL) are
    // dropped rather than refused, so PostgreSQL can store it and pages show it.
    let text = without_forbidden_chars(&text.map_err(|error: ExtractError| file_error(error.to_string()))?);
    let store = uploads.store.clone();
    let hash = tokio::task::spawn_blocking(move || store.put(&bytes))
        .await
        .map_err(|error| EditError::Database(DbErr::Custom(error.to_string())))?
        .map_err(|error| EditError::Database(DbErr::Custom(format!("storing the file: {error}"))))?;
    let name = safe_file_name(file_name);
    Ok((StoredFile { hash, name, content_type: kind.content_type().into(), size }, text))
}

/// The name a download gets: the uploaded name without folders or odd characters.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String =
        base.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' }).collect();
    let cleaned = cleaned.trim_matches(['.', ' ']).to_string();
    if cleaned.is_empty() {
        "document".into()
    } else {
        cleaned.chars().take(120).collect()
    }
}

/// A document upload as a form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub title: String,
    pub description: String,
    pub kind: String,
    pub themes: Vec<String>,
    /// Slug of the practice it belongs to.
    pub practice: Option<String>,
    /// Slug of the organisation (defaults to the practice's, or the uploader's own).
    pub organisation: Option<String>,
    /// Slug of the news item it is attached to (beheerders only).
    pub news: Option<String>,
    /// Slug of the event it is attached to (its organisers only).
    pub event: Option<String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Uploads a document for a practice or organisation the actor may edit (beheerders: any).
pub async fn upload_as(
    db: &DatabaseConnection,
    uploads: &Uploads,
    actor: &Actor,
    upload: Upload,
) -> Result<DocumentView, EditError> {
    let practice = match upload.practice.as_deref().map(str::trim).filter(|slug| !slug.is_empty()) {
        Some(slug) => Some(practice_to_attach_to(db, actor, slug).await?),
        None => None,
    };
    let organisation_id =
        match (upload.organisation.as_deref().map(str::trim).filter(|slug| !slug.is_empty()), &practice) {
            (Some(slug), _) => Some(
                crate::organisations::find_by_slug(db, slug)
                    .await?
                    .ok_or_else(|| EditError::field("organisation", format!("Onbekende organisatie '{slug}'.")))?
                    .id,
            ),
            (None, Some(practice)) => Some(practice.organisation_id),
            (None, None) => actor.organisation_id,
        };
    let news_item =
        match upload.news.as_deref().map(str::trim).filter(|slug| !slug.is_empty()) {
            // Asked before looking, so nobody else learns which (scheduled) news exists.
            Some(_) if !policy::can_manage_network(actor) => return Err(EditError::Forbidden),
            Some(slug) => {
                Some(news::Entity::find().filter(news::Column::Slug.eq(slug)).one(db).await?.ok_or_else(|| {
                    EditError::field("news", format!("Het nieuwsbericht '{slug}' bestaat niet (meer)."))
                })?)
            }
            None => None,
        };
    let event = match upload.event.as_deref().map(str::trim).filter(|slug| !slug.is_empty()) {
        Some(slug) => Some(crate::events::find_organised(db, actor, slug).await?),
        None => None,
    };
    let organisation_id = match &event {
        Some(event) if upload.organisation.as_deref().is_none_or(|slug| slug.trim().is_empty()) => {
            event.organisation_id
        }
        _ => organisation_id,
    };
    let allowed = match organisation_id {
        Some(id) => policy::can_edit_practices_of(actor, id),
        None => policy::can_manage_network(actor),
    };
    if !allowed {
        return Err(EditError::Forbidden);
    }
    let title =
        if upload.title.trim().is_empty() { title_from_file_name(&upload.file_name) } else { upload.title.clone() };
    let kind = if upload.kind.is_empty() { DocumentKind::Oogstdocument.slug().into() } else { upload.kind };
    // Checked before the file is stored, so a refused upload leaves no file behind.
    let mut errors = FieldErrors::default();
    check_classification(&kind, &upload.themes, &Taxonomy::load(db).await?, &mut errors);
    errors.into_result().map_err(EditError::Invalid)?;
    let (file, text) = receive_file(uploads, &upload.file_name, upload.bytes).await?;
    let transaction = db::begin_write(db).await?;
    let input = DocumentInput {
        slug: free_slug::<document::Entity>(&transaction, document::Column::Slug, &title, "document").await?,
        title,
        body: text,
        description: upload.description,
        kind,
        themes: upload.themes,
        organisation_id,
        practice_id: practice.map(|found| found.id),
        news_id: news_item.map(|found| found.id),
        event_id: event.map(|found| found.id),
        file: Some(file),
    };
    let saved = upsert_in(&transaction, input).await?;
    crate::audit::record(&transaction, actor, "geüpload", "document", &saved.slug, saved.title.clone()).await?;
    transaction.commit().await?;
    find_visible(db, Some(actor), &saved.slug).await?.ok_or(EditError::NotFound("Dit document bestaat niet."))
}

/// The practice a document is uploaded for, if the actor may edit it. A practice they may
/// not see (a concept or archived one of another organisation) gets the same answer as
/// one that does not exist, so uploads cannot probe for drafts.
async fn practice_to_attach_to(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
) -> Result<practice::Model, EditError> {
    match practice::Entity::find().filter(practice::Column::Slug.eq(slug)).one(db).await? {
        Some(found) if policy::can_edit_practices_of(actor, found.organisation_id) => Ok(found),
        Some(found) if found.status == PracticeStatus::Gepubliceerd.slug() => Err(EditError::Forbidden),
        _ => Err(EditError::field("practice", format!("De praktijk '{slug}' bestaat niet (meer)."))),
    }
}

/// "Verslag_werksessie-maart.pdf" → "Verslag werksessie maart".
pub fn title_from_file_name(name: &str) -> String {
    let stem = Path::new(name).file_stem().and_then(|stem| stem.to_str()).unwrap_or("Document");
    let words: String = stem.chars().map(|c| if c == '_' || c == '-' { ' ' } else { c }).collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Document".into(),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub kind_label: String,
    pub themes: Vec<String>,
    pub url: String,
    /// Where the file can be downloaded, if the document has one.
    pub download_url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub file_size: Option<i64>,
    /// false for a file without extractable text (a scan).
    pub has_text: bool,
    /// The extracted text.
    pub body: String,
    pub published_at: DateTime<Utc>,
    pub organisation: Option<String>,
    pub organisation_slug: Option<String>,
    pub practice: Option<String>,
    pub practice_slug: Option<String>,
    pub news_slug: Option<String>,
    pub event_slug: Option<String>,
}

/// What a document is attached to, as far as its visibility goes: a document is seen by
/// whoever may see all of its owners, and found by search only when all of them are public.
#[derive(Debug, Clone, Copy, Default)]
struct Owners {
    /// Whether the practice is published, and whose it is.
    practice: Option<(bool, i32)>,
    /// When the news item is (or was) published.
    news_published_at: Option<DateTime<Utc>>,
    /// Whether the event is for members only.
    event_members_only: Option<bool>,
}

impl Owners {
    fn new(practice: Option<&practice::Model>, news: Option<&news::Model>, event: Option<&event::Model>) -> Owners {
        Owners {
            practice: practice
                .map(|found| (found.status == PracticeStatus::Gepubliceerd.slug(), found.organisation_id)),
            news_published_at: news.map(|found| found.published_at),
            event_members_only: event.map(|found| found.members_only),
        }
    }

    /// From when everyone may see the document (scheduled news: its publication time); never
    /// while it belongs to a concept or archived practice or a members-only event.
    fn public_from(&self) -> Option<DateTime<Utc>> {
        let hidden = self.practice.is_some_and(|(published, _)| !published) || self.event_members_only == Some(true);
        (!hidden).then(|| self.news_published_at.unwrap_or(DateTime::<Utc>::MIN_UTC))
    }

    fn visible_to(&self, viewer: Option<&Actor>, now: DateTime<Utc>) -> bool {
        if self.public_from().is_some_and(|from| from <= now) {
            return true;
        }
        // Signed in, one sees members-only events; the rest only for those who write them.
        viewer.is_some_and(|actor| {
            self.practice.is_none_or(|(published, organisation_id)| {
                published || policy::can_edit_practices_of(actor, organisation_id)
            }) && self.news_published_at.is_none_or(|at| at <= now || policy::can_manage_network(actor))
        })
    }
}

/// What one document is attached to, loaded.
struct Attached {
    practice: Option<practice::Model>,
    news: Option<news::Model>,
    event: Option<event::Model>,
}

impl Attached {
    async fn load(db: &impl ConnectionTrait, model: &document::Model) -> Result<Attached, DbErr> {
        let practice = match model.practice_id {
            Some(id) => practice::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let news = match model.news_id {
            Some(id) => news::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let event = match model.event_id {
            Some(id) => event::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        Ok(Attached { practice, news, event })
    }

    fn visible_to(&self, viewer: Option<&Actor>) -> bool {
        Owners::new(self.practice.as_ref(), self.news.as_ref(), self.event.as_ref()).visible_to(viewer, Utc::now())
    }
}

async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<document::Model>, DbErr> {
    document::Entity::find().filter(document::Column::Slug.eq(slug)).one(db).await
}

/// A document if the viewer may see it; one they may not is answered like a missing one.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Option<DocumentView>, DbErr> {
    let Some(model) = by_slug(db, slug).await? else { return Ok(None) };
    let attached = Attached::load(db, &model).await?;
    if !attached.visible_to(viewer) {
        return Ok(None);
    }
    let Attached { practice, news, event } = attached;
    let organisation = match model.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Some(DocumentView {
        url: ItemKind::Document.path(&model.slug),
        download_url: model.file_hash.as_ref().map(|_| format!("/documenten/{}/download", model.slug)),
        kind_label: DocumentKind::label_of(&model.kind),
        themes: serde_json::from_value(model.themes).unwrap_or_default(),
        has_text: model.text_status != NO_TEXT,
        slug: model.slug,
        title: model.title,
        description: model.description,
        kind: model.kind,
        file_name: model.file_name,
        content_type: model.content_type,
        file_size: model.file_size,
        body: model.body,
        published_at: model.published_at,
        organisation: organisation.as_ref().map(|found| found.name.clone()),
        organisation_slug: organisation.map(|found| found.slug),
        practice: practice.as_ref().map(|found| found.title.clone()),
        practice_slug: practice.map(|found| found.slug),
        news_slug: news.map(|found| found.slug),
        event_slug: event.map(|found| found.slug),
    }))
}

/// The stored file of a document the viewer may see, for downloading: hash, name, type.
pub async fn file_visible(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Option<(String, String, String)>, DbErr> {
    let Some(model) = by_slug(db, slug).await? else { return Ok(None) };
    if !Attached::load(db, &model).await?.visible_to(viewer) {
        return Ok(None);
    }
    Ok(model
        .file_hash
        .zip(model.content_type)
        .map(|(hash, content_type)| (hash, model.file_name.unwrap_or_default(), content_type)))
}

/// What documents can be attached to, by id.
#[derive(Debug, Clone, Copy)]
pub enum AttachedTo {
    Practice(i32),
    News(i32),
    Event(i32),
    /// Every practice whose contact in the network is this profile.
    PracticesWithContact(i32),
}

/// The documents attached to a practice, news item or event that the viewer may see, for
/// their pages.
pub async fn attached_to(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    owner: AttachedTo,
) -> Result<Vec<DocumentView>, DbErr> {
    let query = document::Entity::find().order_by_asc(document::Column::Title).filter(match owner {
        AttachedTo::Practice(id) => document::Column::PracticeId.eq(id),
        AttachedTo::News(id) => document::Column::NewsId.eq(id),
        AttachedTo::Event(id) => document::Column::EventId.eq(id),
        AttachedTo::PracticesWithContact(profile_id) => document::Column::PracticeId.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(practice::Column::Id)
                .from(practice::Entity)
                .and_where(practice::Column::ContactProfileId.eq(profile_id))
                .to_owned(),
        ),
    });
    let mut views = Vec::new();
    for model in query.all(db).await? {
        views.extend(find_visible(db, viewer, &model.slug).await?);
    }
    Ok(views)
}

/// The documents attached to any of these practices, news items or events: when an owner
/// changes, their place in the index changes with it.
pub async fn attached_ids(
    db: &impl ConnectionTrait,
    practices: &[i32],
    news_items: &[i32],
    events: &[i32],
) -> Result<Vec<i32>, DbErr> {
    if practices.is_empty() && news_items.is_empty() && events.is_empty() {
        return Ok(Vec::new());
    }
    document::Entity::find()
        .select_only()
        .column(document::Column::Id)
        .filter(
            sea_orm::Condition::any()
                .add(document::Column::PracticeId.is_in(practices.iter().copied()))
                .add(document::Column::NewsId.is_in(news_items.iter().copied()))
                .add(document::Column::EventId.is_in(events.iter().copied())),
        )
        .into_tuple()
        .all(db)
        .await
}

/// The practice each of the documents `ids` belongs to (documents of no practice are left out).
pub async fn practices_of(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, i32>, DbErr> {
    let pairs: Vec<(i32, Option<i32>)> = document::Entity::find()
        .select_only()
        .column(document::Column::Id)
        .column(document::Column::PracticeId)
        .filter(document::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().filter_map(|(document, practice)| Some((document, practice?))).collect())
}

pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    let documents = document::Entity::find().filter(document::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    to_index_items(db, documents).await
}

pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let documents = document::Entity::find()
        .filter(document::Column::Id.gt(after))
        .order_by_asc(document::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = documents.last().map(|found| found.id);
    Ok((to_index_items(db, documents).await?, last))
}

async fn to_index_items(db: &impl ConnectionTrait, documents: Vec<document::Model>) -> Result<Vec<IndexItem>, DbErr> {
    let organisations = load_by_ids::<organisation::Entity, _>(
        db,
        organisation::Column::Id,
        documents.iter().filter_map(|found| found.organisation_id),
    )
    .await?;
    let practices = load_by_ids::<practice::Entity, _>(
        db,
        practice::Column::Id,
        documents.iter().filter_map(|found| found.practice_id),
    )
    .await?;
    let news_items =
        load_by_ids::<news::Entity, _>(db, news::Column::Id, documents.iter().filter_map(|found| found.news_id))
            .await?;
    let events =
        load_by_ids::<event::Entity, _>(db, event::Column::Id, documents.iter().filter_map(|found| found.event_id))
            .await?;
    Ok(documents
        .into_iter()
        .filter_map(|model| {
            let owners = Owners::new(
                practices.iter().find(|found| Some(found.id) == model.practice_id),
                news_items.iter().find(|found| Some(found.id) == model.news_id),
                events.iter().find(|found| Some(found.id) == model.event_id),
            );
            // Not public: not in the index. Public later: dated then, and search leaves out
            // what is dated ahead.
            let public_from = owners.public_from()?;
            let organisation = organisations.iter().find(|found| Some(found.id) == model.organisation_id);
            Some(IndexItem {
                kind: ItemKind::Document,
                id: model.id,
                slug: model.slug,
                title: model.title,
                summary: model.description,
                body: model.body,
                organisation: organisation.map(|found| OrganisationRef {
                    slug: found.slug.clone(),
                    name: found.name.clone(),
                    kind: found.kind.clone(),
                }),
                province: organisation.and_then(|found| found.province.clone()),
                place: organisation.and_then(|found| found.province.clone()),
                audiences: Audience::ALL.to_vec(),
                expertise_kind: None,
                themes: serde_json::from_value(model.themes).unwrap_or_default(),
                advices: Vec::new(),
                age_groups: Vec::new(),
                keywords: [
                    organisation.map(|found| found.name.clone()).unwrap_or_default(),
                    model.file_name.unwrap_or_default(),
                ]
                .join("\n"),
                date: model.published_at.max(public_from),
                shown_date: model.published_at.max(public_from),
            })
        })
        .collect())
}

/// The rows of `E` with these ids (none asked, no query).
async fn load_by_ids<E, I>(db: &impl ConnectionTrait, column: E::Column, ids: I) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    I: Iterator<Item = i32>,
{
    let ids: Vec<i32> = ids.collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    E::find().filter(column.is_in(ids)).all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_the_title() {
        let input = DocumentInput::from_text("verslag", "\u{feff}\nVerslag werksessie\n\nTekst van het verslag.\n");
        assert_eq!(input.title, "Verslag werksessie");
        assert_eq!(input.body, "Tekst van het verslag.");
        assert!(DocumentInput::from_text("leeg", "Alleen een titel").validate(&Taxonomy::default()).is_err());
    }

    #[test]
    fn download_names_are_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\Plan van aanpak.pdf"), "Plan van aanpak.pdf");
        assert_eq!(safe_file_name("a\"b;c\r\n.pdf"), "a_b_c__.pdf");
        assert_eq!(safe_file_name("..."), "document");
    }

    #[test]
    fn titles_from_file_names() {
        assert_eq!(title_from_file_name("verslag_werksessie-maart.pdf"), "Verslag werksessie maart");
    }
}
