//! The judged relevance set (`benches/relevance/queries.yaml`) over the demo content mixed with
//! a real Dutch distractor corpus, the figures it is judged by, and a baseline engine to
//! compare with. Shared by `cargo bench --bench relevance` and the floor test
//! `tests/it/relevance.rs`; both include it with `#[path]` next to `distractors.rs`.

// Shared by two crates, each of which uses a part of it.
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use oogst::config::Config;
use oogst::documents::Uploads;
use oogst::search::{Audience, IndexItem, ItemKind, Ranking, SearchRequest};
use oogst::startup::{self, Storage};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, TantivyDocument};

use crate::distractors::Distractor;

const QUERIES: &str = include_str!("../relevance/queries.yaml");
const SEED_QUERIES: &str = include_str!("../relevance/seed-queries.yaml");

/// Hits that count: the first page of ten.
pub const CUTOFF: usize = 10;

/// One judged query: item (`practice:<slug>`, `event:<slug>`) → grade, 2 for the one wanted
/// and 1 for useful.
#[derive(Debug, serde::Deserialize)]
pub struct Judged {
    pub query: String,
    pub kind: String,
    pub relevant: BTreeMap<String, u8>,
}

pub fn judged() -> Vec<Judged> {
    serde_yaml_ng::from_str(QUERIES).expect("benches/relevance/queries.yaml is a list of judged queries")
}

/// The judged queries over the seed documents, which count only where `seed_documents`
/// finds them.
pub fn seed_judged() -> Vec<Judged> {
    serde_yaml_ng::from_str(SEED_QUERIES).expect("benches/relevance/seed-queries.yaml is a list of judged queries")
}

/// The project's source texts (`../shared/seeds/*.txt` next to the repository), when that
/// folder exists: long documents (800 to 6,500 words) among short pages, which the demo
/// content does not have. They are read there, never copied into the repository; each
/// becomes the practice `seed-<number>`.
pub fn seed_documents() -> Vec<(String, Distractor)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&folder) else { return Vec::new() };
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let number: String = path.file_name()?.to_str()?.chars().take(3).collect();
            let page = Distractor { source: path.display().to_string(), title: first_title_line(&text), body: text };
            Some((format!("seed-{number}"), page))
        })
        .collect()
}

/// The first line that reads like a title: two or more words of four letters or more.
fn first_title_line(text: &str) -> String {
    let is_title = |line: &&str| {
        line.split_whitespace().filter(|word| word.chars().filter(|c| c.is_alphabetic()).count() >= 4).count() >= 2
    };
    text.lines().map(str::trim).find(is_title).unwrap_or("Zonder titel").to_string()
}

/// Mean figures over a set of queries.
#[derive(Debug, Default, Clone, Copy)]
pub struct Figures {
    /// Reciprocal rank of the first item graded 2, within the first ten.
    pub mrr: f64,
    /// Share of queries with an item graded 2 among the first three.
    pub success_at_3: f64,
    /// Share of the relevant items (graded 1 or 2) among the first ten.
    pub recall: f64,
    /// Normalised discounted cumulative gain of the first ten (gain 2^grade − 1).
    pub ndcg: f64,
    pub queries: usize,
}

impl Figures {
    pub fn row(&self, name: &str) -> String {
        format!("| {name} | {:.3} | {:.3} | {:.3} | {:.3} |", self.mrr, self.success_at_3, self.recall, self.ndcg)
    }
}

pub const TABLE_HEADER: &str = "| ranking | mrr@10 | success@3 | recall@10 | nDCG@10 |\n|---|---|---|---|---|";

