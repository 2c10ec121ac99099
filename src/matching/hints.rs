//! Hints for someone writing a question, as they type: the themes the text is about (the
//! themes of the practices and archived questions it finds) and a few of those that may
//! already help ("Misschien helpt dit al"). The search runs with a visitor's view: anyone
//! may ask, so hints show only what is public.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::{search_words, MatchingError, Need};
use crate::search::analyzer::query_words;
use crate::search::{Audience, ItemKind, SearchIndex, SearchRequest};
use crate::taxonomy::Taxonomy;

/// Below this many searched words a text says too little to hint at anything.
const MIN_WORDS: usize = 3;
/// Hits whose themes count, best first.
const THEME_HITS: usize = 5;
const MAX_THEMES: usize = 3;
const MAX_PRACTICES: usize = 3;
const MAX_QUESTIONS: usize = 2;

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hints {
    /// Themes to tick, most likely first.
    pub themes: Vec<ThemeHint>,
    /// Published practices that may already help.
    pub practices: Vec<Found>,
    /// Archived questions with their answers that may already help.
    pub questions: Vec<Found>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ThemeHint {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Found {
    pub title: String,
    pub url: String,
}

/// The hints for a question being written.
pub async fn hints(db: &impl ConnectionTrait, search: &Arc<SearchIndex>, text: &str) -> Result<Hints, MatchingError> {
    let words = search_words(&Need { text: text.to_string(), ..Need::default() });
    if words.len() < MIN_WORDS {
        return Ok(Hints::default());
    }
    let kinds = [ItemKind::Practice, ItemKind::Question].iter().map(|kind| kind.as_str().to_string()).collect();
    let request = SearchRequest {
        text: words.join(" "),
        filters: BTreeMap::from([("kind".to_string(), kinds)]),
        limit: 20,
        audience: Audience::Public,
        ..SearchRequest::default()
    };
    let index = search.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&request)).await??;
    let taxonomy = Taxonomy::load(db).await?;
    let named: Vec<String> = taxonomy
        .themes
        .iter()
        .filter(|theme| names_a_word(&theme.name, &words))
        .map(|theme| theme.slug.clone())
        .collect();
    let theme_slugs = likely_themes(&named, results.hits.iter().take(THEME_HITS).map(|hit| hit.themes.as_slice()));
    let found = |kind: ItemKind, most: usize| -> Vec<Found> {
        results
            .hits
            .iter()
            .filter(|hit| hit.kind == kind)
            .take(most)
            .map(|hit| Found { title: hit.title.clone(), url: hit.url.clone() })
            .collect()
    };
    Ok(Hints {
        themes: theme_slugs.into_iter().map(|slug| ThemeHint { name: taxonomy.theme_name(&slug), slug }).collect(),
        practices: found(ItemKind::Practice, MAX_PRACTICES),
        questions: found(ItemKind::Question, MAX_QUESTIONS),
    })
}

/// Whether a word of the theme's name (of five letters or more) starts one of the searched
/// `words`, or the other way round: "thuiszitters" names the theme Thuiszitters.
fn names_a_word(name: &str, words: &[String]) -> bool {
    query_words(name).into_iter().map(|(_, word)| word).filter(|word| word.chars().count() >= 5).any(|part| {
        words.iter().any(|word| {
            word.starts_with(part.as_str()) || (word.chars().count() >= 5 && part.starts_with(word.as_str()))
        })
    })
}

/// The themes the text names, then those of the best hits (best first) that recur, or the
/// best hit's own: each hit's themes count by its rank, so the top hit weighs most.
fn likely_themes<'a>(named: &'a [String], hits: impl Iterator<Item = &'a [String]>) -> Vec<String> {
    let mut weight: HashMap<&str, f32> = named.iter().map(|theme| (theme.as_str(), 2.0)).collect();
    for (rank, themes) in hits.enumerate() {
        for theme in themes {
            *weight.entry(theme).or_default() += 1.0 / (rank as f32 + 1.0);
        }
    }
    // The best hit's themes weigh 1 on their own; a theme of a lower hit needs to recur
    // (second and fourth: 1/2 + 1/4).
    let mut likely: Vec<(&str, f32)> = weight.into_iter().filter(|(_, weight)| *weight >= 0.75).collect();
    likely.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    likely.into_iter().take(MAX_THEMES).map(|(theme, _)| theme.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn themes(lists: &[&[&str]]) -> Vec<String> {
        let owned: Vec<Vec<String>> =
            lists.iter().map(|list| list.iter().map(|theme| theme.to_string()).collect()).collect();
        likely_themes(&[], owned.iter().map(Vec::as_slice))
    }

    #[test]
    fn the_best_hits_themes_and_recurring_ones_are_likely() {
        let found = themes(&[&["thuiszitters"], &["ouders", "passend-onderwijs"], &["passend-onderwijs"], &["geld"]]);
        assert_eq!(found, ["thuiszitters", "passend-onderwijs"]);
        assert!(themes(&[]).is_empty());
        let named = ["dyslexie".to_string()];
        let hits = [vec!["passend-onderwijs".to_string()], vec!["passend-onderwijs".to_string()]];
        assert_eq!(likely_themes(&named, hits.iter().map(Vec::as_slice)), ["dyslexie", "passend-onderwijs"]);
    }

    #[test]
    fn a_theme_named_in_the_text_is_found_by_its_words() {
        let words = |text: &str| query_words(text).into_iter().map(|(_, word)| word).collect::<Vec<_>>();
        assert!(names_a_word("Thuiszitters", &words("hoe helpen we thuiszitters")));
        assert!(names_a_word("Onderwijszorgarrangementen (OZA)", &words("een onderwijszorgarrangement")));
        assert!(!names_a_word("Dyslexie", &words("lezen op school")));
    }
}
