//! Matching: for a need (a question with its context), the experts and practices that may
//! help, ranked, each with the reasons in words. Candidates come from the one search (with
//! the office's view, so that every field of a profile counts); only published practices and
//! people in the member directory are suggested. `scoring` decides the order.
//!
//! It takes the text and facts of a need rather than a stored question, so that whatever
//! holds questions can ask for suggestions.

pub mod hints;
pub mod scoring;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use crate::documents;
use crate::practices::{self, PublishedFacts};
use crate::profiles::{self, StoredProfile};
use crate::questions::QuestionView;
use crate::search::analyzer::query_words;
use crate::search::{Audience, Hit, ItemKind, SearchError, SearchIndex, SearchRequest, SearchResults};
use crate::taxonomy::Taxonomy;
use scoring::{ExpertEvidence, NeedFacts, PracticeEvidence, Scored};

/// Suggestions of each sort.
pub const MAX_SUGGESTIONS: usize = 10;
/// Similar earlier questions shown: a few, to read before answering.
const MAX_SIMILAR_QUESTIONS: usize = 5;
/// Hits of each search that are considered.
const CANDIDATES: usize = 30;
/// Words of the need searched for: the search reads no more, and the question comes first.
const MAX_QUERY_WORDS: usize = 24;

/// What someone needs help with.
#[derive(Debug, Clone, Default)]
pub struct Need {
    /// The question, its context and what was tried, as one text.
    pub text: String,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// As spelled in `taxonomy::PROVINCES`.
    pub province: Option<String>,
    /// The question the need is, left out of the similar earlier questions.
    pub question_id: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub experts: Vec<ExpertSuggestion>,
    pub practices: Vec<PracticeSuggestion>,
    /// Similar earlier questions; none until answered questions are archived.
    pub questions: Vec<QuestionSuggestion>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpertSuggestion {
    /// The profile's slug.
    pub slug: String,
    pub name: String,
    pub score: f32,
    /// In Dutch, most telling first: "thema thuiszitters", "beschikbaar", "1 lopende vraag".
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PracticeSuggestion {
    pub slug: String,
    pub title: String,
    pub score: f32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSuggestion {
    pub id: i32,
    pub title: String,
    pub score: f32,
    pub reasons: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatchingError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("the search did not finish: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// The words of the need that are searched for: without stop words or repeats, at most
/// `MAX_QUERY_WORDS`, in the order of the text.
pub fn search_words(need: &Need) -> Vec<String> {
    let mut seen = HashSet::new();
    query_words(&need.text)
        .into_iter()
        .map(|(_, word)| word)
        .filter(|word| seen.insert(word.clone()))
        .take(MAX_QUERY_WORDS)
        .collect()
}

/// The search `matching` runs for `words` over the given kinds, with the office's view.
pub fn search_request(words: &[String], kinds: &[ItemKind]) -> SearchRequest {
    let kinds = kinds.iter().map(|kind| kind.as_str().to_string()).collect();
    SearchRequest {
        text: words.join(" "),
        filters: BTreeMap::from([("kind".to_string(), kinds)]),
        limit: CANDIDATES,
        audience: Audience::Office,
        ..SearchRequest::default()
    }
}

impl Need {
    /// What a question the office handles asks: its text, context and what was tried, its
    /// themes and the asker's province.
    pub fn of_question(question: &QuestionView) -> Need {
        Need {
            text: [&question.question, &question.context, &question.tried]
                .into_iter()
                .filter(|part| !part.is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            themes: question.themes.iter().map(|theme| theme.slug.clone()).collect(),
            province: question.province.clone(),
            question_id: Some(question.id),
        }
    }
}

/// Ranked experts and practices for `need`. `open_requests` counts the open introductions
/// per profile id: each lowers the expert's rank.
pub async fn suggest(
    db: &impl ConnectionTrait,
    search: &Arc<SearchIndex>,
    need: &Need,
    open_requests: &HashMap<i32, usize>,
) -> Result<Suggestions, MatchingError> {
    let words = search_words(need);
    if words.is_empty() {
        return Ok(Suggestions::default());
    }
    let content_request = search_request(&words, &[ItemKind::Practice, ItemKind::Document]);
    let people_request = search_request(&words, &[ItemKind::Person]);
    let questions_request = search_request(&words, &[ItemKind::Question]);
    let index = search.clone();
    let (content, people, earlier) = tokio::task::spawn_blocking(move || -> Result<_, SearchError> {
        Ok((index.search(&content_request)?, index.search(&people_request)?, index.search(&questions_request)?))
    })
    .await??;

    let taxonomy = Taxonomy::load(db).await?;
    let theme_name = |slug: &str| taxonomy.theme_name(slug);
    let kinds = scoring::wanted_kinds(&words);
    let facts = NeedFacts { themes: &need.themes, province: need.province.as_deref(), kinds: &kinds };

    // One scale for both searches: a person who fits weakly stays weak next to a practice
    // that fits well, whose contact then counts for more.
    let top = top_score(&[&content, &people]);
    let found = found_practices(db, &content, top).await?;
    let mut practices: Vec<(&FoundPractice, Scored)> = found
        .iter()
        .map(|practice| (practice, scoring::score_practice(&facts, &practice.evidence(), &theme_name)))
        .collect();
    practices.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    practices.truncate(MAX_SUGGESTIONS);
    let suggested: Vec<&FoundPractice> = practices.iter().map(|(practice, _)| *practice).collect();

    let experts = ranked_experts(db, &people, top, &suggested, &facts, open_requests, &theme_name).await?;
    Ok(Suggestions {
        experts,
        practices: practices
            .into_iter()
            .map(|(practice, scored)| PracticeSuggestion {
                slug: practice.facts.slug.clone(),
                title: practice.facts.title.clone(),
                score: rounded(scored.score),
                reasons: scored.reasons,
            })
            .collect(),
        questions: similar_questions(&earlier, top, need.question_id, &facts, &theme_name),
    })
}

/// The archived questions among the hits, best first, without the need's own question.
fn similar_questions(
    earlier: &SearchResults,
    top: f32,
    own: Option<i32>,
    facts: &NeedFacts,
    theme_name: &dyn Fn(&str) -> String,
) -> Vec<QuestionSuggestion> {
    let mut found: Vec<QuestionSuggestion> = fits(earlier, top)
        .filter(|(hit, _)| Some(hit.id) != own)
        .map(|(hit, fit)| {
            let scored = scoring::score_question(facts, fit, &hit.themes, theme_name);
            QuestionSuggestion {
                id: hit.id,
                title: hit.title.clone(),
                score: rounded(scored.score),
                reasons: scored.reasons,
            }
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(MAX_SIMILAR_QUESTIONS);
    found
}

/// A published practice the search found, directly or through one of its documents.
struct FoundPractice {
    facts: PublishedFacts,
    /// Fit of the text, 0 to 1: its own hit, or its best document's, whichever fits better.
    fit: f32,
    via_document: Option<String>,
}

impl FoundPractice {
    fn evidence(&self) -> PracticeEvidence<'_> {
        PracticeEvidence {
            fit: self.fit,
            themes: &self.facts.themes,
            province: self.facts.province.as_deref(),
            via_document: self.via_document.as_deref(),
        }
    }
}

/// The best score of any hit of the searches.
fn top_score(searches: &[&SearchResults]) -> f32 {
    searches.iter().flat_map(|results| &results.hits).map(|hit| hit.score).fold(0.0, f32::max)
}

/// Each hit's score as a share of `top`.
fn fits(results: &SearchResults, top: f32) -> impl Iterator<Item = (&Hit, f32)> {
    results.hits.iter().map(move |hit| (hit, if top > 0.0 { (hit.score / top).min(1.0) } else { 0.0 }))
}

/// The published practices among the hits and the practices of the documents among them.
async fn found_practices(
    db: &impl ConnectionTrait,
    content: &SearchResults,
    top: f32,
) -> Result<Vec<FoundPractice>, DbErr> {
    let mut fit: HashMap<i32, (f32, Option<String>)> = HashMap::new();
    let mut documents: Vec<(&Hit, f32)> = Vec::new();
    for (hit, share) in fits(content, top) {
        match hit.kind {
            ItemKind::Practice => {
                let entry = fit.entry(hit.id).or_insert((0.0, None));
                entry.0 = entry.0.max(share);
            }
            ItemKind::Document => documents.push((hit, scoring::DOCUMENT_WEIGHT * share)),
            _ => {}
        }
    }
    let ids: Vec<i32> = documents.iter().map(|(hit, _)| hit.id).collect();
    let practice_of = documents::practices_of(db, &ids).await?;
    for (hit, share) in documents {
        let Some(&practice) = practice_of.get(&hit.id) else { continue };
        let entry = fit.entry(practice).or_insert((0.0, None));
        if share > entry.0 {
            *entry = (share, Some(hit.title.clone()));
        }
    }
    let ids: Vec<i32> = fit.keys().copied().collect();
    Ok(practices::published_facts(db, &ids)
        .await?
        .into_iter()
        .filter_map(|facts| {
            let (fit, via_document) = fit.remove(&facts.id)?;
            Some(FoundPractice { facts, fit, via_document })
        })
        .collect())
}

/// The people found by their profiles and the contacts of the practices found, those of
/// them in the directory, ranked.
async fn ranked_experts(
    db: &impl ConnectionTrait,
    people: &SearchResults,
    top: f32,
    suggested: &[&FoundPractice],
    facts: &NeedFacts<'_>,
    open_requests: &HashMap<i32, usize>,
    theme_name: &dyn Fn(&str) -> String,
) -> Result<Vec<ExpertSuggestion>, DbErr> {
    let fit: HashMap<i32, f32> = fits(people, top).map(|(hit, share)| (hit.id, share)).collect();
    let mut contact_of: HashMap<i32, Vec<(&str, f32)>> = HashMap::new();
    for practice in suggested {
        if let Some(profile) = practice.facts.contact_profile_id {
            contact_of.entry(profile).or_default().push((&practice.facts.title, practice.fit));
        }
    }
    let ids: Vec<i32> = fit.keys().chain(contact_of.keys()).copied().collect::<HashSet<_>>().into_iter().collect();
    let candidates = profiles::in_directory(db, &ids).await?;
    let mut ranked: Vec<(&StoredProfile, bool, Scored)> = candidates
        .iter()
        .map(|stored| {
            let profile = &stored.profile;
            let themes = profiles::strings(&profile.themes);
            let mut practices = contact_of.get(&profile.id).cloned().unwrap_or_default();
            practices.sort_by(|a, b| b.1.total_cmp(&a.1));
            let evidence = ExpertEvidence {
                fit: fit.get(&profile.id).copied().unwrap_or(0.0),
                contact_of: practices,
                themes: &themes,
                province: profile.province.as_deref(),
                kind: profile.expertise_kind.as_deref(),
                available: profile.available,
                open_requests: open_requests.get(&profile.id).copied().unwrap_or(0),
            };
            (stored, profile.available, scoring::score_expert(facts, &evidence, theme_name))
        })
        .collect();
    ranked.sort_by(|a, b| scoring::expert_order((a.1, a.2.score), (b.1, b.2.score)));
    Ok(ranked
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(stored, _, scored)| ExpertSuggestion {
            slug: stored.profile.slug.clone(),
            name: stored.profile.display_name.clone(),
            score: rounded(scored.score),
            reasons: scored.reasons,
        })
        .collect())
}

/// Three decimals are enough to compare; more only look precise.
fn rounded(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}