/// The figures of `ranked` (query → item keys, best first) over `judged`.
pub fn figures<'j>(
    judged: impl IntoIterator<Item = &'j Judged>,
    mut ranked: impl FnMut(&str) -> Vec<String>,
) -> Figures {
    let mut sums = Figures::default();
    for query in judged {
        let hits = ranked(&query.query);
        let hits = &hits[..hits.len().min(CUTOFF)];
        let grade = |key: &String| query.relevant.get(key).copied().unwrap_or(0);
        if let Some(rank) = hits.iter().position(|key| grade(key) == 2) {
            sums.mrr += 1.0 / (rank + 1) as f64;
            sums.success_at_3 += f64::from(u8::from(rank < 3));
        }
        let relevant = query.relevant.values().filter(|&&grade| grade > 0).count().max(1);
        sums.recall += hits.iter().filter(|key| grade(key) > 0).count() as f64 / relevant as f64;
        let gain = |grade: u8, rank: usize| (2f64.powi(i32::from(grade)) - 1.0) / (rank as f64 + 2.0).log2();
        let dcg: f64 = hits.iter().enumerate().map(|(rank, key)| gain(grade(key), rank)).sum();
        let mut ideal: Vec<u8> = query.relevant.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal.iter().take(CUTOFF).enumerate().map(|(rank, &grade)| gain(grade, rank)).sum();
        sums.ndcg += if idcg > 0.0 { dcg / idcg } else { 0.0 };
        sums.queries += 1;
    }
    let n = sums.queries.max(1) as f64;
    Figures {
        mrr: sums.mrr / n,
        success_at_3: sums.success_at_3 / n,
        recall: sums.recall / n,
        ndcg: sums.ndcg / n,
        queries: sums.queries,
    }
}

/// The key a judgement uses for an item.
pub fn item_key(kind: ItemKind, slug: &str) -> String {
    format!("{}:{slug}", kind.as_str())
}

/// Oogst's ranking of `text`, as the API asks for it (relevance, first page), with `ranking`.
pub fn oogst_ranking(storage: &Storage, text: &str, ranking: &Ranking) -> Vec<String> {
    let request = SearchRequest { text: text.to_string(), limit: CUTOFF, ..SearchRequest::default() };
    let results = storage.search.search_ranked(&request, ranking).expect("a search");
    results.hits.iter().map(|hit| item_key(hit.kind, &hit.slug)).collect()
}

/// What a judged set is ranked over, besides the distractors.
#[derive(Clone, Copy)]
pub enum Corpus<'s> {
    /// The demo content, as `serve --demo` loads it.
    Demo,
    /// The seed documents alone, as the outside check mixes them with distractors.
    Seeds(&'s [(String, Distractor)]),
}

/// A data folder with `corpus` and the distractors as published practices, imported as
/// `oogst import` does, and its index built as at a first start.
pub async fn build_corpus(data_dir: &Path, corpus: Corpus<'_>, distractors: &[Distractor]) -> Result<Storage> {
    let mut config = Config::for_data_dir(data_dir);
    config.search_cache_mb = 0;
    let db = startup::connect(&config).await?;
    let folder = data_dir.join("pages");
    std::fs::create_dir_all(&folder)?;
    for (number, distractor) in distractors.iter().enumerate() {
        std::fs::write(
            folder.join(format!("pagina-{number:05}.md")),
            practice_file(distractor, "softwaredocumentatie"),
        )?;
    }
    match corpus {
        Corpus::Demo => drop(oogst::demo::load_if_empty(&db).await.context("loading the demo content")?),
        Corpus::Seeds(seeds) => {
            for (slug, seed) in seeds {
                std::fs::write(folder.join(format!("{slug}.md")), practice_file(seed, "met-andere-ogen"))?;
            }
        }
    }
    let uploads = Uploads::from_config(&config)?;
    let bar = indicatif::ProgressBar::hidden();
    let report = oogst::import::import_paths(&db, &uploads, &[folder], &bar).await?;
    anyhow::ensure!(
        report.failed.is_empty(),
        "pages failed to import: {:?}",
        report.failed.iter().take(3).collect::<Vec<_>>()
    );
    db.close().await?;
    Ok(Storage::open(&config).await?)
}

