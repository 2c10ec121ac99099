//! The search benchmark: `cargo bench --bench search` (see `benches/README.md`).
//!
//! One run
//! 1. generates a corpus of Dutch practices from a word-bigram model of the Dutch text that
//!    ships with the repository, with a long tail from the system's Dutch word list;
//! 2. imports it into the embedded default (SQLite in a temporary data folder) and indexes it,
//!    measuring throughput, index size and peak memory;
//! 3. measures search latency in-process on one thread (`SearchIndex::search`);
//! 4. measures throughput and latency over HTTP against the real `Application`, then adds
//!    10,000 member profiles to the index and times the mix again and as directory searches;
//! 5. runs the same queries on PostgreSQL full-text search over the same corpus;
//!
//! and prints a summary with every figure next to its target. Settings come from `OOGST_BENCH_*`
//! environment variables, all optional.

#[path = "shared/cpu.rs"]
mod cpu;

use cpu::CpuTimes;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use oogst::config::Config;
use oogst::documents::Uploads;
use oogst::organisations::{self, OrganisationInput};
use oogst::search::analyzer::query_words;
use oogst::search::{Audience, IndexStore, SearchError, SearchIndex, SearchRequest, Sort};
use oogst::search_sync::SyncError;
use oogst::startup::{self, Application, StartupError, Storage};
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{self, Connection as _, Row as _};
use tantivy::tokenizer::TokenStream as _;

/// Hits per page, as the API's default.
const PAGE: usize = 20;
/// Share of generated words taken from the dictionary's long tail instead of the model.
const DICTIONARY_SHARE: f64 = 0.05;
/// Share of generated words drawn from the unigram distribution instead of the bigram
/// successor: keeps the model from reciting its few source sentences verbatim.
const JUMP_SHARE: f64 = 0.15;
/// Organisations the practices are spread over.
const ORGANISATIONS: usize = 300;

