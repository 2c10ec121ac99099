//! From what a person typed to a tantivy query.
//!
//! We parse the query ourselves instead of using tantivy's query language, so that no input
//! (`"`, `(`, `:`, `*`, unmatched quotes, …) can produce a syntax error: words are ranked
//! alternatives (matching more of them ranks higher), `"…"` is a phrase, a leading `-`
//! excludes. Every word is scored in the one text field by its best alternative: the word
//! itself, its acronym/synonym group, its compound parts, and, when the index does not know
//! the word, words one or two typos away. `Ranking` sets what takes part and how much.

use std::collections::HashMap;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::analyzer::{compound_parts, query_words, stem};
use super::ranking::Ranking;
use super::schema::Fields;
use super::synonyms::Synonyms;

/// Longer queries are cut: nobody types more, and it bounds the cost of a query.
const MAX_QUERY_CHARS: usize = 400;
const MAX_CLAUSES: usize = 24;

/// Shortest term that gets typo tolerance, and the length from which two typos are allowed.
const FUZZY_MIN_CHARS: usize = 5;
const FUZZY_TWO_EDITS_CHARS: usize = 8;
/// Shortest word an unknown compound is split into.
const MIN_SPLIT_PART: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word { text: String, excluded: bool },
    Phrase { text: String, excluded: bool },
}

/// Splits a query into words and quoted phrases. Never fails.
pub fn parse(query: &str) -> Vec<Clause> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut clauses = Vec::new();
    let mut rest = query.as_str();
    while !rest.is_empty() && clauses.len() < MAX_CLAUSES {
        rest = rest.trim_start();
        let excluded = rest.starts_with('-');
        let after_sign = if excluded { &rest[1..] } else { rest };
        if let Some(phrase) = after_sign.strip_prefix('"') {
            let end = phrase.find('"').unwrap_or(phrase.len());
            push_clause(&mut clauses, Clause::Phrase { text: phrase[..end].to_string(), excluded });
            rest = phrase.get(end + 1..).unwrap_or("");
        } else {
            let end = after_sign.find(char::is_whitespace).unwrap_or(after_sign.len());
            push_clause(&mut clauses, Clause::Word { text: after_sign[..end].to_string(), excluded });
            rest = &after_sign[end..];
        }
    }
    clauses
}

fn push_clause(clauses: &mut Vec<Clause>, clause: Clause) {
    let (Clause::Word { text, .. } | Clause::Phrase { text, .. }) = &clause;
    if text.chars().any(char::is_alphanumeric) {
        clauses.push(clause);
    }
}

/// Weights of a word's alternatives, relative to the word itself. A word scores by its best
/// alternative (dis-max), so a document that holds the word itself is not outranked by one
/// full of its compound parts, its synonyms or its near spellings.
const SYNONYM_WEIGHT: f32 = 0.9;
const PARTS_WEIGHT: f32 = 0.5;
const ONE_PART_WEIGHT: f32 = 0.2;
const TYPO_WEIGHT: f32 = 0.6;
/// Corrections of a misspelt word that are looked for.
const MAX_CORRECTIONS: usize = 3;
/// Two query words within this many positions of each other count as standing together.
const PROXIMITY_SLOP: u32 = 3;
const PROXIMITY_WEIGHT: f32 = 0.5;

/// How a query is read: as typed, or widened when that finds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Strict,
    /// Every word is enough on its own, a quoted phrase counts as its words, and so do
    /// the expansions of acronyms.
    Widened,
}

/// A query ready to run, with the words a widened reading looked for beyond the typed ones.
pub struct TextQuery {
    pub query: Box<dyn Query>,
    pub added_words: Vec<String>,
}

/// A word of the query: folded as typed, and stemmed.
struct Word {
    folded: String,
    stem: String,
    /// The text whose synonyms count for this word (the whole word of a hyphenated one).
    synonyms_of: Option<String>,
}

