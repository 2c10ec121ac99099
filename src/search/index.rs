//! The search index: one long-lived writer, a reader reloaded after each commit, and the
//! searches the product runs (ranked text search with facets, and similar items).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};

use super::analyzer::{dutch_analyzer, dutch_query_analyzer, DUTCH};
use super::facets::{FacetCache, FacetedCollector, Filters};
use super::query::{parse, QueryBuilder};
use super::schema::{item_key, Fields, IndexItem, ItemKind, FACETS};
use super::synonyms::Synonyms;

/// Results beyond this window are not ranked: deep pages cost memory and nobody reads them.
pub const MAX_RESULT_WINDOW: usize = 10_000;
const SNIPPET_CHARS: usize = 220;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
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
    pub province: Option<String>,
    pub themes: Vec<String>,
    pub date: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name → (value, count), largest first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    pub took_ms: u64,
}

pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: TextAnalyzer,
    synonyms: Synonyms,
    facets: FacetCache,
}

impl SearchIndex {
    /// Opens the index in `path`, creating it when the directory is empty.
    pub fn open(path: &Path, writer_memory_bytes: usize) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::schema();
        let directory = tantivy::directory::MmapDirectory::open(path).map_err(TantivyError::from)?;
        let mut index = Index::open_or_create(directory, schema)?;
        // A search looks through the segments on every core: an idle machine answers a
        // single search sooner, and under load the cores are shared anyway.
        index.set_multithread_executor(std::thread::available_parallelism().map_or(1, usize::from))?;
        index.tokenizers().register(DUTCH, dutch_analyzer());
        let writer = index.writer(writer_memory_bytes).map_err(|error| match error {
            TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Busy,
            other => SearchError::Index(other),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer: dutch_query_analyzer(),
            synonyms: Synonyms::bundled(),
            facets: FacetCache::default(),
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Replaces what the index holds for `keys` by `items` (an item missing from `items`
    /// is removed) and commits: one commit per batch, never per item.
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
        let text_query = QueryBuilder {
            fields: &self.fields,
            analyzer: self.analyzer.clone(),
            synonyms: &self.synonyms,
            searcher: &searcher,
        }
        .build(&parse(&request.text));
        let query = BooleanQuery::new(vec![
            (Occur::Must, text_query.as_ref().map(|query| query.box_clone()).unwrap_or_else(|| Box::new(AllQuery))),
            (Occur::Must, self.published_by_now()),
        ]);
        let window = request.offset.saturating_add(request.limit);
        let paged = window <= MAX_RESULT_WINDOW && request.limit > 0;
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset.min(MAX_RESULT_WINDOW));
        let (total, counts, ranked) = match (paged, request.sort, &text_query) {
            (false, _, _) => {
                let (total, counts, _) = searcher.search(&query, &self.faceted(&request.filters, Count))?;
                (total, counts, Vec::new())
            }
            (true, Sort::Relevance, Some(_)) => {
                searcher.search(&query, &self.faceted(&request.filters, top.order_by_score()))?
            }
            _ => {
                let by_date = top.order_by_fast_field::<tantivy::DateTime>("date", Order::Desc);
                let (total, counts, top) = searcher.search(&query, &self.faceted(&request.filters, by_date))?;
                (total, counts, top.into_iter().map(|(_, address)| (0.0, address)).collect())
            }
        };
        let facets = FACETS.iter().map(|facet| (facet.to_string(), sorted_values(counts.get(facet)))).collect();

        let snippets = Snippets::new(&searcher, text_query.as_deref(), &self.fields)?;
        let hits = ranked
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, address, score, &snippets))
            .collect::<Result<_, _>>()?;
        Ok(SearchResults { total, hits, facets, took_ms: started.elapsed().as_millis() as u64 })
    }

    /// Counts and facets of the items passing `filters`, which go on to `ranking`.
    fn faceted<'a, C>(&'a self, filters: &'a Filters, ranking: C) -> FacetedCollector<'a, C> {
        FacetedCollector { cache: &self.facets, filters, ranking }
    }

    /// Items dated in the future (scheduled news) stay out of every result until their time.
    fn published_by_now(&self) -> Box<dyn Query> {
        let now = tantivy::DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
        let range = RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_date(self.fields.date, now)));
        Box::new(ConstScoreQuery::new(Box::new(range), 0.0))
    }

    /// Items like the given one ("vergelijkbare initiatieven"), of the same kind.
    pub fn similar(&self, kind: ItemKind, id: i32, limit: usize) -> Result<Vec<Hit>, SearchError> {
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
            .with_document(address);
        let same_kind = Term::from_field_text(self.fields.kind, kind.as_str());
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like_this)),
            (Occur::Must, Box::new(TermQuery::new(same_kind, IndexRecordOption::Basic))),
            (Occur::MustNot, Box::new(TermQuery::new(key, IndexRecordOption::Basic))),
            (Occur::Must, self.published_by_now()),
        ]);
        let snippets = Snippets::new(&searcher, None, &self.fields)?;
        searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, address, score, &snippets))
            .collect()
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &Snippets,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| doc.get_first(field).and_then(|value| value.as_str()).map(str::to_string);
        let kind = text(self.fields.kind).as_deref().and_then(ItemKind::parse).unwrap_or(ItemKind::Practice);
        let slug = text(self.fields.slug).unwrap_or_default();
        let date = doc
            .get_first(self.fields.date)
            .and_then(|value| value.as_datetime())
            .and_then(|date| chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0))
            .unwrap_or_default();
        Ok(Hit {
            kind,
            id: doc.get_first(self.fields.id).and_then(|value| value.as_i64()).unwrap_or_default() as i32,
            url: kind.path(&slug),
            slug,
            title: text(self.fields.title).unwrap_or_default(),
            snippet: snippets.for_doc(&doc, &self.fields),
            score,
            organisation: text(self.fields.organisation_name),
            organisation_slug: text(self.fields.organisation_slug),
            province: text(self.fields.province),
            themes: doc.get_all(self.fields.themes).filter_map(|value| value.as_str().map(str::to_string)).collect(),
            date,
        })
    }
}