fn main() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run(&settings)) {
        Ok(all_pass) if all_pass || !settings.strict => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("benchmark failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

struct Settings {
    docs: usize,
    queries: usize,
    warmup: usize,
    seed: u64,
    http_clients: usize,
    http_duration: Duration,
    http_max_requests: usize,
    /// Empty (or "off") skips the PostgreSQL section.
    pg_url: String,
    pg_budget: Duration,
    dictionary: PathBuf,
    /// Where the temporary work folder is created (corpus, data folder).
    work_parent: Option<PathBuf>,
    /// Exit non-zero when a target is missed.
    strict: bool,
    /// Keep the work folder, with the query mix as request paths, for profiling afterwards.
    keep: bool,
}

impl Settings {
    fn from_env() -> Result<Settings> {
        Ok(Settings {
            docs: env_or("OOGST_BENCH_DOCS", 100_000)?,
            queries: env_or("OOGST_BENCH_QUERIES", 3_000)?,
            warmup: env_or("OOGST_BENCH_WARMUP", 300)?,
            seed: env_or("OOGST_BENCH_SEED", 20_250_611)?,
            http_clients: env_or("OOGST_BENCH_HTTP_CLIENTS", 32)?,
            http_duration: Duration::from_secs_f64(env_or("OOGST_BENCH_HTTP_SECS", 10.0)?),
            http_max_requests: env_or("OOGST_BENCH_HTTP_MAX_REQUESTS", 200_000)?,
            pg_url: env_or("OOGST_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test".to_string())?,
            pg_budget: Duration::from_secs_f64(env_or("OOGST_BENCH_PG_SECS", 120.0)?),
            dictionary: env_or("OOGST_BENCH_DICTIONARY", PathBuf::from("/usr/share/dict/nederlands"))?,
            work_parent: std::env::var_os("OOGST_BENCH_DIR").map(PathBuf::from),
            strict: env_or("OOGST_BENCH_STRICT", 0u8)? != 0,
            keep: env_or("OOGST_BENCH_KEEP", 0u8)? != 0,
        })
    }
}

fn env_or<T: FromStr>(name: &str, default: T) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            value.trim().parse().map_err(|error| anyhow!("{name}={value:?} is not valid: {error}"))
        }
        _ => Ok(default),
    }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async fn run(settings: &Settings) -> Result<bool> {
    let started = Instant::now();
    let work = match &settings.work_parent {
        Some(parent) => tempfile::Builder::new().prefix("oogst-bench-").tempdir_in(parent),
        None => tempfile::Builder::new().prefix("oogst-bench-").tempdir(),
    }
    .context("temporary work folder")?;
    let corpus_dir = work.path().join("corpus");
    let data_dir = work.path().join("data");
    std::fs::create_dir_all(&corpus_dir)?;
    let config = Config { bind: "127.0.0.1:0".into(), log: "warn".into(), ..Config::for_data_dir(&data_dir) };

    println!(
        "Oogst search benchmark: {} practices, {} queries, seed {}",
        thousands(settings.docs),
        thousands(settings.queries),
        settings.seed
    );
    println!(
        "work folder {}, {} CPU cores",
        work.path().display(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let probe = CpuTimes::now();
    std::thread::sleep(Duration::from_secs(1));
    report_other_load(probe, "in the second before the run");
    let cpu_at_start = CpuTimes::now();

    let mut summary = Summary::default();

    // 1. Corpus and queries.
    section("1. Corpus");
    let corpus = generate_corpus(settings, &corpus_dir)?;
    let queries = Arc::new(corpus.queries);
    let warmup = Arc::new(corpus.warmup);
    if settings.keep {
        let paths: String = queries.iter().map(|query| format!("/api/v1/search?{}\n", query.query_string())).collect();
        std::fs::write(work.path().join("queries.txt"), paths)?;
    }

    // 2. Import and index on SQLite.
    let cpu = section("2. Bulk import into SQLite and indexing");
    let import = import_and_index(&config, &corpus_dir, &corpus.organisations, settings.docs).await?;
    report_other_load(cpu, "during this section");
    summary.row(
        "import + index throughput",
        format!("{:.0} docs/s", import.docs_per_second),
        "≥ 2,000 docs/s",
        Some(import.docs_per_second >= 2_000.0),
    );
    match import.peak_rss {
        Some(bytes) => {
            summary.row("peak RSS (import + index)", mib(bytes), "< 500 MiB", Some(bytes < 500 * 1024 * 1024))
        }
        None => summary.row("peak RSS (import + index)", "unknown".into(), "< 500 MiB", None),
    }
    summary.row("index size on disk", mib(import.index_bytes), "—", None);

    // 3. In-process search latency.
    let cpu = section("3. In-process search latency (one thread, SearchIndex::search)");
    let tantivy = search_in_process(&config, &corpus_dir, &queries, &warmup).await?;
    report_other_load(cpu, "during this section");
    summary.row("in-process p50", ms(tantivy.latencies.percentile(50.0)), "—", None);
    summary.row("in-process p90", ms(tantivy.latencies.percentile(90.0)), "—", None);
    let p99 = tantivy.latencies.percentile(99.0);
    summary.row("in-process p99", ms(p99), "< 10 ms", Some(p99 < Duration::from_millis(10)));
    summary.row("in-process max", ms(tantivy.latencies.max()), "—", None);

    // 4. HTTP throughput.
    let cpu = section("4. HTTP load (real Application, closed loop)");
    let computed = Config { search_cache_mb: 0, ..config.clone() };
    println!("a) every request a new search, result cache off:");
    let http = http_load(settings, &computed, &queries, &warmup, &tantivy.totals, Traffic::Rounds).await?;
    println!("b) popular searches repeat (Zipf), result cache on as configured by default:");
    let popular = http_load(settings, &config, &queries, &warmup, &tantivy.totals, Traffic::Popular).await?;
    report_other_load(cpu, "during this section");
    for (label, figures) in [("every search computed", &http), ("popular searches repeat, cache", &popular)] {
        summary.row(
            &format!("HTTP, {label}"),
            format!("{:.0} req/s", figures.requests_per_second),
            "≥ 1,000 req/s",
            Some(figures.requests_per_second >= 1_000.0),
        );
        summary.row(
            "  p50 / p99",
            format!("{} / {}", ms(figures.latencies.percentile(50.0)), ms(figures.latencies.percentile(99.0))),
            "—",
            None,
        );
    }
    summary.row("  repeated requests (cache)", format!("{:.0}%", popular.repeat_share * 100.0), "—", None);
    let errors = http.errors + popular.errors;
    summary.row("HTTP errors", thousands(errors), "0", Some(errors == 0));

    // 4b. People next to the practices.
    let cpu = section("4b. People in the same index (10,000 profiles, SearchIndex::search)");
    let people = people_next_to_practices(&config, &corpus.organisations, &queries, settings.seed).await?;
    report_other_load(cpu, "during this section");
    summary.row("practices, before people: p50 / p99", people.before.short_figures(), "—", None);
    summary.row("practices, with people: p50 / p99", people.after.short_figures(), "—", None);
    summary.row("people directory (members): p50 / p99", people.directory.short_figures(), "—", None);

    let others = report_other_load(cpu_at_start, "during sections 1-4");
    summary.row(
        "CPU used by other processes (1-4)",
        others.map_or("unknown".into(), |share| format!("{:.0}%", share * 100.0)),
        "— (0% on a quiet machine)",
        None,
    );

    // 5. PostgreSQL full-text search.
    section("5. PostgreSQL full-text search on the same corpus and queries");
    match postgres(settings, &corpus_dir, &queries, &warmup, &tantivy.per_query).await {
        PgOutcome::Done(pg) => {
            summary.row("PostgreSQL load (COPY + GIN + ANALYZE)", seconds(pg.load_time), "—", None);
            summary.row("PostgreSQL p50", ms(pg.latencies.percentile(50.0)), "—", None);
            summary.row("PostgreSQL p99", ms(pg.latencies.percentile(99.0)), "—", None);
            summary.row("PostgreSQL / tantivy p50", format!("{:.1}×", pg.ratio_p50), "—", None);
            summary.row("PostgreSQL / tantivy p99", format!("{:.1}×", pg.ratio_p99), "—", None);
        }
        PgOutcome::Skipped(reason) => {
            println!("skipped: {reason}");
            summary.row("PostgreSQL full-text search", "skipped".into(), "—", None);
        }
    }

    section("Summary");
    let all_pass = summary.print();
    println!("\ntotal benchmark time {}", seconds(started.elapsed()));
    if settings.keep {
        let kept = work.keep();
        println!("kept the work folder {} (query mix as request paths in queries.txt)", kept.display());
    }
    Ok(all_pass)
}

// ---------------------------------------------------------------------------------------------
// 1. A Dutch word-bigram model and the corpus
// ---------------------------------------------------------------------------------------------

/// Items drawn in proportion to integer weights (a cumulative table and a binary search).
#[derive(Default)]
struct Weighted {
    items: Vec<u32>,
    cumulative: Vec<u64>,
}

impl Weighted {
    fn from_counts(counts: impl IntoIterator<Item = (u32, u64)>) -> Weighted {
        let mut weighted = Weighted::default();
        let mut total = 0;
        for (item, count) in counts.into_iter().filter(|(_, count)| *count > 0) {
            total += count;
            weighted.items.push(item);
            weighted.cumulative.push(total);
        }
        weighted
    }

    /// Positions `0..n` with Zipf weights: position r (from 1) ∝ 1/r.
    fn zipf(n: usize) -> Weighted {
        const SCALE: f64 = 1e9;
        Weighted::from_counts((0..n).map(|position| (position as u32, (SCALE / (position + 1) as f64).ceil() as u64)))
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn sample(&self, rng: &mut fastrand::Rng) -> u32 {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let point = rng.u64(0..total.max(1));
        self.items[self.cumulative.partition_point(|&bound| bound <= point)]
    }
}

/// Marks the end of a sentence in the successor tables.
const END: u32 = u32::MAX;
/// The comma is a token of its own, so generated sentences get commas where Dutch has them.
const COMMA: u32 = 0;

/// Word ids index `words`: the repository's words first (ids below `from_texts`, with
/// bigram successors), then the dictionary's (no successors, drawn Zipf-like by a shuffled rank).
struct DutchModel {
    words: Vec<String>,
    from_texts: usize,
    starts: Weighted,
    successors: Vec<Weighted>,
    unigram: Weighted,
    source_tokens: usize,
    sources: Vec<String>,
}

impl DutchModel {
    fn build(dictionary: &Path, rng: &mut fastrand::Rng) -> Result<DutchModel> {
        let (texts, mut sources) = source_texts()?;
        let mut sentences = Vec::new();
        for text in &texts {
            split_sentences(text, &mut sentences);
        }
        // A capitalised sentence opener is lower-cased when the word also occurs lower-case
        // inside sentences ("Het" → "het"), so that it can follow other words; names stay.
        let inside: HashSet<String> = sentences.iter().flat_map(|sentence| sentence.iter().skip(1)).cloned().collect();
        for sentence in &mut sentences {
            if let Some(first) = sentence.first_mut() {
                let lower = first.to_lowercase();
                if lower != *first && inside.contains(&lower) {
                    *first = lower;
                }
            }
        }

        let mut words = vec![",".to_string()];
        let mut ids: HashMap<String, u32> = HashMap::from([(",".to_string(), COMMA)]);
        let mut pairs: HashMap<(u32, u32), u64> = HashMap::new();
        let mut unigram: HashMap<u32, u64> = HashMap::new();
        let mut starts: HashMap<u32, u64> = HashMap::new();
        let mut source_tokens = 0;
        for sentence in &sentences {
            let mut previous = None;
            for word in sentence {
                let id = *ids.entry(word.clone()).or_insert_with(|| {
                    words.push(word.clone());
                    (words.len() - 1) as u32
                });
                if id != COMMA {
                    *unigram.entry(id).or_default() += 1;
                    source_tokens += 1;
                }
                match previous {
                    Some(previous) => *pairs.entry((previous, id)).or_default() += 1,
                    None if sentence.len() >= 5 => *starts.entry(id).or_default() += 1,
                    None => {}
                }
                previous = Some(id);
            }
            if let Some(last) = previous {
                *pairs.entry((last, END)).or_default() += 1;
            }
        }
        let from_texts = words.len();
        let mut successors: Vec<Vec<(u32, u64)>> = vec![Vec::new(); from_texts];
        for ((from, to), count) in pairs {
            successors[from as usize].push((to, count));
        }
        // Sorted so that the model, and so the corpus, does not depend on hash order.
        let successors = successors
            .into_iter()
            .map(|mut next| {
                next.sort_unstable();
                Weighted::from_counts(next)
            })
            .collect();
        let sorted = |counts: HashMap<u32, u64>| {
            let mut counts: Vec<(u32, u64)> = counts.into_iter().collect();
            counts.sort_unstable();
            Weighted::from_counts(counts)
        };

        let mut tail = dictionary_words(dictionary, &ids);
        match &tail {
            Some(list) => {
                sources.push(format!("{} ({} words, the long tail)", dictionary.display(), thousands(list.len())))
            }
            None => sources.push(format!("no dictionary at {} (install wdutch for a long tail)", dictionary.display())),
        }
        let tail = tail.get_or_insert_with(Vec::new);
        rng.shuffle(tail);
        words.append(tail);
        Ok(DutchModel {
            words,
            from_texts,
            starts: sorted(starts),
            successors,
            unigram: sorted(unigram),
            source_tokens,
            sources,
        })
    }

    /// A dictionary word: rank r is drawn with probability ∝ 1/r (Zipf with exponent 1), so a
    /// few dictionary words recur and most occur once or never, as in real text.
    fn dictionary_word(&self, rng: &mut fastrand::Rng) -> Option<u32> {
        let size = self.words.len() - self.from_texts;
        if size == 0 {
            return None;
        }
        let rank = ((size as f64).powf(rng.f64()) as usize).saturating_sub(1).min(size - 1);
        Some((self.from_texts + rank) as u32)
    }
}

/// The Dutch text shipped with the repository: the demo practices (summary, body, results) and,
/// when present next to the repository, the seed documents in `../shared/seeds`.
fn source_texts() -> Result<(Vec<String>, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    let mut sources = Vec::new();
    let demo = files_with_extension(&root.join("demo/practices"), "md");
    for path in &demo {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("demo");
        let practice =
            oogst::import::parse_practice(stem, &text).map_err(|error| anyhow!("{}: {error}", path.display()))?;
        texts.push(practice.summary);
        texts.push(oogst::markdown::to_plain_text(&practice.body));
        texts.extend(practice.results.into_iter().map(|result| result.text));
    }
    sources.push(format!("{} demo practices", demo.len()));
    let seeds = files_with_extension(&root.join("../shared/seeds"), "txt");
    for path in &seeds {
        texts.push(std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?);
    }
    if !seeds.is_empty() {
        sources.push(format!("{} seed texts from ../shared/seeds", seeds.len()));
    }
    if texts.is_empty() {
        return Err(anyhow!("no Dutch source text found under {}", root.join("demo/practices").display()));
    }
    Ok((texts, sources))
}

fn files_with_extension(folder: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == extension))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Splits text into sentences of words and commas. A line ends a sentence too: the seed texts
/// are full of headings and form fields on lines of their own.
fn split_sentences(text: &str, sentences: &mut Vec<Vec<String>>) {
    for line in text.lines() {
        let mut sentence: Vec<String> = Vec::new();
        let flush = |sentence: &mut Vec<String>, sentences: &mut Vec<Vec<String>>| {
            while sentence.last().is_some_and(|last| last == ",") {
                sentence.pop();
            }
            if !sentence.is_empty() {
                sentences.push(std::mem::take(sentence));
            }
        };
        for raw in line.split_whitespace() {
            if raw.contains("://") || raw.contains('@') || raw.starts_with("www.") {
                continue;
            }
            let trimmed = raw.trim_start_matches(|c: char| !c.is_alphanumeric());
            let word = trimmed.trim_end_matches(|c: char| !c.is_alphanumeric());
            let tail = &trimmed[word.len()..];
            if is_plain_word(word) {
                sentence.push(word.to_string());
            }
            if tail.contains(['.', '!', '?', ';', ':']) {
                flush(&mut sentence, sentences);
            } else if tail.contains(',') && sentence.last().is_some_and(|last| last != ",") {
                sentence.push(",".into());
            }
        }
        flush(&mut sentence, sentences);
    }
}

/// A word as people write it: letters (and digits), inner hyphens and apostrophes
/// ("vmbo-leerlingen", "regio's"); no codes, dates or URLs.
fn is_plain_word(word: &str) -> bool {
    let length = word.chars().count();
    (1..=30).contains(&length)
        && word.chars().any(char::is_alphabetic)
        && word.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’'))
}

/// The dictionary's plain lower-case words of 4 to 20 letters that the texts lack (proper
/// nouns, abbreviations and words with digits are left out); `None` when there is no file.
fn dictionary_words(path: &Path, known: &HashMap<String, u32>) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let words: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|word| (4..=20).contains(&word.chars().count()))
        .filter(|word| word.chars().all(|c| c.is_lowercase() || c == '-'))
        .filter(|word| !word.starts_with('-') && !word.ends_with('-') && !known.contains_key(*word))
        .map(str::to_string)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// Writes sentences from the model, counting how often each word is used (for the queries).
struct TextWriter<'a> {
    model: &'a DutchModel,
    rng: fastrand::Rng,
    counts: Vec<u32>,
}