/// What a query is made of: words, each of which ranks, and quoted phrases.
enum Unit {
    Word(Word),
    Phrase(String),
}

pub struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub synonyms: &'a Synonyms,
    pub searcher: &'a Searcher,
    pub ranking: Ranking,
}

impl QueryBuilder<'_> {
    /// The text part of a search; `None` when the text has no searchable words
    /// (then every item matches and filters decide).
    pub fn build(&self, clauses: &[Clause], reading: Reading) -> Option<TextQuery> {
        let mut units = Vec::new();
        let mut excluded: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in clauses {
            match clause {
                Clause::Word { text, excluded: false } => units.extend(words_of(text).into_iter().map(Unit::Word)),
                Clause::Phrase { text, excluded: false } => units.push(Unit::Phrase(text.clone())),
                Clause::Word { text, excluded: true } | Clause::Phrase { text, excluded: true } => {
                    excluded.extend(self.exact(text, 1.0).map(|query| (Occur::MustNot, query)));
                }
            }
        }
        let mut added_words = Vec::new();
        let unit_scores: Vec<Vec<Box<dyn Query>>> =
            units.iter().filter_map(|unit| self.unit(unit, reading, &mut added_words)).collect();
        let required = match reading {
            Reading::Strict => self.ranking.required_words(unit_scores.len()),
            Reading::Widened => 1,
        };
        // Every score adds up, so as long as any word is enough, the scores of all words are
        // one flat sum: tantivy then runs a single union of term postings instead of one
        // union per word inside another.
        let mut matching: Vec<Box<dyn Query>> = if required <= 1 {
            unit_scores.into_iter().flatten().collect()
        } else {
            let words = unit_scores.into_iter().filter_map(sum_of).map(|word| (Occur::Should, word)).collect();
            vec![Box::new(BooleanQuery::with_minimum_required_clauses(words, required))]
        };
        matching.extend(self.whole_query_synonyms(clauses));
        let proximity: Vec<Box<dyn Query>> =
            if self.ranking.proximity { self.proximity(&units).collect() } else { Vec::new() };
        added_words.dedup();
        let matching = match sum_of(matching) {
            None if excluded.is_empty() => return None,
            None => Box::new(AllQuery),
            Some(matching) if excluded.is_empty() && proximity.is_empty() => {
                return Some(TextQuery { query: matching, added_words });
            }
            Some(matching) => matching,
        };
        let mut top: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        top.extend(proximity.into_iter().map(|query| (Occur::Should, query)));
        top.extend(excluded);
        Some(TextQuery { query: Box::new(BooleanQuery::new(top)), added_words })
    }

    /// The scores of one unit of the query, to be added up.
    fn unit(&self, unit: &Unit, reading: Reading, added_words: &mut Vec<String>) -> Option<Vec<Box<dyn Query>>> {
        match unit {
            Unit::Word(word) => Some(self.word(word, reading, added_words)),
            // A widened phrase is its words, each of them enough.
            Unit::Phrase(text) if reading == Reading::Widened => {
                let words: Vec<Box<dyn Query>> =
                    words_of(text).iter().flat_map(|word| self.word(word, reading, added_words)).collect();
                (!words.is_empty()).then_some(words)
            }
            Unit::Phrase(text) => {
                let mut alternatives: Vec<Box<dyn Query>> = self.exact(text, 1.0).into_iter().collect();
                if self.ranking.synonyms {
                    alternatives.extend(
                        self.synonyms
                            .alternatives(text)
                            .filter_map(|alternative| self.exact(alternative, SYNONYM_WEIGHT)),
                    );
                }
                best_of(alternatives).map(|best| vec![best])
            }
        }
    }

    /// One word's scores: the word itself scores fully, its alternatives (compound parts,
    /// synonyms, near spellings) less, and the best of them counts; a match in the title adds
    /// to that.
    fn word(&self, word: &Word, reading: Reading, added_words: &mut Vec<String>) -> Vec<Box<dyn Query>> {
        let mut alternatives = vec![self.term(self.fields.text, &word.stem, 1.0)];
        // Help (parts, corrections) only for a word that finds (almost) nothing itself: a word
        // the index knows has its own documents, and its parts or near spellings would match
        // much of the index for nothing (measured: no judged query gains from them).
        let barely_known = self.barely_known(&word.stem);
        let corrections = if self.ranking.typos && barely_known { self.corrections(&word.stem) } else { Vec::new() };
        if self.ranking.compounds && barely_known {
            // All parts together count for more than any one of them. A typo of a known word
            // is not also taken apart.
            let parts = self.parts(word, corrections.is_empty());
            if parts.len() > 1 {
                let all_parts = parts.iter().map(|part| (Occur::Must, self.term(self.fields.text, &stem(part), 1.0)));
                alternatives
                    .push(Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all_parts.collect())), PARTS_WEIGHT)));
            }
            alternatives.extend(parts.iter().map(|part| self.term(self.fields.text, &stem(part), ONE_PART_WEIGHT)));
        }
        alternatives.extend(corrections.iter().map(|correction| self.term(self.fields.text, correction, TYPO_WEIGHT)));
        if let Some(text) = word.synonyms_of.as_deref().filter(|_| self.ranking.synonyms) {
            for alternative in self.synonyms.alternatives(text) {
                alternatives.extend(self.exact(alternative, SYNONYM_WEIGHT));
                if reading == Reading::Widened {
                    let words = words_of(alternative);
                    if words.len() > 1 {
                        let each = words.iter().map(|word| self.term(self.fields.text, &word.stem, ONE_PART_WEIGHT));
                        alternatives.extend(each);
                        added_words.push(alternative.to_string());
                    }
                }
            }
        }
        let best = best_of(alternatives).unwrap_or_else(|| Box::new(EmptyQuery));
        if self.ranking.title_weight <= 0.0 {
            return vec![best];
        }
        vec![best, self.term(self.fields.title, &word.stem, self.ranking.title_weight)]
    }

    fn term(&self, field: Field, stem: &str, weight: f32) -> Box<dyn Query> {
        let query = TermQuery::new(Term::from_field_text(field, stem), IndexRecordOption::WithFreqs);
        if weight == 1.0 {
            Box::new(query)
        } else {
            Box::new(BoostQuery::new(Box::new(query), weight))
        }
    }

    fn document_frequency(&self, stem: &str) -> u64 {
        self.searcher.doc_freq(&Term::from_field_text(self.fields.text, stem)).unwrap_or(0)
    }

    /// A word found in one document at most: then near spellings and single compound parts
    /// are worth looking for.
    fn barely_known(&self, stem: &str) -> bool {
        self.document_frequency(stem) <= 1
    }

    /// The compound parts of a word: the largest dictionary words inside it or, when the
    /// dictionary knows none and `split_unknown`, two words the index knows that make it up
    /// ("ouderbetrokkenheidsplan" → ouderbetrokkenheid + plan).
    fn parts(&self, word: &Word, split_unknown: bool) -> Vec<String> {
        let parts = compound_parts(&word.folded);
        if !parts.is_empty() || !split_unknown {
            return parts;
        }
        self.split_along_the_index(&word.folded).map(|(left, right)| vec![left, right]).unwrap_or_default()
    }

    /// The split of `word` into two words the index knows, the most even one, allowing a
    /// linking "s" or "e" between them (verzuim|s|aanpak).
    fn split_along_the_index(&self, word: &str) -> Option<(String, String)> {
        let chars: Vec<char> = word.chars().collect();
        let known = |part: &[char]| {
            part.len() >= MIN_SPLIT_PART && self.document_frequency(&stem(&String::from_iter(part))) > 0
        };
        (MIN_SPLIT_PART..chars.len().saturating_sub(MIN_SPLIT_PART - 1))
            .filter_map(|at| {
                let (left, right) = chars.split_at(at);
                let left = match left.last() {
                    Some('s' | 'e') if !known(left) => &left[..left.len() - 1],
                    _ => left,
                };
                (known(left) && known(right)).then(|| (String::from_iter(left), String::from_iter(right)))
            })
            .max_by_key(|(left, right)| left.chars().count().min(right.chars().count()))
    }

    /// What a person probably meant by a misspelt word: the index's words one typo away (two
    /// for long words), most frequent first; short words get none, so they are not flooded.
    /// Each correction is scored as the word itself would be, at a lower weight, instead of
    /// every near spelling scoring alike.
    fn corrections(&self, stem: &str) -> Vec<String> {
        let length = stem.chars().count();
        if length < FUZZY_MIN_CHARS {
            return Vec::new();
        }
        let distance = if length >= FUZZY_TWO_EDITS_CHARS { 2 } else { 1 };
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(self.fields.text, stem), distance, true);
        let Ok(automaton) = fuzzy.automaton() else { return Vec::new() };
        // People seldom mistype the first letter of a word, or the first two of a long one;
        // keeping them walks a small part of the term dictionary instead of all of it, the
        // costly part of a search with a typo.
        let Some((from, until)) = prefix_range(stem, usize::from(distance)) else { return Vec::new() };
        let mut frequencies: HashMap<Vec<u8>, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.text) else { continue };
            let within = inverted.terms().search(&automaton).ge(&from).lt(&until);
            let Ok(mut near) = within.into_stream() else { continue };
            while near.advance() {
                *frequencies.entry(near.key().to_vec()).or_default() += u64::from(near.value().doc_freq);
            }
        }
        frequencies.remove(stem.as_bytes());
        let mut found: Vec<(String, u64)> = frequencies
            .into_iter()
            .filter_map(|(term, frequency)| String::from_utf8(term).ok().map(|term| (term, frequency)))
            .collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.into_iter().take(MAX_CORRECTIONS).map(|(term, _)| term).collect()
    }

    /// `text` exactly: its one word, or its words in this order.
    fn exact(&self, text: &str, weight: f32) -> Option<Box<dyn Query>> {
        let words = query_words(text);
        let query: Box<dyn Query> = match words.as_slice() {
            [] => return None,
            [(_, word)] => self.term(self.fields.text, &stem(word), 1.0),
            _ => {
                let first = words[0].0;
                let terms = words
                    .iter()
                    .map(|(position, word)| (position - first, Term::from_field_text(self.fields.text, &stem(word))))
                    .collect();
                Box::new(PhraseQuery::new_with_offset(terms))
            }
        };
        Some(if weight == 1.0 { query } else { Box::new(BoostQuery::new(query, weight)) })
    }

    /// A query of several words can itself be an acronym's expansion ("primair onderwijs" = po).
    fn whole_query_synonyms(&self, clauses: &[Clause]) -> Option<Box<dyn Query>> {
        let words: Vec<&str> = clauses
            .iter()
            .filter_map(|clause| match clause {
                Clause::Word { text, excluded: false } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if words.len() < 2 || !self.ranking.synonyms {
            return None;
        }
        let whole = words.join(" ");
        best_of(
            self.synonyms
                .alternatives(&whole)
                .filter_map(|alternative| self.exact(alternative, SYNONYM_WEIGHT))
                .collect(),
        )
    }

    /// Neighbouring query words that also stand close together in the text.
    fn proximity<'u>(&'u self, units: &'u [Unit]) -> impl Iterator<Item = Box<dyn Query>> + 'u {
        units.windows(2).filter_map(|pair| match pair {
            [Unit::Word(left), Unit::Word(right)] if left.stem != right.stem => {
                let terms = vec![
                    Term::from_field_text(self.fields.text, &left.stem),
                    Term::from_field_text(self.fields.text, &right.stem),
                ];
                let mut near = PhraseQuery::new(terms);
                near.set_slop(PROXIMITY_SLOP);
                Some(Box::new(BoostQuery::new(Box::new(near), PROXIMITY_WEIGHT)) as Box<dyn Query>)
            }
            _ => None,
        })
    }
}

/// The words of a clause as typed; a hyphenated word gives several, which share its synonyms.
fn words_of(text: &str) -> Vec<Word> {
    let words = query_words(text);
    let whole = (words.len() > 1).then(|| text.to_string());
    words
        .into_iter()
        .enumerate()
        .map(|(index, (_, folded))| Word {
            stem: stem(&folded),
            synonyms_of: if index == 0 { Some(whole.clone().unwrap_or_else(|| folded.clone())) } else { None },
            folded,
        })
        .collect()
}

/// The terms that begin with the first `letters` letters of `word`: from those letters'
/// bytes up to (not including) the bytes with the last one raised by one.
fn prefix_range(word: &str, letters: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let prefix: String = word.chars().take(letters).collect();
    if prefix.chars().count() < letters.max(1) {
        return None;
    }
    let from = prefix.into_bytes();
    let mut until = from.clone();
    let last = until.last_mut()?;
    *last = last.checked_add(1)?;
    Some((from, until))
}

/// The sum of the scores of `scores`.
fn sum_of(mut scores: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match scores.len() {
        0 => None,
        1 => scores.pop(),
        _ => Some(Box::new(BooleanQuery::new(scores.into_iter().map(|score| (Occur::Should, score)).collect()))),
    }
}

/// The best-scoring of `alternatives` counts.
fn best_of(mut alternatives: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match alternatives.len() {
        0 => None,
        1 => alternatives.pop(),
        _ => Some(Box::new(DisjunctionMaxQuery::new(alternatives))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Clause {
        Clause::Word { text: text.into(), excluded: false }
    }

    #[test]
    fn words_phrases_and_exclusions() {
        assert_eq!(
            parse(r#"dokwerk "warme overdracht" -tilburg"#),
            vec![
                word("dokwerk"),
                Clause::Phrase { text: "warme overdracht".into(), excluded: false },
                Clause::Word { text: "tilburg".into(), excluded: true },
            ]
        );
    }

    #[test]
    fn odd_input_never_fails() {
        for odd in ["\"", "(", ":", "*", "-", "\"open", "a\"b\"c", "--x", "-\"", "\u{0}", "((((", "é\"ë"] {
            let _ = parse(odd);
        }
        assert_eq!(
            parse("\"warme overdracht"),
            vec![Clause::Phrase { text: "warme overdracht".into(), excluded: false }]
        );
        assert!(parse("( : * -").is_empty());
    }

    #[test]
    fn a_prefix_range_holds_exactly_the_words_with_that_prefix() {
        let within = |range: &(Vec<u8>, Vec<u8>), word: &str| {
            word.as_bytes() >= range.0.as_slice() && word.as_bytes() < range.1.as_slice()
        };
        let one = prefix_range("samenwerking", 1).unwrap();
        assert!(["s", "samen", "szzz"].iter().all(|word| within(&one, word)));
        assert!(!["r", "rzzz", "t", "taal"].iter().any(|word| within(&one, word)));
        let two = prefix_range("samenwerking", 2).unwrap();
        assert!(["sa", "samen", "sazzz"].iter().all(|word| within(&two, word)));
        assert!(!["s", "sb", "rzzz", "scholen"].iter().any(|word| within(&two, word)));
        assert!(prefix_range("", 1).is_none());
        assert!(prefix_range("a", 2).is_none());
    }

    #[test]
    fn long_queries_are_bounded() {
        let long = "woord ".repeat(1000);
        assert_eq!(parse(&long).len(), MAX_CLAUSES);
    }
}
