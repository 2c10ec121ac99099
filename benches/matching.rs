//! Matching: `cargo bench --bench matching` (see benches/README.md).
//!
//! 1. Quality: the judged questions of `benches/matching/questions.yaml` over the demo
//!    content, MRR@10 and success@3 for experts and practices, for matching and for the plain
//!    search alone (the same words, hits in the search's order, none of matching's rules).
//!    `OOGST_MATCHING_VERBOSE=1` prints what each question got first.
//! 2. Speed: `suggest` p50/p99 on one thread with `OOGST_MATCHING_PRACTICES` practices
//!    (default 100,000) and `OOGST_MATCHING_PROFILES` member profiles (default 10,000) added
//!    to the demo content, their texts mixed from the demo's sentences. 0 practices skips it.

// Only for the `Distractor` type that `relevance.rs` names; matching needs no distractors.
#[allow(dead_code)]
#[path = "shared/distractors.rs"]
mod distractors;
#[path = "shared/matching.rs"]
mod matching_set;
#[path = "shared/relevance.rs"]
mod relevance_set;

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::Utc;
use oogst::config::Config;
use oogst::startup::{self, Storage};
use oogst::taxonomy::PROVINCES;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use entity::{organisation, practice, practice_theme, profile, theme, user};
use matching_set::{evaluate, Evaluation, JudgedQuestion};

/// Rows written per insert.
const BATCH: usize = 500;
/// Calls of `suggest` timed.
const TIMED_CALLS: usize = 200;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("matching bench failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn env_count(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => value.parse().with_context(|| format!("{name}={value} is not a count")),
        Err(_) => Ok(default),
    }
}

async fn run() -> Result<()> {
    let questions = matching_set::questions();
    quality(&questions).await?;
    let practices = env_count("OOGST_MATCHING_PRACTICES", 100_000)?;
    let profiles = env_count("OOGST_MATCHING_PROFILES", 10_000)?;
    if practices > 0 {
        speed(&questions, practices, profiles).await?;
    }
    Ok(())
}

async fn quality(questions: &[JudgedQuestion]) -> Result<()> {
    let folder = tempfile::tempdir()?;
    let storage = matching_set::demo_storage(&Config::for_data_dir(folder.path())).await?;
    let suggestions = matching_set::matching_ranked(&storage, questions, &HashMap::new()).await?;
    let matched = evaluate(questions, &matching_set::slugs(&suggestions));
    let plain = evaluate(questions, &matching_set::search_ranked(&storage, questions)?);
    if std::env::var("OOGST_MATCHING_VERBOSE").is_ok() {
        for (question, suggested) in questions.iter().zip(&suggestions) {
            println!("{}", question.question);
            for expert in suggested.experts.iter().take(3) {
                println!("  expert   {:.3} {} ({})", expert.score, expert.slug, expert.reasons.join("; "));
            }
            for practice in suggested.practices.iter().take(3) {
                println!("  practice {:.3} {} ({})", practice.score, practice.slug, practice.reasons.join("; "));
            }
        }
    }
    println!(
        "Matching quality: {} questions ({} judged for experts, {} for practices), demo content\n",
        questions.len(),
        matched.experts.queries,
        matched.practices.queries
    );
    println!("{}", Evaluation::table(&[("matching", &matched), ("plain search", &plain)]));
    Ok(())
}

async fn speed(questions: &[JudgedQuestion], practices: usize, profiles: usize) -> Result<()> {
    let folder = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(folder.path());
    config.search_cache_mb = 0;
    let started = Instant::now();
    {
        let db = startup::connect(&config).await?;
        oogst::demo::load_if_empty(&db).await.context("loading the demo content")?;
        Corpus::load(&db).await?.add(&db, practices, profiles).await?;
        db.close().await?;
    }
    let storage = Storage::open(&config).await?;
    println!(
        "Speed: {practices} practices and {profiles} profiles added to the demo content, written and indexed in {:.0?}",
        started.elapsed()
    );
    let mut took = Vec::with_capacity(TIMED_CALLS);
    let open_requests = HashMap::new();
    for question in questions.iter().cycle().take(TIMED_CALLS) {
        let started = Instant::now();
        oogst::matching::suggest(&storage.db, &storage.search, &question.need(), &open_requests).await?;
        took.push(started.elapsed());
    }
    took.sort();
    let at = |share: f64| took[((took.len() as f64 * share) as usize).min(took.len() - 1)];
    println!("suggest over {TIMED_CALLS} calls: p50 {:.1?}, p99 {:.1?}, max {:.1?}", at(0.5), at(0.99), at(1.0));
    Ok(())
}

/// What the generated practices and profiles are made of: the demo's sentences,
/// organisations and themes.
struct Corpus {
    sentences: Vec<String>,
    organisations: Vec<i32>,
    themes: Vec<(i32, String)>,
}