impl TextWriter<'_> {
    fn next_word(&mut self, current: u32) -> u32 {
        let roll = self.rng.f64();
        if roll < DICTIONARY_SHARE {
            if let Some(word) = self.model.dictionary_word(&mut self.rng) {
                return word;
            }
        }
        match self.model.successors.get(current as usize) {
            Some(next) if roll >= DICTIONARY_SHARE + JUMP_SHARE && !next.is_empty() => next.sample(&mut self.rng),
            _ => self.model.unigram.sample(&mut self.rng),
        }
    }

    /// Appends a sentence of `min..=max` words (capitalised, without final punctuation) and
    /// returns its number of words.
    fn sentence(&mut self, out: &mut String, min: usize, max: usize, commas: bool) -> usize {
        let start = out.len();
        let mut words = 0;
        let mut current = self.model.starts.sample(&mut self.rng);
        loop {
            if current == COMMA {
                if commas && words > 0 && !out.ends_with(',') {
                    out.push(',');
                }
            } else {
                if words > 0 {
                    out.push(' ');
                }
                out.push_str(&self.model.words[current as usize]);
                self.counts[current as usize] += 1;
                words += 1;
                if words >= max {
                    break;
                }
            }
            current = self.next_word(current);
            if current == END {
                if words >= min {
                    break;
                }
                current = self.model.unigram.sample(&mut self.rng);
            }
        }
        while out.ends_with(',') {
            out.pop();
        }
        if let Some(first) = out[start..].chars().next().filter(|c| c.is_lowercase()) {
            out.replace_range(start..start + first.len_utf8(), &first.to_uppercase().to_string());
        }
        words
    }

    /// Sentences until `target` words: a paragraph, a summary.
    fn sentences(&mut self, out: &mut String, target: usize) -> usize {
        let mut words = 0;
        while words < target {
            if words > 0 {
                out.push(' ');
            }
            let remaining = target - words;
            words += self.sentence(out, remaining.clamp(4, 8), remaining.clamp(4, 26), true);
            out.push('.');
        }
        words
    }
}

const HEADINGS: [&str; 12] = [
    "Aanleiding",
    "Hoe werkt het?",
    "Wat levert het op?",
    "Wat nog schuurt",
    "Samenwerking met partners",
    "De rol van ouders en kinderen",
    "Financiering en afspraken",
    "Resultaten",
    "Lessen voor andere regio's",
    "Hoe verder?",
    "Voor wie is het bedoeld?",
    "Wat vraagt het van professionals?",
];

const FIGURES: [&str; 6] = [
    "minder thuiszitters",
    "snellere start van jeugdhulp",
    "minder verwijzingen naar specialistische zorg",
    "meer tevreden ouders",
    "minder vrijstellingen",
    "meer leerlingen in het regulier onderwijs",
];

const AGE_GROUPS: [&str; 4] = ["0-4", "4-12", "12-18", "18+"];

const PARTNER_KINDS: [&str; 9] = [
    "gemeente",
    "samenwerkingsverband-po",
    "samenwerkingsverband-vo",
    "kinderopvang",
    "schoolbestuur",
    "jeugdhulpaanbieder",
    "jgz-ggd",
    "kennisinstituut",
    "inspiratieregio",
];

/// Real municipalities by province, for organisation names and places.
const MUNICIPALITIES: [(&str, &str); 106] = [
    ("Groningen", "Groningen"),
    ("Het Hogeland", "Groningen"),
    ("Westerkwartier", "Groningen"),
    ("Midden-Groningen", "Groningen"),
    ("Oldambt", "Groningen"),
    ("Veendam", "Groningen"),
    ("Stadskanaal", "Groningen"),
    ("Eemsdelta", "Groningen"),
    ("Leeuwarden", "Friesland"),
    ("Súdwest-Fryslân", "Friesland"),
    ("Smallingerland", "Friesland"),
    ("Heerenveen", "Friesland"),
    ("De Fryske Marren", "Friesland"),
    ("Harlingen", "Friesland"),
    ("Tytsjerksteradiel", "Friesland"),
    ("Assen", "Drenthe"),
    ("Emmen", "Drenthe"),
    ("Hoogeveen", "Drenthe"),
    ("Meppel", "Drenthe"),
    ("Coevorden", "Drenthe"),
    ("Midden-Drenthe", "Drenthe"),
    ("Tynaarlo", "Drenthe"),
    ("Zwolle", "Overijssel"),
    ("Enschede", "Overijssel"),
    ("Deventer", "Overijssel"),
    ("Hengelo", "Overijssel"),
    ("Almelo", "Overijssel"),
    ("Kampen", "Overijssel"),
    ("Hardenberg", "Overijssel"),
    ("Oldenzaal", "Overijssel"),
    ("Rijssen-Holten", "Overijssel"),
    ("Almere", "Flevoland"),
    ("Lelystad", "Flevoland"),
    ("Dronten", "Flevoland"),
    ("Noordoostpolder", "Flevoland"),
    ("Zeewolde", "Flevoland"),
    ("Urk", "Flevoland"),
    ("Arnhem", "Gelderland"),
    ("Nijmegen", "Gelderland"),
    ("Apeldoorn", "Gelderland"),
    ("Ede", "Gelderland"),
    ("Doetinchem", "Gelderland"),
    ("Lochem", "Gelderland"),
    ("Aalten", "Gelderland"),
    ("Oost-Gelre", "Gelderland"),
    ("Winterswijk", "Gelderland"),
    ("Zutphen", "Gelderland"),
    ("Tiel", "Gelderland"),
    ("Harderwijk", "Gelderland"),
    ("Culemborg", "Gelderland"),
    ("Utrecht", "Utrecht"),
    ("Amersfoort", "Utrecht"),
    ("Nieuwegein", "Utrecht"),
    ("Zeist", "Utrecht"),
    ("Veenendaal", "Utrecht"),
    ("Houten", "Utrecht"),
    ("IJsselstein", "Utrecht"),
    ("De Bilt", "Utrecht"),
    ("Woerden", "Utrecht"),
    ("Amsterdam", "Noord-Holland"),
    ("Haarlem", "Noord-Holland"),
    ("Zaanstad", "Noord-Holland"),
    ("Alkmaar", "Noord-Holland"),
    ("Hilversum", "Noord-Holland"),
    ("Den Helder", "Noord-Holland"),
    ("Hoorn", "Noord-Holland"),
    ("Purmerend", "Noord-Holland"),
    ("Velsen", "Noord-Holland"),
    ("Beverwijk", "Noord-Holland"),
    ("Heemskerk", "Noord-Holland"),
    ("Zandvoort", "Noord-Holland"),
    ("Bloemendaal", "Noord-Holland"),
    ("Heemstede", "Noord-Holland"),
    ("Rotterdam", "Zuid-Holland"),
    ("Den Haag", "Zuid-Holland"),
    ("Leiden", "Zuid-Holland"),
    ("Dordrecht", "Zuid-Holland"),
    ("Zoetermeer", "Zuid-Holland"),
    ("Delft", "Zuid-Holland"),
    ("Gorinchem", "Zuid-Holland"),
    ("Zwijndrecht", "Zuid-Holland"),
    ("Gouda", "Zuid-Holland"),
    ("Schiedam", "Zuid-Holland"),
    ("Vlaardingen", "Zuid-Holland"),
    ("Nissewaard", "Zuid-Holland"),
    ("Voorne aan Zee", "Zuid-Holland"),
    ("Goeree-Overflakkee", "Zuid-Holland"),
    ("Alphen aan den Rijn", "Zuid-Holland"),
    ("Middelburg", "Zeeland"),
    ("Vlissingen", "Zeeland"),
    ("Goes", "Zeeland"),
    ("Terneuzen", "Zeeland"),
    ("Schouwen-Duiveland", "Zeeland"),
    ("Hulst", "Zeeland"),
    ("Eindhoven", "Noord-Brabant"),
    ("Tilburg", "Noord-Brabant"),
    ("Breda", "Noord-Brabant"),
    ("'s-Hertogenbosch", "Noord-Brabant"),
    ("Helmond", "Noord-Brabant"),
    ("Oss", "Noord-Brabant"),
    ("Bergen op Zoom", "Noord-Brabant"),
    ("Maastricht", "Limburg"),
    ("Venlo", "Limburg"),
    ("Heerlen", "Limburg"),
    ("Sittard-Geleen", "Limburg"),
    ("Roermond", "Limburg"),
];

/// Organisation kinds with how their names are written.
const ORGANISATION_KINDS: [(&str, &str); 10] = [
    ("gemeente", "Gemeente {}"),
    ("samenwerkingsverband-po", "Samenwerkingsverband PO {}"),
    ("samenwerkingsverband-vo", "Samenwerkingsverband VO {} e.o."),
    ("kinderopvang", "Kinderopvang {}"),
    ("schoolbestuur", "Stichting Primair Onderwijs {}"),
    ("jeugdhulpaanbieder", "Jeugdhulp {}"),
    ("jgz-ggd", "Jeugdgezondheidszorg {}"),
    ("inspiratieregio", "Inspiratieregio {}"),
    ("kennisinstituut", "Kenniscentrum Jeugd {}"),
    ("overig", "Wijkteam {}"),
];

/// Search terms of the domain that people type, besides words drawn from the corpus.
const DOMAIN_TERMS: [&str; 24] = [
    "thuiszitters",
    "OZA",
    "jeugdhulp",
    "samenwerkingsverband",
    "warme overdracht",
    "passend onderwijs",
    "thuiszitterslabs",
    "onderwijszorgarrangement",
    "SWV",
    "JGZ",
    "NPO",
    "OPP",
    "leerplicht",
    "kinderopvang",
    "dyslexie",
    "zorgplicht",
    "doorgaande lijn",
    "schoolverzuim",
    "ouderbetrokkenheid",
    "hoogbegaafdheid",
    "vroegsignalering",
    "inspiratieregio",
    "zorgcoördinator",
    "vrijstelling",
];

#[derive(Clone)]
struct Organisation {
    slug: String,
    name: String,
    kind: &'static str,
    province: &'static str,
    municipality: &'static str,
}

fn organisations(rng: &mut fastrand::Rng) -> Vec<Organisation> {
    let mut seen = HashSet::new();
    let mut list = Vec::with_capacity(ORGANISATIONS);
    while list.len() < ORGANISATIONS {
        let (municipality, province) = MUNICIPALITIES[rng.usize(..MUNICIPALITIES.len())];
        let (kind, pattern) = ORGANISATION_KINDS[rng.usize(..ORGANISATION_KINDS.len())];
        let name = pattern.replace("{}", municipality);
        let slug = slug::slugify(&name);
        if seen.insert(slug.clone()) {
            list.push(Organisation { slug, name, kind, province, municipality });
        }
    }
    list
}

