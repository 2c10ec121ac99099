//! The search index: one long-lived writer, a reader reloaded after each commit, and the
//! searches the product runs (ranked text search with facets, and similar items).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, INDEX_WRITER_LOCK};
use tantivy::indexer::LogMergePolicy;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EnableScoring, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::{
    DocAddress, Executor, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    TantivyError, Term,
};

use crate::config::Config;

use super::analyzer::{dutch_analyzer, DUTCH};
use super::cache::ResultCache;
use super::facets::{Exclusions, FacetCache, FacetedCollector, Filters};
use super::query::{parse, QueryBuilder, Reading};
use super::ranking::Ranking;
use super::schedule::{Schedule, Visibility};
use super::schema::{item_key, Audience, Fields, IndexItem, ItemKind, FACETS, SHOWN_DATE};
use super::snippet::Snippets;
use super::synonyms::Synonyms;

/// Results beyond this window are not ranked: deep pages cost memory and nobody reads them.
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// tantivy refuses a writer thread with less than 15 MB.
const WRITER_THREAD_MIN_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("another process is writing the search index (is `oogst serve` running?)")]
    Busy,
    #[error("search index: {0}")]
    Index(#[from] TantivyError),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the index writer was poisoned by an earlier panic")]
    Poisoned,
    #[error("damaged search index files: {0}")]
    Damaged(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Facet name → accepted values: AND across facets, OR within one.
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Who is searching: only documents this audience may see are found, counted or shown.
    pub audience: Audience,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub kind: ItemKind,
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub url: String,
    /// HTML: escaped text with the matches in `<mark>`.
    pub snippet: String,
    pub score: f32,
    pub organisation: Option<String>,
    pub organisation_slug: Option<String>,
    /// The province facet's value.
    pub province: Option<String>,
    /// Where it is, as the hit shows it: the province, or the venue of an event.
    pub place: Option<String>,
    pub themes: Vec<String>,
    /// The date the hit shows: of publication, or the start of an event.
    pub date: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name → (value, count), largest first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    pub took_ms: u64,
    /// Set when the query as typed found nothing and these results are of a wider reading.
    pub widened: Option<Widened>,
}

/// How a query that found nothing was widened: every word on its own is enough, and
/// quoted phrases and the expansions of acronyms count as their separate words.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Widened {
    /// Words looked for that the query did not contain (the words of acronym expansions);
    /// empty when fewer of the query's own words were required.
    pub added_words: Vec<String>,
}

/// How an index is opened: the memory of its writer and of its result cache.
#[derive(Debug, Clone, Copy)]
pub struct IndexSettings {
    pub writer_memory_bytes: usize,
    /// 0 turns the result cache off.
    pub result_cache_bytes: usize,
    pub ranking: Ranking,
}

impl IndexSettings {
    pub fn from_config(config: &Config) -> IndexSettings {
        IndexSettings {
            writer_memory_bytes: config.index_memory_mb.max(16) * 1024 * 1024,
            result_cache_bytes: config.search_cache_mb * 1024 * 1024,
            ranking: Ranking::default(),
        }
    }
}

pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    synonyms: Synonyms,
    facets: FacetCache,
    schedule: Schedule,
    results: ResultCache,
    ranking: Ranking,
    /// Searches running right now: only a search that runs alone spreads over the cores.
    running: AtomicUsize,
}

/// `Busy` when the writer lock is taken, the error itself otherwise.
fn lock_failure(error: TantivyError) -> SearchError {
    match error {
        TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Busy,
        other => SearchError::Index(other),
    }
}

/// Reads every file of the committed segments against its checksum. tantivy opens segment
/// files lazily and takes a missing positions file for "no positions", so without this a
/// deleted or truncated file surfaces only when a search touches it.
fn check_files(index: &Index) -> Result<(), SearchError> {
    let damaged = index.validate_checksum()?;
    if damaged.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = damaged.iter().map(|path| path.display().to_string()).collect();
    Err(SearchError::Damaged(names.join(", ")))
}