/// A page as a practice file: its first sentence as the summary.
fn practice_file(page: &Distractor, organisation: &str) -> String {
    let quoted = |text: &str| serde_json::to_string(text).expect("a string serialises");
    let title: String = page.title.chars().take(150).collect();
    let summary: String = page.body.split_inclusive(". ").next().unwrap_or(&page.body).chars().take(280).collect();
    let mut file = String::from("---\n");
    let _ = writeln!(file, "title: {}", quoted(title.trim()));
    let _ = writeln!(file, "organisation: {organisation}");
    let _ = writeln!(file, "summary: {}", quoted(summary.trim()));
    file.push_str("status: gepubliceerd\npublished_at: 2024-01-15\n---\n");
    file.push_str(&page.body);
    file
}

/// Every public item the index holds, read from the database.
pub async fn indexed_items(storage: &Storage) -> Result<Vec<IndexItem>> {
    let mut all = Vec::new();
    for kind in ItemKind::ALL {
        let mut after = 0;
        while let (items, Some(last)) = oogst::search_sync::index_items_after(&storage.db, kind, after).await? {
            // What a visitor's search sees: people once, as the public may see them.
            all.extend(items.into_iter().filter(|item| item.audiences.contains(&Audience::Public)));
            after = last;
        }
    }
    Ok(all)
}

/// The baseline: plain BM25 over title and body (summary and body of an item) with the
/// classic Dutch Snowball stemmer and nothing else: no stop words, compounds, synonyms,
/// typos, phrases or boosts. Any word of the query may match (OR), as Xapian and Lucene do
/// by default.
pub struct Baseline {
    index: Index,
    reader: IndexReader,
}

impl Baseline {
    pub fn build(items: &[IndexItem]) -> Result<Baseline> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("classic_dutch")
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        );
        let key = schema.add_text_field("key", STRING | STORED);
        let title = schema.add_text_field("title", text.clone());
        let body = schema.add_text_field("body", text);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(
            "classic_dutch",
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(SnowballDutch).build(),
        );
        let mut writer: tantivy::IndexWriter = index.writer(50_000_000)?;
        for item in items {
            let mut doc = TantivyDocument::default();
            doc.add_text(key, item_key(item.kind, &item.slug));
            doc.add_text(title, &item.title);
            doc.add_text(body, format!("{}\n{}", item.summary, item.body));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Baseline { index, reader })
    }

    pub fn ranking(&self, text: &str) -> Vec<String> {
        let schema = self.index.schema();
        let field = |name| schema.get_field(name).expect("the baseline's field");
        let parser = QueryParser::for_index(&self.index, vec![field("title"), field("body")]);
        // Words only: the baseline reads no query syntax.
        let words: Vec<String> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).map(str::to_lowercase).collect();
        let Ok(query) = parser.parse_query(&words.join(" ")) else { return Vec::new() };
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(CUTOFF).order_by_score()).unwrap_or_default();
        top.into_iter()
            .filter_map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).ok()?;
                doc.get_first(field("key")).and_then(|value| value.as_str()).map(str::to_string)
            })
            .collect()
    }
}

/// rust-stemmers' Dutch, the classic Snowball algorithm, as a tantivy filter.
#[derive(Clone, Copy)]
struct SnowballDutch;

impl TokenFilter for SnowballDutch {
    type Tokenizer<T: Tokenizer> = SnowballDutchFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SnowballDutchFilter<T> {
        SnowballDutchFilter(tokenizer)
    }
}

#[derive(Clone)]
struct SnowballDutchFilter<T>(T);

impl<T: Tokenizer> Tokenizer for SnowballDutchFilter<T> {
    type TokenStream<'a> = SnowballDutchStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SnowballDutchStream {
            tail: self.0.token_stream(text),
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Dutch),
        }
    }
}

struct SnowballDutchStream<T> {
    tail: T,
    stemmer: rust_stemmers::Stemmer,
}

impl<T: TokenStream> TokenStream for SnowballDutchStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        token.text = self.stemmer.stem(&token.text).into_owned();
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