/// Theme and advice slugs from the bundled taxonomy.
fn taxonomy_slugs() -> Result<(Vec<String>, Vec<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/taxonomy.yaml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).context("data/taxonomy.yaml")?;
    let slugs = |key: &str| -> Vec<String> {
        value[key]
            .as_sequence()
            .map(|entries| entries.iter().filter_map(|entry| entry["slug"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    Ok((slugs("themes"), slugs("advices")))
}

/// `count` distinct items of `list`.
fn pick<'a, T>(rng: &mut fastrand::Rng, list: &'a [T], count: usize) -> Vec<&'a T> {
    let mut indices: Vec<usize> = (0..list.len()).collect();
    rng.shuffle(&mut indices);
    indices.into_iter().take(count).map(|index| &list[index]).collect()
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

struct Taxonomy {
    themes: Vec<String>,
    advices: Vec<String>,
}

/// One practice file: front matter as in the README's example, a Markdown body with headings,
/// paragraphs and the odd bullet list. Returns the body's number of words.
fn practice_file(
    writer: &mut TextWriter<'_>,
    organisation: &Organisation,
    taxonomy: &Taxonomy,
    out: &mut String,
) -> usize {
    let mut title = String::new();
    while title.is_empty() || title.chars().count() > 200 {
        title.clear();
        let length = writer.rng.usize(4..=10);
        writer.sentence(&mut title, 4, length, false);
    }
    let mut summary = String::new();
    while summary.is_empty() || summary.chars().count() > 590 {
        summary.clear();
        for index in 0..writer.rng.usize(1..=2) {
            if index > 0 {
                summary.push(' ');
            }
            writer.sentence(&mut summary, 8, 26, true);
            summary.push('.');
        }
    }
    let rng = &mut writer.rng;
    // Most practices are in the organisation's own province.
    let province =
        if rng.f64() < 0.85 { organisation.province } else { MUNICIPALITIES[rng.usize(..MUNICIPALITIES.len())].1 };
    let counts = [rng.usize(1..=3), rng.usize(0..=2), rng.usize(1..=2), rng.usize(1..=3)];
    let themes = pick(rng, &taxonomy.themes, counts[0]);
    let advices = pick(rng, &taxonomy.advices, counts[1]);
    let ages = pick(rng, &AGE_GROUPS, counts[2]);
    let partners = pick(rng, &PARTNER_KINDS, counts[3]);
    let date = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date") + chrono::Days::new(rng.u64(0..2_550));

    let join = |items: &[&String]| items.iter().map(|item| item.as_str()).collect::<Vec<_>>().join(", ");
    out.clear();
    out.push_str("---\n");
    let _ = writeln!(out, "title: {}", quoted(&title));
    let _ = writeln!(out, "organisation: {}", organisation.slug);
    let _ = writeln!(out, "summary: {}", quoted(&summary));
    let _ = writeln!(out, "province: {province}");
    let _ = writeln!(out, "themes: [{}]", join(&themes));
    if !advices.is_empty() {
        let _ = writeln!(out, "advices: [{}]", join(&advices));
    }
    let ages: Vec<String> = ages.iter().map(|age| quoted(age)).collect();
    let _ = writeln!(out, "age_groups: [{}]", ages.join(", "));
    let partners: Vec<&str> = partners.into_iter().copied().collect();
    let _ = writeln!(out, "partners: [{}]", partners.join(", "));
    let results = writer.rng.usize(0..=2);
    if results > 0 {
        out.push_str("results:\n");
        for _ in 0..results {
            let mut text = String::new();
            writer.sentence(&mut text, 6, 16, true);
            text.push('.');
            let _ = writeln!(out, "  - text: {}", quoted(&text));
            if writer.rng.bool() {
                let figure = format!("{}% {}", writer.rng.u32(5..=80), FIGURES[writer.rng.usize(..FIGURES.len())]);
                let _ = writeln!(out, "    figure: {}", quoted(&figure));
            }
        }
    }
    out.push_str("status: gepubliceerd\n");
    let _ = writeln!(out, "published_at: {date}");
    out.push_str("---\n");

    let target = writer.rng.usize(300..=700);
    let mut words = 0;
    let mut paragraphs = 0;
    while words < target {
        if paragraphs > 0 && writer.rng.f64() < 0.35 {
            let _ = write!(out, "\n## {}\n", HEADINGS[writer.rng.usize(..HEADINGS.len())]);
        }
        out.push('\n');
        if paragraphs > 0 && writer.rng.f64() < 0.15 {
            for _ in 0..writer.rng.usize(3..=5) {
                out.push_str("- ");
                words += writer.sentence(out, 3, 12, true);
                out.push_str(";\n");
            }
        } else {
            let length = (target - words).min(writer.rng.usize(40..=110));
            words += writer.sentences(out, length);
            out.push('\n');
        }
        paragraphs += 1;
    }
    words
}

struct Corpus {
    organisations: Vec<Organisation>,
    queries: Vec<BenchQuery>,
    warmup: Vec<BenchQuery>,
}

fn generate_corpus(settings: &Settings, folder: &Path) -> Result<Corpus> {
    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(settings.seed);
    let model = DutchModel::build(&settings.dictionary, &mut rng)?;
    println!(
        "model: {} words of Dutch source text ({} distinct) from {}",
        thousands(model.source_tokens),
        thousands(model.from_texts - 1),
        model.sources.join(", ")
    );
    let (themes, advices) = taxonomy_slugs()?;
    let taxonomy = Taxonomy { themes, advices };
    let organisations = organisations(&mut rng);

    let bar = progress(settings.docs as u64, "generating");
    let mut writer = TextWriter {
        model: &model,
        rng: fastrand::Rng::with_seed(settings.seed ^ 0x5eed),
        counts: vec![0; model.words.len()],
    };
    let (mut words, mut bytes) = (0, 0);
    let mut file = String::with_capacity(16 * 1024);
    let mut example = None;
    for number in 1..=settings.docs {
        let organisation = &organisations[writer.rng.usize(..organisations.len())];
        words += practice_file(&mut writer, organisation, &taxonomy, &mut file);
        bytes += file.len();
        std::fs::write(folder.join(format!("praktijk-{number:06}.md")), &file)?;
        if example.is_none() {
            example = Some(file.clone());
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let distinct = writer.counts.iter().filter(|&&count| count > 0).count();
    println!(
        "generated {} practices in {}: {} body words on average, {} of Markdown, {} distinct words used",
        thousands(settings.docs),
        seconds(started.elapsed()),
        words / settings.docs.max(1),
        mib(bytes as u64),
        thousands(distinct)
    );
    if let Some(example) = example {
        let excerpt: String = example
            .lines()
            .filter(|line| line.starts_with("title:") || line.starts_with("summary:"))
            .collect::<Vec<_>>()
            .join("\n  ");
        println!("example:\n  {excerpt}");
    }

    let mut query_rng = fastrand::Rng::with_seed(settings.seed ^ 0x0e11e5);
    let mix = QueryMix::new(&model, &writer.counts, &taxonomy.themes);
    let queries: Vec<BenchQuery> = (0..settings.queries).map(|_| mix.query(&mut query_rng)).collect();
    let warmup: Vec<BenchQuery> = (0..settings.warmup).map(|_| mix.query(&mut query_rng)).collect();
    let filtered = queries.iter().filter(|query| query.theme.is_some() || query.province.is_some()).count();
    let domain_found =
        DOMAIN_TERMS.iter().filter(|term| term.split(' ').all(|word| mix.known.contains(&word.to_lowercase()))).count();
    println!(
        "query mix: {} queries of 1-4 words ({} with theme/province filters), {} warm-up queries; {} of {} domain terms occur in the corpus",
        thousands(queries.len()),
        thousands(filtered),
        thousands(warmup.len()),
        domain_found,
        DOMAIN_TERMS.len()
    );
    let samples: Vec<String> = queries.iter().take(6).map(BenchQuery::describe).collect();
    println!("e.g. {}", samples.join(" · "));
    Ok(Corpus { organisations, queries, warmup })
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct BenchQuery {
    text: String,
    theme: Option<String>,
    province: Option<String>,
}

impl BenchQuery {
    fn request(&self) -> SearchRequest {
        let mut filters = BTreeMap::new();
        if let Some(theme) = &self.theme {
            filters.insert("theme".to_string(), vec![theme.clone()]);
        }
        if let Some(province) = &self.province {
            filters.insert("province".to_string(), vec![province.clone()]);
        }
        SearchRequest {
            text: self.text.clone(),
            filters,
            sort: Sort::Relevance,
            offset: 0,
            limit: PAGE,
            ..Default::default()
        }
    }

    /// The API's query string.
    fn query_string(&self) -> String {
        let mut pairs = vec![("q", self.text.clone())];
        pairs.extend(self.theme.clone().map(|theme| ("theme", theme)));
        pairs.extend(self.province.clone().map(|province| ("province", province)));
        pairs.push(("per_page", PAGE.to_string()));
        serde_urlencoded::to_string(pairs).expect("a query string")
    }

    /// A ranked OR of the words for `to_tsquery`: only letters and digits reach it, so no input
    /// can produce a tsquery syntax error (a hyphenated word becomes its parts).
    fn tsquery(&self) -> String {
        let parts: Vec<&str> =
            self.text.split(|c: char| !c.is_alphanumeric()).filter(|part| !part.is_empty()).collect();
        parts.join(" | ")
    }

    fn describe(&self) -> String {
        let mut text = format!("\"{}\"", self.text);
        if let Some(theme) = &self.theme {
            let _ = write!(text, " [theme={theme}]");
        }
        if let Some(province) = &self.province {
            let _ = write!(text, " [province={province}]");
        }
        text
    }
}

/// Queries as people type them: words drawn in proportion to their frequency in the corpus
/// (only words the Dutch analyzer keeps: no stop words), some domain terms and acronyms, a few
/// typos (which take the fuzzy path), and about a third with one or two facet filters.
struct QueryMix {
    words: Vec<String>,
    by_frequency: Weighted,
    known: HashSet<String>,
    themes: Vec<String>,
}

impl QueryMix {
    fn new(model: &DutchModel, counts: &[u32], themes: &[String]) -> QueryMix {
        let mut words = Vec::new();
        let mut weights = Vec::new();
        let mut known = HashSet::new();
        for (id, &count) in counts.iter().enumerate() {
            if count == 0 || id == COMMA as usize {
                continue;
            }
            let word = model.words[id].to_lowercase();
            known.insert(word.clone());
            let searchable = word.chars().count() >= 3
                && word.chars().all(|c| c.is_alphabetic() || c == '-')
                && !query_words(&word).is_empty();
            if searchable {
                weights.push((words.len() as u32, u64::from(count)));
                words.push(word);
            }
        }
        QueryMix { words, by_frequency: Weighted::from_counts(weights), known, themes: themes.to_vec() }
    }

    fn word(&self, rng: &mut fastrand::Rng) -> String {
        let word = self.words[self.by_frequency.sample(rng) as usize].clone();
        if rng.f64() < 0.05 && word.chars().count() >= 6 {
            typo(&word, rng)
        } else {
            word
        }
    }

    fn query(&self, rng: &mut fastrand::Rng) -> BenchQuery {
        let length = match rng.u32(0..100) {
            0..30 => 1,
            30..65 => 2,
            65..90 => 3,
            _ => 4,
        };
        let mut terms: Vec<String> = Vec::new();
        let mut words = 0;
        // Bounded: a tiny vocabulary cannot make this loop forever.
        for _ in 0..100 {
            if words >= length {
                break;
            }
            let term = if rng.f64() < 0.15 {
                DOMAIN_TERMS[rng.usize(..DOMAIN_TERMS.len())].to_string()
            } else {
                self.word(rng)
            };
            let count = term.split(' ').count();
            if words + count <= length && !terms.contains(&term) {
                terms.push(term);
                words += count;
            }
        }
        let text = terms.join(" ");
        let (with_theme, with_province) = if rng.f64() < 1.0 / 3.0 {
            match rng.u32(0..100) {
                0..45 => (true, false),
                45..80 => (false, true),
                _ => (true, true),
            }
        } else {
            (false, false)
        };
        let theme = with_theme.then(|| self.themes[rng.usize(..self.themes.len())].clone());
        let province = with_province.then(|| MUNICIPALITIES[rng.usize(..MUNICIPALITIES.len())].1.to_string());
        BenchQuery { text, theme, province }
    }
}

/// One typo: two neighbouring letters swapped, a letter dropped or a letter replaced.
fn typo(word: &str, rng: &mut fastrand::Rng) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    let at = rng.usize(1..letters.len() - 1);
    match rng.u32(0..3) {
        0 => letters.swap(at, at + 1),
        1 => {
            letters.remove(at);
        }
        _ => letters[at] = rng.alphabetic().to_ascii_lowercase(),
    }
    letters.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// 2. Import and index
// ---------------------------------------------------------------------------------------------

struct ImportFigures {
    docs_per_second: f64,
    peak_rss: Option<u64>,
    index_bytes: u64,
}

async fn import_and_index(
    config: &Config,
    corpus: &Path,
    organisations: &[Organisation],
    expected: usize,
) -> Result<ImportFigures> {
    // Set-up, not measured: migrations, taxonomy and the organisations with their kinds (an
    // import would otherwise create every unknown organisation as kind "overig").
    let db = startup::connect(config).await.context("opening the SQLite database")?;
    for organisation in organisations {
        organisations::upsert(
            &db,
            OrganisationInput {
                slug: organisation.slug.clone(),
                name: organisation.name.clone(),
                kind: organisation.kind.to_string(),
                province: Some(organisation.province.to_string()),
                municipalities: vec![organisation.municipality.to_string()],
                website: None,
                description: String::new(),
                network_role: "geen".into(),
                tranche: None,
            },
        )
        .await?;
    }
    // Peak memory is measured from here on, not over the corpus generation.
    let rss_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let sampler = MemorySampler::start();

    let bar = progress(0, "importing");
    let started = Instant::now();
    let uploads = Uploads::from_config(config).context("upload settings")?;
    let report = oogst::import::import_paths(&db, &uploads, &[corpus.to_path_buf()], &bar).await?;
    let import_time = started.elapsed();
    bar.finish_and_clear();
    db.close().await?;
    // The peak of the import alone, then a fresh start for the peak of the indexing.
    let import_peak = peak_rss();
    let rss_reset = rss_reset && std::fs::write("/proc/self/clear_refs", "5").is_ok();
    println!(
        "import_paths: {} imported, {} failed in {} ({:.0} docs/s)",
        thousands(report.imported),
        thousands(report.failed.len()),
        seconds(import_time),
        report.imported as f64 / import_time.as_secs_f64()
    );
    for (path, message) in report.failed.iter().take(5) {
        println!("  failed: {}: {message}", path.display());
    }

    // With no index yet, Storage::open builds one from the tables (the same path as a first
    // start or `oogst reindex`).
    let waiting = spinner("indexing (Storage::open)");
    let started = Instant::now();
    let storage = Storage::open(config).await.context("opening the storage (building the index)")?;
    let index_time = started.elapsed();
    waiting.finish_and_clear();
    let indexed = storage.search.num_docs();
    println!(
        "Storage::open (index build): {} documents in {} ({:.0} docs/s)",
        thousands(indexed),
        seconds(index_time),
        indexed as f64 / index_time.as_secs_f64()
    );
    if indexed as usize != expected {
        println!("  warning: {} documents indexed, {} generated", thousands(indexed), thousands(expected));
    }
    let total = import_time + index_time;
    let docs_per_second = report.imported as f64 / total.as_secs_f64();
    println!("import + index: {} → {:.0} docs/s (target ≥ 2,000)", seconds(total), docs_per_second);

    // Background merges keep running after Storage::open returns; wait for them so that the
    // searches below see the index as a long-running server would, and so the size is final.
    let segments_before = segment_count(config);
    let waiting = spinner("waiting for segment merges");
    let started = Instant::now();
    let Storage { db, search } = storage;
    match Arc::try_unwrap(search) {
        Ok(index) => tokio::task::spawn_blocking(move || index.wait_merging_threads()).await??,
        Err(_) => println!("  (index still shared; merges not awaited)"),
    }
    db.close().await?;
    waiting.finish_and_clear();
    println!(
        "segment merges finished {} later: {} → {} segments",
        seconds(started.elapsed()),
        segments_before.map_or("?".into(), |n| n.to_string()),
        segment_count(config).map_or("?".into(), |n| n.to_string())
    );

    let index_peak = peak_rss();
    let sampled = sampler.stop();
    let resident = resident_now();
    let peak_rss = if rss_reset { import_peak.max(index_peak) } else { index_peak };
    let index_bytes = dir_size(&config.index_dir());
    let database_bytes = dir_size(&config.data_dir).saturating_sub(index_bytes);
    println!("index size on disk: {} (SQLite database: {})", mib(index_bytes), mib(database_bytes));
    match (peak_rss, rss_reset) {
        (Some(bytes), true) => println!(
            "peak RSS (VmHWM): {} (target < 500 MiB): {} during import_paths, {} during indexing and merges",
            mib(bytes),
            import_peak.map_or("?".into(), mib),
            index_peak.map_or("?".into(), mib)
        ),
        (Some(bytes), false) => {
            println!("peak RSS (VmHWM, including corpus generation): {} (target < 500 MiB)", mib(bytes))
        }
        (None, _) => println!("peak RSS: /proc/self/status has no VmHWM"),
    }
    // Resident memory counts the index files tantivy reads through mmap (page cache the kernel
    // can drop), besides the heap: this tells the two apart.
    if let Some(sampled) = sampled {
        println!(
            "sampled every {} ms: peak {} heap and other anonymous memory, peak {} file-backed, peak sum {}",
            MemorySampler::EVERY.as_millis(),
            mib(sampled.anon),
            mib(sampled.file),
            mib(sampled.sum)
        );
    }
    if let Some(resident) = resident {
        println!("resident now: {resident}");
    }
    Ok(ImportFigures { docs_per_second, peak_rss, index_bytes })
}

/// Segments of the active index generation, from its `meta.json`.
fn segment_count(config: &Config) -> Option<usize> {
    let current = IndexStore::new(config.index_dir()).current().ok()??;
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(current.join("meta.json")).ok()?).ok()?;
    meta["segments"].as_array().map(Vec::len)
}

/// Peaks of the two kinds of resident memory, sampled from `/proc/self/status`: VmHWM only
/// knows their sum.
struct MemorySampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Option<SampledPeaks>>,
}

#[derive(Default)]
struct SampledPeaks {
    anon: u64,
    file: u64,
    sum: u64,
}

impl MemorySampler {
    const EVERY: Duration = Duration::from_millis(20);

    fn start() -> MemorySampler {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peaks = SampledPeaks::default();
            while !stopped.load(Ordering::Relaxed) {
                let status = std::fs::read_to_string("/proc/self/status").ok()?;
                let (anon, file) = (status_bytes(&status, "RssAnon:")?, status_bytes(&status, "RssFile:")?);
                peaks.anon = peaks.anon.max(anon);
                peaks.file = peaks.file.max(file);
                peaks.sum = peaks.sum.max(anon + file);
                std::thread::sleep(Self::EVERY);
            }
            Some(peaks)
        });
        MemorySampler { stop, thread }
    }

    fn stop(self) -> Option<SampledPeaks> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().ok().flatten()
    }
}