impl SearchIndex {
    /// Opens the index in `path`, creating it when the directory is empty. Fails with `Busy`
    /// while another process writes it, and with another error when it is damaged: every
    /// file of every segment is read and checked here, not at the first search.
    pub fn open(path: &Path, settings: IndexSettings) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::schema();
        let directory = tantivy::directory::MmapDirectory::open(path).map_err(TantivyError::from)?;
        // Probed before anything is read, so an index that another process holds is reported
        // busy even when its files are unreadable, and never set aside under that process.
        drop(directory.acquire_lock(&INDEX_WRITER_LOCK).map_err(|error| lock_failure(error.into()))?);
        let mut index = Index::builder().schema(schema).settings(index_settings()).open_or_create(directory)?;
        check_files(&index)?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        index.set_multithread_executor(cores)?;
        index.tokenizers().register(DUTCH, dutch_analyzer());
        let threads = cores.min(settings.writer_memory_bytes / WRITER_THREAD_MIN_BYTES).max(1);
        // One merge at a time: each merge reads its segments through mmap, so merges running
        // side by side (tantivy's default is four) add up to most of an index build's peak
        // memory. Merges are background work; one thread keeps up with this index's writes.
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(settings.writer_memory_bytes / threads)
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = index.writer_with_options(options).map_err(lock_failure)?;
        writer.set_merge_policy(Box::new(merge_policy()));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms: Synonyms::bundled(),
            facets: FacetCache::default(),
            schedule: Schedule::default(),
            results: ResultCache::new(settings.result_cache_bytes),
            ranking: settings.ranking,
            running: AtomicUsize::new(0),
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Replaces what the index holds for `keys` by `items` (an item missing from `items`
    /// is removed; the documents of an item with one per audience all go) and commits: one
    /// commit per batch, never per item.
    pub fn replace(&self, keys: &[(ItemKind, i32)], items: &[IndexItem]) -> Result<(), SearchError> {
        let mut writer = self.writer()?;
        for &(kind, id) in keys {
            writer.delete_term(Term::from_field_text(self.fields.key, &item_key(kind, id)));
        }
        for item in items {
            writer.add_document(self.fields.to_document(item))?;
        }
        writer.commit()?;
        self.reload()?;
        Ok(())
    }

    /// Empties the index, for a rebuild; nothing is visible until `add_batch`es are committed.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    /// Adds items without committing; used by a rebuild that commits once at the end.
    pub fn add_batch(&self, items: &[IndexItem]) -> Result<(), SearchError> {
        let writer = self.writer()?;
        for item in items {
            writer.add_document(self.fields.to_document(item))?;
        }
        Ok(())
    }

    /// Makes the last commit visible to searches.
    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        self.facets.retain_live(&self.reader.searcher());
        Ok(())
    }

    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.reload()?;
        Ok(())
    }

    /// Merges segments and waits for the merge threads; called before a process exits.
    pub fn wait_merging_threads(self) -> Result<(), SearchError> {
        let writer = self.writer.into_inner().map_err(|_| SearchError::Poisoned)?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let now = chrono::Utc::now().timestamp();
        let visibility = self.schedule.visibility(&searcher, now)?;
        let results = self.results.get_or_compute(visibility.epoch, request, || {
            self.compute(&searcher, request, &self.ranking, visibility, now)
        })?;
        let mut results = Arc::unwrap_or_clone(results);
        results.took_ms = started.elapsed().as_millis() as u64;
        Ok(results)
    }

    /// A search ranked with other settings than the index's own, bypassing the result
    /// cache: for the relevance bench, which compares rankings on one index.
    pub fn search_ranked(&self, request: &SearchRequest, ranking: &Ranking) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let now = chrono::Utc::now().timestamp();
        let visibility = self.schedule.visibility(&searcher, now)?;
        self.compute(&searcher, request, ranking, visibility, now)
    }

    /// The search as typed; when that finds nothing, the widened reading of its text.
    fn compute(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        ranking: &Ranking,
        visibility: Visibility,
        now: i64,
    ) -> Result<SearchResults, SearchError> {
        let builder = QueryBuilder { fields: &self.fields, synonyms: &self.synonyms, searcher, ranking: *ranking };
        let clauses = parse(&request.text);
        let strict = builder.build(&clauses, Reading::Strict);
        let results = self.compute_for(searcher, request, strict.as_ref().map(|text| &*text.query), visibility, now)?;
        if results.total > 0 || strict.is_none() {
            return Ok(results);
        }
        let Some(widened) = builder.build(&clauses, Reading::Widened) else { return Ok(results) };
        let mut results = self.compute_for(searcher, request, Some(&*widened.query), visibility, now)?;
        if results.total > 0 {
            results.widened = Some(Widened { added_words: widened.added_words });
        }
        Ok(results)
    }

    fn compute_for(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        text_query: Option<&dyn Query>,
        visibility: Visibility,
        now: i64,
    ) -> Result<SearchResults, SearchError> {
        let text = text_query.map(|query| query.box_clone()).unwrap_or_else(|| Box::new(AllQuery));
        let query: Box<dyn Query> = if visibility.hides_future {
            Box::new(BooleanQuery::new(vec![(Occur::Must, text), (Occur::Must, published_by(self.fields.date, now))]))
        } else {
            text
        };
        let filters = &request.filters;
        let exclusions = Exclusions { audience: request.audience, set_aside: kinds_set_aside(filters) };
        let window = request.offset.saturating_add(request.limit);
        let paged = window <= MAX_RESULT_WINDOW && request.limit > 0;
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset.min(MAX_RESULT_WINDOW));
        let (total, counts, ranked) = match (paged, request.sort, text_query) {
            (false, _, _) => {
                let (total, counts, _) = self.run(searcher, &*query, &self.faceted(filters, exclusions, Count))?;
                (total, counts, Vec::new())
            }
            (true, Sort::Relevance, Some(_)) => {
                self.run(searcher, &*query, &self.faceted(filters, exclusions, top.order_by_score()))?
            }
            _ => {
                let by_date = top.order_by_fast_field::<tantivy::DateTime>(SHOWN_DATE, Order::Desc);
                let (total, counts, top) = self.run(searcher, &*query, &self.faceted(filters, exclusions, by_date))?;
                (total, counts, top.into_iter().map(|(_, address)| (0.0, address)).collect())
            }
        };
        let facets = FACETS.iter().map(|facet| (facet.to_string(), sorted_values(counts.get(facet)))).collect();

        let snippets = Snippets::new(searcher, text_query, self.fields.text)?;
        let hits = ranked
            .into_iter()
            .map(|(score, address)| self.hit(searcher, address, score, &snippets))
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits, facets, took_ms: 0, widened: None })
    }

    /// Runs a search over the segments: on every core when it is the only search running
    /// (an idle machine answers sooner), else on this thread alone, since under load the
    /// cores are busy anyway and handing segments to other threads only adds overhead.
    fn run<C: Collector>(&self, searcher: &Searcher, query: &dyn Query, collector: &C) -> tantivy::Result<C::Fruit> {
        let running = Running::enter(&self.running);
        let single = Executor::single_thread();
        let executor = if running.alone { searcher.index().search_executor() } else { &single };
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        searcher.search_with_executor(query, collector, executor, scoring)
    }

    /// Counts and facets of the items passing `filters` and not excluded, which go on to
    /// `ranking`.
    fn faceted<'a, C>(&'a self, filters: &'a Filters, exclusions: Exclusions, ranking: C) -> FacetedCollector<'a, C> {
        FacetedCollector { cache: &self.facets, filters, exclusions, ranking }
    }

    /// Public items like the given one ("vergelijkbare initiatieven"), of the same kind.
    /// Never people: a person's documents differ per audience, and nobody asks for these.
    pub fn similar(&self, kind: ItemKind, id: i32, limit: usize) -> Result<Vec<Hit>, SearchError> {
        if kind == ItemKind::Person {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let key = Term::from_field_text(self.fields.key, &item_key(kind, id));
        let found = searcher
            .search(&TermQuery::new(key.clone(), IndexRecordOption::Basic), &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        let like_this = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency((searcher.num_docs() / 2).max(2))
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(30)
            .with_document_fields(self.texts_of(&searcher, address)?);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like_this)),
            (Occur::MustNot, Box::new(TermQuery::new(key, IndexRecordOption::Basic))),
            (Occur::Must, published_by(self.fields.date, chrono::Utc::now().timestamp())),
        ]);
        let same_kind = Filters::from([("kind".to_string(), vec![kind.as_str().to_string()])]);
        let public = Exclusions { audience: Audience::Public, set_aside: &[] };
        let top = TopDocs::with_limit(limit).order_by_score();
        let (_, _, found) = searcher.search(&query, &self.faceted(&same_kind, public, top))?;
        let snippets = Snippets::new(&searcher, None, self.fields.text)?;
        found.into_iter().map(|(score, address)| self.hit(&searcher, address, score, &snippets)).collect()
    }

    /// The stored texts of an item as values of the one field text queries are scored on.
    fn texts_of(&self, searcher: &Searcher, address: DocAddress) -> Result<Vec<(Field, Vec<OwnedValue>)>, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let texts = [self.fields.title, self.fields.summary, self.fields.body]
            .iter()
            .filter_map(|&field| doc.get_first(field).and_then(|value| value.as_str()))
            .map(|text| OwnedValue::Str(text.to_string()))
            .collect();
        Ok(vec![(self.fields.text, texts)])
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &Snippets,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text_of = |field| doc.get_first(field).and_then(|value| value.as_str());
        let borrowed = |field| text_of(field).unwrap_or_default();
        let text = |field| text_of(field).map(str::to_string);
        let kind = text(self.fields.kind).as_deref().and_then(ItemKind::parse).unwrap_or(ItemKind::Practice);
        let slug = text(self.fields.slug).unwrap_or_default();
        let date = doc
            .get_first(self.fields.shown_date)
            .and_then(|value| value.as_datetime())
            .and_then(|date| chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0))
            .unwrap_or_default();
        Ok(Hit {
            kind,
            id: doc.get_first(self.fields.id).and_then(|value| value.as_i64()).unwrap_or_default() as i32,
            url: kind.path(&slug),
            slug,
            title: text(self.fields.title).unwrap_or_default(),
            snippet: snippets.of(borrowed(self.fields.body), borrowed(self.fields.summary)),
            score,
            organisation: text(self.fields.organisation_name),
            organisation_slug: text(self.fields.organisation_slug),
            province: text(self.fields.province),
            place: text(self.fields.place),
            themes: doc.get_all(self.fields.themes).filter_map(|value| value.as_str().map(str::to_string)).collect(),
            date,
        })
    }
}

