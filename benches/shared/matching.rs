//! The evaluation set of matching (`benches/matching/questions.yaml`) over the demo content,
//! and its figures, for matching and for the plain search it starts from. Shared by
//! `cargo bench --bench matching` and the floor test `tests/it/matching.rs`; both include it
//! with `#[path]` next to `relevance.rs`, whose figures it reuses.

// Shared by two crates, each of which uses a part of it.
#![allow(dead_code)]
use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use oogst::config::Config;
use oogst::matching::{self, Need, Suggestions};
use oogst::search::ItemKind;
use oogst::startup::{self, Storage};

use crate::relevance_set::{figures, Figures, Judged};

const QUESTIONS: &str = include_str!("../matching/questions.yaml");

/// One judged question: slug → grade (2 should come first, 1 useful), per sort.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedQuestion {
    pub question: String,
    pub province: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub experts: BTreeMap<String, u8>,
    #[serde(default)]
    pub practices: BTreeMap<String, u8>,
}

impl JudgedQuestion {
    pub fn need(&self) -> Need {
        Need {
            text: self.question.clone(),
            themes: self.themes.clone(),
            province: self.province.clone(),
            question_id: None,
        }
    }
}

pub fn questions() -> Vec<JudgedQuestion> {
    serde_yaml_ng::from_str(QUESTIONS).expect("benches/matching/questions.yaml is a list of judged questions")
}

/// A data folder's database with the demo content, as `serve --demo` loads it, and its
/// index built as at a first start.
pub async fn demo_storage(config: &Config) -> Result<Storage> {
    let db = startup::connect(config).await?;
    oogst::demo::load_if_empty(&db).await.context("loading the demo content")?;
    db.close().await?;
    Ok(Storage::open(config).await?)
}

/// What a ranking put first for each question, by slug, best first.
#[derive(Debug, Default)]
pub struct Ranked {
    pub experts: Vec<Vec<String>>,
    pub practices: Vec<Vec<String>>,
}

impl Ranked {
    fn push(&mut self, suggestions: &Suggestions) {
        self.experts.push(suggestions.experts.iter().map(|expert| expert.slug.clone()).collect());
        self.practices.push(suggestions.practices.iter().map(|practice| practice.slug.clone()).collect());
    }
}

/// Matching's suggestions for each question, with `open_requests` per profile id.
pub async fn matching_ranked(
    storage: &Storage,
    questions: &[JudgedQuestion],
    open_requests: &HashMap<i32, usize>,
) -> Result<Vec<Suggestions>> {
    let mut all = Vec::new();
    for question in questions {
        all.push(matching::suggest(&storage.db, &storage.search, &question.need(), open_requests).await?);
    }
    Ok(all)
}

pub fn slugs(suggestions: &[Suggestions]) -> Ranked {
    let mut ranked = Ranked::default();
    for one in suggestions {
        ranked.push(one);
    }
    ranked
}

/// The plain search alone, for comparison: the same words, people and practices in the
/// order the search found them, without any of matching's rules.
pub fn search_ranked(storage: &Storage, questions: &[JudgedQuestion]) -> Result<Ranked> {
    let mut ranked = Ranked::default();
    for question in questions {
        let words = matching::search_words(&question.need());
        let hits = |kind: ItemKind| -> Result<Vec<String>> {
            let results = storage.search.search(&matching::search_request(&words, &[kind]))?;
            Ok(results.hits.into_iter().map(|hit| hit.slug).collect())
        };
        ranked.experts.push(hits(ItemKind::Person)?);
        ranked.practices.push(hits(ItemKind::Practice)?);
    }
    Ok(ranked)
}

/// Mean reciprocal rank and success@3 of experts and of practices.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation {
    pub experts: Figures,
    pub practices: Figures,
}

impl Evaluation {
    pub fn table(rows: &[(&str, &Evaluation)]) -> String {
        let mut table = String::from(
            "| ranking | experts mrr@10 | experts success@3 | practices mrr@10 | practices success@3 |\n|---|---|---|---|---|\n",
        );
        for (name, evaluation) in rows {
            table.push_str(&format!(
                "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                evaluation.experts.mrr,
                evaluation.experts.success_at_3,
                evaluation.practices.mrr,
                evaluation.practices.success_at_3
            ));
        }
        table
    }
}

/// The figures of `ranked` over the questions judged for each sort.
pub fn evaluate(questions: &[JudgedQuestion], ranked: &Ranked) -> Evaluation {
    Evaluation {
        experts: sort_figures(questions.iter().map(|question| &question.experts), &ranked.experts),
        practices: sort_figures(questions.iter().map(|question| &question.practices), &ranked.practices),
    }
}

/// The relevance figures over the questions with something judged first; a judged
/// question's "query" is its number, which finds its ranking.
fn sort_figures<'q>(judgements: impl Iterator<Item = &'q BTreeMap<String, u8>>, ranked: &[Vec<String>]) -> Figures {
    let judged: Vec<Judged> = judgements
        .enumerate()
        .filter(|(_, relevant)| relevant.values().any(|&grade| grade == 2))
        .map(|(number, relevant)| Judged { query: number.to_string(), kind: String::new(), relevant: relevant.clone() })
        .collect();
    figures(&judged, |number| {
        number.parse().ok().and_then(|number: usize| ranked.get(number)).cloned().unwrap_or_default()
    })
}