fn status_bytes(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(name))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

fn peak_rss() -> Option<u64> {
    status_bytes(&std::fs::read_to_string("/proc/self/status").ok()?, "VmHWM:")
}

/// The current anonymous (heap) and file-backed (mmap) resident memory.
fn resident_now() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| status_bytes(&status, name);
    Some(format!(
        "{} heap and other anonymous memory, {} file-backed (mmap'd index files)",
        mib(field("RssAnon:")?),
        mib(field("RssFile:")?)
    ))
}

fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| entry.metadata().ok())
        .map(|metadata| metadata.len())
        .sum()
}

// ---------------------------------------------------------------------------------------------
// 3. In-process search
// ---------------------------------------------------------------------------------------------

struct TantivyFigures {
    latencies: Latencies,
    /// Latency of each query, in the mix's order (to compare with PostgreSQL on the same ones).
    per_query: Vec<Duration>,
    /// Matches of each query, in the mix's order (to check the HTTP API against).
    totals: Vec<usize>,
}

async fn search_in_process(
    config: &Config,
    corpus: &Path,
    queries: &Arc<Vec<BenchQuery>>,
    warmup: &Arc<Vec<BenchQuery>>,
) -> Result<TantivyFigures> {
    let started = Instant::now();
    // The latency of computing a search: the result cache would answer repeated queries.
    let storage = Storage::open(&Config { search_cache_mb: 0, ..config.clone() }).await?;
    println!("Storage::open on the existing index: {}", seconds(started.elapsed()));
    let (index, mix, warm) = (Arc::clone(&storage.search), Arc::clone(queries), Arc::clone(warmup));
    // One blocking thread runs every query in turn: the latency of a single search. The mix
    // runs three times: with the API's page of 20 (the figure), then with 1 hit and with none,
    // which splits the cost into matching + facets, ranking, and the hits themselves.
    let passes = tokio::task::spawn_blocking(move || -> Result<[(Vec<Duration>, Vec<usize>); 3]> {
        let bar = progress((warm.len() + 3 * mix.len()) as u64, "searching");
        for query in warm.iter() {
            index.search(&query.request())?;
            bar.inc(1);
        }
        let pass = |limit: usize| -> Result<(Vec<Duration>, Vec<usize>)> {
            let (mut latencies, mut totals) = (Vec::with_capacity(mix.len()), Vec::with_capacity(mix.len()));
            for query in mix.iter() {
                let request = SearchRequest { limit, ..query.request() };
                let started = Instant::now();
                let results = index.search(&request)?;
                latencies.push(started.elapsed());
                totals.push(results.total);
                bar.inc(1);
            }
            Ok((latencies, totals))
        };
        let passes = [pass(PAGE)?, pass(1)?, pass(0)?];
        bar.finish_and_clear();
        Ok(passes)
    })
    .await??;
    storage.db.close().await?;
    let [(per_query, totals), (one_hit, _), (no_hits, _)] = passes;

    let latencies = Latencies::new(per_query.clone());
    println!(
        "{} queries after {} warm-up queries: {}",
        thousands(per_query.len()),
        thousands(warmup.len()),
        latencies.describe()
    );
    println!("target p99 < 10 ms; {}", matches_summary(&totals));
    let subset = |filtered: bool| {
        Latencies::new(
            queries
                .iter()
                .zip(&per_query)
                .filter(|(query, _)| (query.theme.is_some() || query.province.is_some()) == filtered)
                .map(|(_, latency)| *latency)
                .collect(),
        )
    };
    println!("  without filters: {}", subset(false).short());
    println!("  with filters:    {}", subset(true).short());
    let (one_hit, no_hits) = (Latencies::new(one_hit), Latencies::new(no_hits));
    let p50 = |latencies: &Latencies| latencies.percentile(50.0);
    println!("where the time goes (p50):");
    println!("  limit 0  (matching, count, facets):          {}", ms(p50(&no_hits)));
    println!("  limit 1  (+ ranking, 1 stored doc + snippet): {}", ms(p50(&one_hit)));
    println!(
        "  limit {PAGE} (+ {} more hits):                   {} → {} per extra hit",
        PAGE - 1,
        ms(p50(&latencies)),
        ms(p50(&latencies).saturating_sub(p50(&one_hit)) / (PAGE as u32 - 1))
    );
    analyzer_cost(corpus)?;
    slowest(queries, &per_query);
    Ok(TantivyFigures { latencies, per_query, totals })
}