impl Corpus {
    async fn load(db: &DatabaseConnection) -> Result<Corpus> {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/practices");
        let mut sentences = Vec::new();
        for entry in std::fs::read_dir(&folder)? {
            let text = std::fs::read_to_string(entry?.path())?;
            let body = text.splitn(3, "---").nth(2).unwrap_or_default();
            sentences.extend(
                body.split(['.', '\n'])
                    .map(|sentence| sentence.trim().trim_start_matches(['#', '-', ' ']).to_string())
                    .filter(|sentence| sentence.split_whitespace().count() >= 5),
            );
        }
        let organisations = organisation::Entity::find().all(db).await?.into_iter().map(|found| found.id).collect();
        let themes = theme::Entity::find().all(db).await?.into_iter().map(|found| (found.id, found.slug)).collect();
        Ok(Corpus { sentences, organisations, themes })
    }

    /// A few sentences, picked at random and joined.
    fn text(&self, rng: &mut fastrand::Rng, sentences: usize) -> String {
        (0..sentences)
            .map(|_| self.sentences[rng.usize(..self.sentences.len())].as_str())
            .collect::<Vec<_>>()
            .join(". ")
    }

    fn pick<'a, T>(&self, rng: &mut fastrand::Rng, from: &'a [T]) -> &'a T {
        &from[rng.usize(..from.len())]
    }

    async fn add(&self, db: &DatabaseConnection, practices: usize, profiles: usize) -> Result<()> {
        let mut rng = fastrand::Rng::with_seed(14);
        let now = Utc::now();
        for start in (0..practices).step_by(BATCH) {
            let rows: Vec<practice::ActiveModel> = (start..(start + BATCH).min(practices))
                .map(|number| practice::ActiveModel {
                    slug: Set(format!("praktijk-{number}")),
                    title: Set(self.text(&mut rng, 1).chars().take(80).collect()),
                    summary: Set(self.text(&mut rng, 1)),
                    body: Set(self.text(&mut rng, 8)),
                    organisation_id: Set(*self.pick(&mut rng, &self.organisations)),
                    province: Set(Some(self.pick(&mut rng, &PROVINCES).to_string())),
                    age_groups: Set(serde_json::json!([])),
                    partners: Set(serde_json::json!([])),
                    results: Set(serde_json::json!([])),
                    links: Set(serde_json::json!([])),
                    contact_email_public: Set(false),
                    status: Set("gepubliceerd".into()),
                    published_at: Set(Some(now)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .collect();
            // Ids are consecutive within one insert; the last one is returned.
            let last = practice::Entity::insert_many(rows).exec(db).await?.last_insert_id;
            let count = (start + BATCH).min(practices) - start;
            let links: Vec<practice_theme::ActiveModel> = (0..count as i32)
                .map(|offset| practice_theme::ActiveModel {
                    practice_id: Set(last - offset),
                    theme_id: Set(self.pick(&mut rng, &self.themes).0),
                })
                .collect();
            practice_theme::Entity::insert_many(links).exec(db).await?;
        }
        for start in (0..profiles).step_by(BATCH) {
            let numbers = start..(start + BATCH).min(profiles);
            let accounts: Vec<user::ActiveModel> = numbers
                .clone()
                .map(|number| user::ActiveModel {
                    email: Set(format!("lid-{number}@example.nl")),
                    name: Set(format!("Lid {number}")),
                    organisation_id: Set(Some(*self.pick(&mut rng, &self.organisations))),
                    job_title: Set(String::new()),
                    role: Set("lid".into()),
                    email_verified: Set(true),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .collect();
            let last = user::Entity::insert_many(accounts).exec(db).await?.last_insert_id;
            let first = last - (numbers.len() as i32 - 1);
            let rows: Vec<profile::ActiveModel> = numbers
                .enumerate()
                .map(|(offset, number)| profile::ActiveModel {
                    user_id: Set(first + offset as i32),
                    slug: Set(format!("lid-{number}")),
                    display_name: Set(format!("Lid {number}")),
                    job_title: Set(self.text(&mut rng, 1).chars().take(40).collect()),
                    province: Set(Some(self.pick(&mut rng, &PROVINCES).to_string())),
                    municipalities: Set(serde_json::json!([])),
                    themes: Set(serde_json::json!([self.pick(&mut rng, &self.themes).1])),
                    advices: Set(serde_json::json!([])),
                    keywords: Set(serde_json::json!([])),
                    expertise_kind: Set(Some("praktijk".into())),
                    bio: Set(self.text(&mut rng, 2)),
                    languages: Set(serde_json::json!(["Nederlands"])),
                    available: Set(rng.f32() < 0.8),
                    max_requests_per_month: Set(None),
                    listed: Set(rng.f32() < 0.9),
                    listed_changed_at: Set(Some(now)),
                    hidden_by_office: Set(false),
                    visibility: Set(serde_json::json!({})),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .collect();
            profile::Entity::insert_many(rows).exec(db).await?;
        }
        Ok(())
    }
}