/// tantivy's log merge policy, merging four segments at a time instead of eight: a merge
/// maps its segments whole (the stored texts above all), so smaller merges keep an index
/// build's peak memory down, for a few more merges in all.
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_min_num_segments(4);
    policy
}

/// How a new index stores documents: in blocks of about one item's stored text (title,
/// summary, body), so showing a hit decompresses that item instead of its neighbours too.
/// An existing index keeps the settings it was made with until it is rebuilt.
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings { docstore_blocksize: 4096, ..tantivy::IndexSettings::default() }
}

/// Items dated up to `now` (seconds since the epoch): scheduled news stays out until its time.
fn published_by(date: Field, now: i64) -> Box<dyn Query> {
    let now = Term::from_field_date(date, tantivy::DateTime::from_timestamp_secs(now));
    Box::new(ConstScoreQuery::new(Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(now))), 0.0))
}

/// The kinds a search sets aside when its filters name no kind: people are looked for on
/// purpose (`kind=person`, the directory), so they never push content down.
fn kinds_set_aside(filters: &Filters) -> &'static [ItemKind] {
    if filters.contains_key("kind") {
        &[]
    } else {
        ItemKind::FOUND_ONLY_WHEN_ASKED
    }
}

/// Counts the searches in progress for as long as it lives.
struct Running<'a> {
    counter: &'a AtomicUsize,
    alone: bool,
}

impl<'a> Running<'a> {
    fn enter(counter: &'a AtomicUsize) -> Running<'a> {
        let before = counter.fetch_add(1, AtomicOrdering::AcqRel);
        Running { counter, alone: before == 0 }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, AtomicOrdering::AcqRel);
    }
}

/// A facet's values, largest count first.
fn sorted_values(counts: Option<&std::collections::HashMap<String, u64>>) -> Vec<(String, u64)> {
    let mut values: Vec<(String, u64)> =
        counts.into_iter().flatten().map(|(value, count)| (value.clone(), *count)).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}