// ---------------------------------------------------------------------------------------------
// 4b. People in the same index
// ---------------------------------------------------------------------------------------------

/// Generated profiles next to the practices.
const PEOPLE: usize = 10_000;

/// Opens the storage that the HTTP section's server had: its index writer is released only
/// once the server's last thread has let go, which may be a moment after it stopped.
async fn open_released(config: &Config) -> Result<Storage> {
    when_released(|| Storage::open(config)).await
}

/// Retries `open` while the index writer of a server that just stopped is not yet released:
/// it lets go once the server's last thread has, which may be a moment after it stopped.
async fn when_released<T, Opening>(open: impl Fn() -> Opening) -> Result<T>
where
    Opening: std::future::Future<Output = Result<T, StartupError>>,
{
    let started = Instant::now();
    loop {
        match open().await {
            Err(StartupError::Index(SyncError::Search(SearchError::Busy)))
                if started.elapsed() < Duration::from_secs(10) =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            opened => return Ok(opened?),
        }
    }
}

struct PeopleFigures {
    /// The query mix as a visitor runs it, before the profiles were added.
    before: Latencies,
    /// The same mix with the profiles in the index (every search keeps to its audience).
    after: Latencies,
    /// The mix as directory searches (`kind=person`) of a signed-in member.
    directory: Latencies,
}

/// Adds `PEOPLE` listed profiles (accounts of the corpus's organisations, expertise from the
/// query words, every field for members) and times the query mix before and after, and as
/// directory searches. The audience filter cannot be switched off: the figures before the
/// profiles are the mix without anyone to keep out.
async fn people_next_to_practices(
    config: &Config,
    organisations: &[Organisation],
    queries: &Arc<Vec<BenchQuery>>,
    seed: u64,
) -> Result<PeopleFigures> {
    let storage = open_released(&Config { search_cache_mb: 0, ..config.clone() }).await?;
    let before = time_mix(&storage.search, queries, |query| query.request()).await?;
    let started = Instant::now();
    add_people(&storage.db, organisations, queries, seed).await?;
    let applied = oogst::search_sync::apply_outbox(&storage.db, &storage.search).await?;
    println!(
        "{} profiles stored and indexed ({applied} outbox rows): {}",
        thousands(PEOPLE),
        seconds(started.elapsed())
    );
    let after = time_mix(&storage.search, queries, |query| query.request()).await?;
    let directory = time_mix(&storage.search, queries, |query| {
        let mut request = query.request();
        request.filters.insert("kind".into(), vec!["person".into()]);
        request.audience = Audience::Members;
        request
    })
    .await?;
    storage.db.close().await?;
    println!("practices, before people: {}", before.describe());
    println!("practices, with people:   {}", after.describe());
    println!("people directory:         {}", directory.describe());
    Ok(PeopleFigures { before, after, directory })
}

async fn add_people(
    db: &sea_orm::DatabaseConnection,
    organisations: &[Organisation],
    queries: &[BenchQuery],
    seed: u64,
) -> Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x0005_EED0_F9E0);
    let taxonomy = oogst::taxonomy::Taxonomy::load(db).await?;
    let kinds = ["praktijk", "beleid", "wetenschap", "ervaringsdeskundige", "ouder-jongere"];
    let bar = progress(PEOPLE as u64, "profiles");
    for number in 0..PEOPLE {
        let organisation = &organisations[rng.usize(..organisations.len())];
        let organisation_id = organisations::find_by_slug(db, &organisation.slug).await?.map(|found| found.id);
        let new = oogst::accounts::NewUser {
            email: format!("lid{number}@bench.example.nl"),
            name: format!("Lid {number}"),
            role: oogst::actor::Role::Lid,
            organisation_id,
            job_title: String::new(),
        };
        let (account, _) = oogst::accounts::create_with_link(db, &new).await.map_err(|error| anyhow!("{error}"))?;
        let words: Vec<String> = (0..12).map(|_| queries[rng.usize(..queries.len())].text.clone()).collect();
        let input = oogst::profiles::ProfileInput {
            display_name: format!("Lid {number} {}", organisation.municipality),
            job_title: DOMAIN_TERMS[rng.usize(..DOMAIN_TERMS.len())].to_string(),
            province: Some(organisation.province.to_string()),
            municipalities: vec![organisation.municipality.to_string()],
            themes: pick(&mut rng, &taxonomy.themes, 2).into_iter().map(|theme| theme.slug.clone()).collect(),
            keywords: words[..3].to_vec(),
            expertise_kind: Some(kinds[rng.usize(..kinds.len())].to_string()),
            bio: words[3..].join(" "),
            listed: true,
            ..Default::default()
        };
        let transaction = oogst::db::begin_write(db).await?;
        oogst::profiles::save_in(&transaction, &taxonomy, account.id, &input)
            .await
            .map_err(|error| anyhow!("{error}"))?;
        transaction.commit().await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// The latency of each query of the mix, on one blocking thread, as `request` builds it.
async fn time_mix(
    index: &Arc<SearchIndex>,
    queries: &Arc<Vec<BenchQuery>>,
    request: impl Fn(&BenchQuery) -> SearchRequest + Send + 'static,
) -> Result<Latencies> {
    let (index, mix) = (Arc::clone(index), Arc::clone(queries));
    let latencies = tokio::task::spawn_blocking(move || -> Result<Vec<Duration>> {
        mix.iter()
            .map(|query| {
                let started = Instant::now();
                index.search(&request(query))?;
                Ok(started.elapsed())
            })
            .collect()
    })
    .await??;
    Ok(Latencies::new(latencies))
}

/// Times the index-side Dutch analyzer on whole practice bodies: what a hit's snippet would
/// cost if it analysed the text it highlights. Snippets analyse only the words where a query
/// term occurs literally.
fn analyzer_cost(corpus: &Path) -> Result<()> {
    let mut bodies = Vec::new();
    for path in oogst::import::collect_files(&[corpus.to_path_buf()]).iter().take(200) {
        let practice = oogst::import::parse_practice("x", &std::fs::read_to_string(path)?)
            .map_err(|error| anyhow!("{}: {error}", path.display()))?;
        bodies.push(oogst::markdown::to_plain_text(&practice.body));
    }
    if bodies.is_empty() {
        return Ok(());
    }
    let mut analyzer = oogst::search::analyzer::dutch_analyzer();
    let mut tokens = 0;
    let started = Instant::now();
    for body in &bodies {
        analyzer.token_stream(body).process(&mut |_| tokens += 1);
    }
    let per_body = started.elapsed() / bodies.len() as u32;
    let words = bodies.iter().map(|body| body.split_whitespace().count()).sum::<usize>() / bodies.len();
    println!(
        "  the index's Dutch analyzer takes {} per whole body ({words} words → {} terms); snippets analyse only candidate words",
        ms(per_body),
        tokens / bodies.len()
    );
    Ok(())
}

fn matches_summary(totals: &[usize]) -> String {
    let empty = totals.iter().filter(|&&total| total == 0).count();
    let mut sorted = totals.to_vec();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
    let mean = totals.iter().sum::<usize>() as f64 / totals.len().max(1) as f64;
    format!("matches per query: mean {mean:.0}, median {median}, {empty} without any")
}

fn slowest(queries: &[BenchQuery], per_query: &[Duration]) {
    let mut order: Vec<usize> = (0..per_query.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(per_query[index]));
    let listed: Vec<String> =
        order.iter().take(5).map(|&index| format!("{} {}", ms(per_query[index]), queries[index].describe())).collect();
    println!("slowest: {}", listed.join(" · "));
}

// ---------------------------------------------------------------------------------------------
// 4. HTTP
// ---------------------------------------------------------------------------------------------

struct HttpFigures {
    requests_per_second: f64,
    latencies: Latencies,
    errors: usize,
    /// Share of the requests that asked a search asked before in the run.
    repeat_share: f64,
}

/// Which query each HTTP request sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Traffic {
    /// The queries of the mix in turn: nearly every request is a search not seen before.
    Rounds,
    /// The query at position r of the (randomly ordered) mix with probability ∝ 1/r: search
    /// logs follow Zipf's law, so popular searches repeat and the rest form a long tail.
    Popular,
}