/// A facet's values, largest count first.
fn sorted_values(counts: Option<&std::collections::HashMap<String, u64>>) -> Vec<(String, u64)> {
    let mut values: Vec<(String, u64)> =
        counts.into_iter().flatten().map(|(value, count)| (value.clone(), *count)).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}

/// Highlighted passages: from the body where the query matches there, else the summary.
struct Snippets {
    body: Option<SnippetGenerator>,
    summary: Option<SnippetGenerator>,
    /// The query's terms in the body field, to find where in a long text to look first.
    stems: Vec<String>,
}

/// Text analysed around the first likely match, instead of a whole (long) body.
const WINDOW_BEFORE: usize = 300;
const WINDOW_AFTER: usize = 700;

impl Snippets {
    fn new(searcher: &Searcher, query: Option<&dyn Query>, fields: &Fields) -> Result<Snippets, SearchError> {
        let generator = |field| -> Result<Option<SnippetGenerator>, SearchError> {
            let Some(query) = query else { return Ok(None) };
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            Ok(Some(generator))
        };
        let mut stems = Vec::new();
        if let Some(query) = query {
            query.query_terms(&mut |term, _| {
                if term.field() == fields.body {
                    if let Some(text) = term.value().as_str().filter(|text| text.len() >= 3) {
                        stems.push(text.to_string());
                    }
                }
            });
        }
        Ok(Snippets { body: generator(fields.body)?, summary: generator(fields.summary)?, stems })
    }

    fn for_doc(&self, doc: &TantivyDocument, fields: &Fields) -> String {
        // Analysing a whole body per hit is the slow part of a search; most of the time the
        // passage sits around the first place a query stem occurs literally.
        let body = doc.get_first(fields.body).and_then(|value| value.as_str()).unwrap_or_default();
        if let (Some(generator), Some(window)) = (&self.body, self.window(body)) {
            let mut snippet = generator.snippet(window);
            if !snippet.highlighted().is_empty() {
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                return snippet.to_html();
            }
        }
        for generator in [&self.body, &self.summary].into_iter().flatten() {
            let mut snippet = generator.snippet_from_doc(doc);
            if !snippet.highlighted().is_empty() {
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                return snippet.to_html();
            }
        }
        let summary = doc.get_first(fields.summary).and_then(|value| value.as_str()).unwrap_or_default();
        escape_html(&truncate_chars(summary, SNIPPET_CHARS))
    }

    fn window<'t>(&self, text: &'t str) -> Option<&'t str> {
        let lower = text.to_lowercase();
        if lower.len() != text.len() {
            return None;
        }
        let position = self.stems.iter().filter_map(|stem| lower.find(stem.as_str())).min()?;
        let mut start = position.saturating_sub(WINDOW_BEFORE);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (position + WINDOW_AFTER).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Some(&text[start..end])
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn escape_html(text: &str) -> String {
    handlebars::html_escape(text)
}