#[derive(Default)]
struct ClientTally {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    /// Positions in the mix of the queries sent.
    sent: Vec<usize>,
}

async fn http_load(
    settings: &Settings,
    config: &Config,
    queries: &[BenchQuery],
    warmup: &[BenchQuery],
    expected_totals: &[usize],
    traffic: Traffic,
) -> Result<HttpFigures> {
    let started = Instant::now();
    let application =
        when_released(|| Application::build(config.clone(), false)).await.context("starting the application")?;
    let base = format!("http://127.0.0.1:{}/api/v1/search?", application.port());
    let handle = application.handle();
    let server = tokio::spawn(application.run_until_stopped());
    println!("Application started on {base} in {}", seconds(started.elapsed()));
    // The API must answer what the library answers: compare the first few totals.
    let client = reqwest::Client::new();
    let mut agree = 0;
    for (query, expected) in queries.iter().zip(expected_totals).take(5) {
        let body: serde_json::Value =
            client.get(format!("{base}{}", query.query_string())).send().await?.json().await?;
        let total = body["total"].as_u64().unwrap_or(u64::MAX);
        let hits = body["hits"].as_array().map_or(0, Vec::len);
        if total == *expected as u64 && hits == (*expected).min(PAGE) {
            agree += 1;
        } else {
            println!(
                "warning: {} → HTTP total {total} with {hits} hits, in-process total {expected}",
                query.describe()
            );
        }
    }
    println!("HTTP answers agree with SearchIndex::search for {agree} of 5 queries checked");

    let urls: Arc<Vec<String>> =
        Arc::new(queries.iter().map(|query| format!("{base}{}", query.query_string())).collect());
    let warm: Arc<Vec<String>> =
        Arc::new(warmup.iter().map(|query| format!("{base}{}", query.query_string())).collect());
    let clients = settings.http_clients.max(1);
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let limit = settings.http_max_requests;
    let bar = spinner("HTTP load");
    let ticker = {
        let (bar, done) = (bar.clone(), Arc::clone(&done));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                bar.set_message(format!("HTTP load: {} requests", thousands(done.load(Ordering::Relaxed))));
            }
        })
    };

    // Warm-up, before the clock starts: each client sends its share of the warm-up queries,
    // which also opens its keep-alive connection.
    let http_clients = (0..clients)
        .map(|_| reqwest::Client::builder().timeout(Duration::from_secs(30)).build())
        .collect::<Result<Vec<_>, _>>()?;
    let mut warming = Vec::with_capacity(clients);
    for (number, client) in http_clients.iter().enumerate() {
        let (client, warm) = (client.clone(), Arc::clone(&warm));
        warming.push(tokio::spawn(async move {
            for url in warm.iter().skip(number).step_by(clients) {
                let _ = fetch(&client, url).await;
            }
        }));
    }
    for task in warming {
        task.await?;
    }

    let popularity = Arc::new(Weighted::zipf(urls.len()));
    let load_started = Instant::now();
    let deadline = load_started + settings.http_duration;
    let mut tasks = Vec::with_capacity(clients);
    for (number, client) in http_clients.into_iter().enumerate() {
        let (urls, next, done) = (Arc::clone(&urls), Arc::clone(&next), Arc::clone(&done));
        let popularity = Arc::clone(&popularity);
        let mut rng = fastrand::Rng::with_seed(settings.seed.wrapping_add(number as u64));
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::default();
            loop {
                let number = next.fetch_add(1, Ordering::Relaxed);
                if number >= limit || Instant::now() >= deadline {
                    break;
                }
                let position = match traffic {
                    Traffic::Rounds => number % urls.len(),
                    Traffic::Popular => popularity.sample(&mut rng) as usize,
                };
                tally.sent.push(position);
                let started = Instant::now();
                match fetch(&client, &urls[position]).await {
                    Ok(()) => tally.latencies.push(started.elapsed()),
                    Err(error) => {
                        tally.errors += 1;
                        tally.first_error.get_or_insert(error);
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            tally
        }));
    }
    let mut tally = ClientTally::default();
    for task in tasks {
        let client = task.await?;
        tally.latencies.extend(client.latencies);
        tally.sent.extend(client.sent);
        tally.errors += client.errors;
        if tally.first_error.is_none() {
            tally.first_error = client.first_error;
        }
    }
    let elapsed = load_started.elapsed();
    ticker.abort();
    bar.finish_and_clear();

    handle.stop(true).await;
    server.await?.context("the server stopped with an error")?;

    let answered = tally.latencies.len();
    let requests_per_second = answered as f64 / elapsed.as_secs_f64();
    let distinct = tally.sent.iter().collect::<HashSet<_>>().len();
    let repeat_share = 1.0 - distinct as f64 / tally.sent.len().max(1) as f64;
    let latencies = Latencies::new(tally.latencies);
    println!(
        "{} clients, {}: {} answered, {} errors → {:.0} req/s (target ≥ 1,000)",
        clients,
        seconds(elapsed),
        thousands(answered),
        tally.errors,
        requests_per_second
    );
    println!("latency {}", latencies.describe());
    println!(
        "{} distinct searches: {:.0}% of the requests repeated an earlier one",
        thousands(distinct),
        repeat_share * 100.0
    );
    if let Some(error) = tally.first_error {
        println!("first error: {error}");
    }
    println!("server stopped");
    Ok(HttpFigures { requests_per_second, latencies, errors: tally.errors, repeat_share })
}

/// One GET whose body is read completely; anything but 200 is an error.
async fn fetch(client: &reqwest::Client, url: &str) -> Result<(), String> {
    let response = client.get(url).send().await.map_err(|error| error.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|error| error.to_string())?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(200)])))
    }
}

// ---------------------------------------------------------------------------------------------
// 5. PostgreSQL
// ---------------------------------------------------------------------------------------------

struct PgFigures {
    load_time: Duration,
    latencies: Latencies,
    ratio_p50: f64,
    ratio_p99: f64,
}

enum PgOutcome {
    Done(PgFigures),
    Skipped(String),
}

async fn postgres(
    settings: &Settings,
    corpus: &Path,
    queries: &[BenchQuery],
    warmup: &[BenchQuery],
    tantivy: &[Duration],
) -> PgOutcome {
    let admin_url = settings.pg_url.trim();
    if admin_url.is_empty() || admin_url == "off" {
        return PgOutcome::Skipped("OOGST_BENCH_DATABASE_URL is off".into());
    }
    let admin = match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(admin_url)).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => return PgOutcome::Skipped(format!("PostgreSQL at {admin_url} is unreachable: {error}")),
        Err(_) => return PgOutcome::Skipped(format!("PostgreSQL at {admin_url} did not answer within 5 s")),
    };
    let name = format!("oogst_bench_{}_{}", std::process::id(), chrono::Utc::now().timestamp_subsec_nanos());
    let outcome = async {
        let mut admin = admin;
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await?;
        let base = admin_url.split('?').next().unwrap_or(admin_url);
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let outcome = postgres_on(&format!("{server}/{name}"), settings, corpus, queries, warmup, tantivy).await;
        // Always drop the database, also after a failure.
        let dropped =
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut admin).await;
        if let Err(error) = dropped {
            println!("warning: could not drop database {name}: {error}");
        }
        outcome
    }
    .await;
    match outcome {
        Ok(figures) => PgOutcome::Done(figures),
        Err(error) => PgOutcome::Skipped(format!("PostgreSQL section failed: {error:#}")),
    }
}

/// Title A, summary B, body C, as the tantivy index weighs title over summary over body.
const PG_SCHEMA: &str = "
CREATE TABLE practice (
    id integer PRIMARY KEY,
    title text NOT NULL,
    summary text NOT NULL,
    body text NOT NULL,
    province text,
    themes text[] NOT NULL,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch', title), 'A') ||
        setweight(to_tsvector('dutch', summary), 'B') ||
        setweight(to_tsvector('dutch', body), 'C')
    ) STORED
)";

async fn postgres_on(
    url: &str,
    settings: &Settings,
    corpus: &Path,
    queries: &[BenchQuery],
    warmup: &[BenchQuery],
    tantivy: &[Duration],
) -> Result<PgFigures> {
    let mut connection = PgConnection::connect(url).await?;
    sqlx::raw_sql(PG_SCHEMA).execute(&mut connection).await?;

    // Load with COPY (the tsvector is computed as rows arrive), one stream per core since
    // to_tsvector is the bottleneck and runs on one core per connection; then build the GIN
    // index once.
    let files: Vec<(usize, PathBuf)> =
        oogst::import::collect_files(&[corpus.to_path_buf()]).into_iter().enumerate().collect();
    let streams = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let bar = progress(files.len() as u64, "COPY");
    let started = Instant::now();
    let mut loaders = Vec::with_capacity(streams);
    for stream in 0..streams {
        let share: Vec<(usize, PathBuf)> = files.iter().skip(stream).step_by(streams).cloned().collect();
        loaders.push(tokio::spawn(copy_rows(url.to_string(), share, bar.clone())));
    }
    let mut rows = 0;
    for loader in loaders {
        rows += loader.await??;
    }
    bar.finish_and_clear();
    let copy_time = started.elapsed();
    println!("COPY {} rows in {streams} streams (with to_tsvector): {}", thousands(rows), seconds(copy_time));

    let waiting = spinner("CREATE INDEX … USING gin");
    let started = Instant::now();
    // More memory than the 64 MB default builds the GIN index in far fewer passes.
    sqlx::raw_sql("SET maintenance_work_mem = '512MB'; CREATE INDEX practice_search ON practice USING gin (search)")
        .execute(&mut connection)
        .await?;
    let index_time = started.elapsed();
    waiting.set_message("VACUUM ANALYZE");
    let started = Instant::now();
    sqlx::raw_sql("VACUUM ANALYZE practice").execute(&mut connection).await?;
    let analyze_time = started.elapsed();
    waiting.finish_and_clear();
    let load_time = copy_time + index_time + analyze_time;
    let size: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('practice')").fetch_one(&mut connection).await?;
    let gin: i64 = sqlx::query_scalar("SELECT pg_relation_size('practice_search')").fetch_one(&mut connection).await?;
    println!(
        "GIN index: {}, VACUUM ANALYZE: {}; load total {} ({:.0} docs/s); table + indexes {} (GIN {})",
        seconds(index_time),
        seconds(analyze_time),
        seconds(load_time),
        rows as f64 / load_time.as_secs_f64(),
        mib(size as u64),
        mib(gin as u64)
    );

    // Same queries, one connection, ranked OR with the same filters; the page and the count
    // come from one statement (count(*) OVER () is computed before LIMIT).
    // Warm-up, bounded: a slow server must not eat the measured budget.
    let started = Instant::now();
    let mut warmed = 0;
    for query in warmup {
        if started.elapsed() >= settings.pg_budget / 6 {
            break;
        }
        pg_search(&mut connection, query).await?;
        warmed += 1;
    }
    let bar = progress(queries.len() as u64, "PostgreSQL queries");
    let mut per_query = Vec::with_capacity(queries.len());
    let mut totals = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for query in queries {
        if started.elapsed() >= settings.pg_budget {
            break;
        }
        let query_started = Instant::now();
        let total = pg_search(&mut connection, query).await?;
        per_query.push(query_started.elapsed());
        totals.push(usize::try_from(total).unwrap_or_default());
        bar.inc(1);
    }
    bar.finish_and_clear();
    connection.close().await?;

    let ran = per_query.len();
    if ran < queries.len() {
        println!(
            "time budget of {} (OOGST_BENCH_PG_SECS) reached: ran the first {} of {} queries",
            seconds(settings.pg_budget),
            thousands(ran),
            thousands(queries.len())
        );
    }
    let latencies = Latencies::new(per_query.clone());
    // Compare with tantivy on exactly the queries PostgreSQL ran.
    let same = Latencies::new(tantivy[..ran.min(tantivy.len())].to_vec());
    let ratio = |p: f64| latencies.percentile(p).as_secs_f64() / same.percentile(p).as_secs_f64().max(1e-9);
    println!("{} queries after {} warm-up queries: {}", thousands(ran), thousands(warmed), latencies.describe());
    println!("{}", matches_summary(&totals));
    slowest(queries, &per_query);
    println!(
        "PostgreSQL / tantivy on the same {} queries: p50 {:.1}× ({} vs {}), p99 {:.1}× ({} vs {})",
        thousands(ran),
        ratio(50.0),
        ms(latencies.percentile(50.0)),
        ms(same.percentile(50.0)),
        ratio(99.0),
        ms(latencies.percentile(99.0)),
        ms(same.percentile(99.0))
    );
    Ok(PgFigures { load_time, ratio_p50: ratio(50.0), ratio_p99: ratio(99.0), latencies })
}

/// Loads practice files with one COPY on a connection of its own; returns the rows loaded.
async fn copy_rows(url: String, files: Vec<(usize, PathBuf)>, bar: ProgressBar) -> Result<u64> {
    let mut connection = PgConnection::connect(&url).await?;
    let mut copy =
        connection.copy_in_raw("COPY practice (id, title, summary, body, province, themes) FROM STDIN").await?;
    let mut buffer = String::with_capacity(4 << 20);
    for (number, path) in &files {
        let text = std::fs::read_to_string(path)?;
        let practice =
            oogst::import::parse_practice("x", &text).map_err(|error| anyhow!("{}: {error}", path.display()))?;
        // The body as the tantivy index sees it: Markdown reduced to text, plus the results.
        let mut body = oogst::markdown::to_plain_text(&practice.body);
        for result in &practice.results {
            body.push('\n');
            body.push_str(&result.text);
        }
        let _ = write!(buffer, "{}\t", number + 1);
        for field in [&practice.title, &practice.summary, &body] {
            copy_escape(field, &mut buffer);
            buffer.push('\t');
        }
        match &practice.province {
            Some(province) => copy_escape(province, &mut buffer),
            None => buffer.push_str("\\N"),
        }
        let _ = writeln!(buffer, "\t{{{}}}", practice.themes.join(","));
        if buffer.len() >= 4 << 20 {
            copy.send(buffer.as_bytes()).await?;
            buffer.clear();
        }
        bar.inc(1);
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_bytes()).await?;
    }
    let rows = copy.finish().await?;
    connection.close().await?;
    Ok(rows)
}

/// One ranked search: the top page and the number of matches. Returns the number of matches.
async fn pg_search(connection: &mut PgConnection, query: &BenchQuery) -> Result<i64> {
    let mut sql = String::from(
        "SELECT id, title, ts_rank_cd(search, q) AS rank, count(*) OVER () AS total \
         FROM practice, to_tsquery('dutch', $1) AS q WHERE search @@ q",
    );
    let mut parameter = 1;
    if query.theme.is_some() {
        parameter += 1;
        let _ = write!(sql, " AND themes && ${parameter}");
    }
    if query.province.is_some() {
        parameter += 1;
        let _ = write!(sql, " AND province = ${parameter}");
    }
    let _ = write!(sql, " ORDER BY rank DESC LIMIT {PAGE}");
    let mut statement = sqlx::query(&sql).bind(query.tsquery());
    if let Some(theme) = &query.theme {
        statement = statement.bind(vec![theme.clone()]);
    }
    if let Some(province) = &query.province {
        statement = statement.bind(province.clone());
    }
    let rows = statement.fetch_all(&mut *connection).await?;
    Ok(rows.first().map(|row| row.get::<i64, _>("total")).unwrap_or(0))
}

/// Escapes a value for COPY's text format.
fn copy_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Figures and the report
// ---------------------------------------------------------------------------------------------

struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    fn new(mut latencies: Vec<Duration>) -> Latencies {
        latencies.sort_unstable();
        Latencies { sorted: latencies }
    }

    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.sorted.len() as f64).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }

    fn max(&self) -> Duration {
        self.sorted.last().copied().unwrap_or_default()
    }

    fn mean(&self) -> Duration {
        self.sorted.iter().sum::<Duration>() / (self.sorted.len().max(1) as u32)
    }

    fn short(&self) -> String {
        format!("p50 {}, p99 {}", ms(self.percentile(50.0)), ms(self.percentile(99.0)))
    }

    fn short_figures(&self) -> String {
        format!("{} / {}", ms(self.percentile(50.0)), ms(self.percentile(99.0)))
    }

    fn describe(&self) -> String {
        format!(
            "p50 {}, p90 {}, p99 {}, max {}, mean {}",
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.max()),
            ms(self.mean())
        )
    }
}

#[derive(Default)]
struct Summary {
    rows: Vec<(String, String, String, Option<bool>)>,
}

impl Summary {
    fn row(&mut self, figure: &str, value: String, target: &str, pass: Option<bool>) {
        self.rows.push((figure.to_string(), value, target.to_string(), pass));
    }

    /// Prints the table; true when no target was missed.
    fn print(&self) -> bool {
        let (mut figure, mut value, mut target) = ("figure".len(), "value".len(), "target".len());
        for (name, measured, goal, _) in &self.rows {
            figure = figure.max(name.chars().count());
            value = value.max(measured.chars().count());
            target = target.max(goal.chars().count());
        }
        let line = |a: &str, b: &str, c: &str, d: &str| {
            println!("| {a:<figure$} | {b:>value$} | {c:<target$} | {d:<6} |");
        };
        line("figure", "value", "target", "result");
        println!(
            "|{}|{}|{}|{}|",
            "-".repeat(figure + 2),
            "-".repeat(value + 1) + ":",
            "-".repeat(target + 2),
            "-".repeat(8)
        );
        for (name, measured, goal, pass) in &self.rows {
            let verdict = match pass {
                Some(true) => "PASS",
                Some(false) => "MISS",
                None => "",
            };
            line(name, measured, goal, verdict);
        }
        self.rows.iter().all(|row| row.3 != Some(false))
    }
}

/// Every figure here is CPU-bound: another busy process (a compiler, a test suite) lowers them,
/// so the run says how busy the machine was.
fn report_other_load(earlier: Option<CpuTimes>, when: &str) -> Option<f64> {
    let share = CpuTimes::now()?.others_since(&earlier?);
    let warning = if share >= 0.05 { " — expect lower figures than on an idle machine" } else { "" };
    println!("other processes used {:.0}% of the machine's CPU {when}{warning}", share * 100.0);
    Some(share)
}

/// Prints a section's title; returns the CPU times at its start.
fn section(title: &str) -> Option<CpuTimes> {
    println!("\n== {title} ==");
    CpuTimes::now()
}

fn progress(length: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(length).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg:18} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message.to_string());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn thousands(number: impl std::fmt::Display) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
