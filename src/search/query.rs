//! From what a person typed to a tantivy query.
//!
//! We parse the query ourselves instead of using tantivy's query language, so that no input
//! (`"`, `(`, `:`, `*`, unmatched quotes, …) can produce a syntax error: words are ranked
//! alternatives (matching more of them ranks higher), `"…"` is a phrase, a leading `-`
//! excludes. Every word also matches its acronym/synonym group, its compound parts (the
//! analyzer) and, when the index does not know the word, words one or two typos away.

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::analyzer::analyze;
use super::schema::Fields;
use super::synonyms::Synonyms;

/// Longer queries are cut: nobody types more, and it bounds the cost of a query.
const MAX_QUERY_CHARS: usize = 400;
const MAX_CLAUSES: usize = 24;

/// Shortest term that gets typo tolerance, and the length from which two typos are allowed.
const FUZZY_MIN_CHARS: usize = 5;
const FUZZY_TWO_EDITS_CHARS: usize = 8;

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

/// The text fields a query looks in, with their weights.
fn weighted_fields(fields: &Fields) -> [(Field, f32); 4] {
    [(fields.title, 3.0), (fields.summary, 2.0), (fields.keywords, 1.5), (fields.body, 1.0)]
}

pub struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub analyzer: TextAnalyzer,
    pub synonyms: &'a Synonyms,
    pub searcher: &'a Searcher,
}

impl QueryBuilder<'_> {
    /// The text part of a search; `None` when the text has no searchable words
    /// (then every item matches and filters decide).
    pub fn build(&mut self, clauses: &[Clause]) -> Option<Box<dyn Query>> {
        let mut wanted: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut excluded: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in clauses {
            match clause {
                Clause::Word { text, excluded: false } => {
                    wanted.extend(self.word_or_hyphenated(text).map(|q| (Occur::Should, q)));
                    wanted.extend(self.synonyms_of(text).map(|q| (Occur::Should, q)));
                }
                Clause::Phrase { text, excluded: false } => {
                    wanted.extend(self.phrase(text, 3.0).map(|q| (Occur::Should, q)));
                    wanted.extend(self.synonyms_of(text).map(|q| (Occur::Should, q)));
                }
                Clause::Word { text, excluded: true } | Clause::Phrase { text, excluded: true } => {
                    excluded.extend(self.phrase(text, 1.0).map(|q| (Occur::MustNot, q)));
                }
            }
        }
        let all_words: Vec<&str> = clauses
            .iter()
            .filter_map(|clause| match clause {
                Clause::Word { text, excluded: false } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if all_words.len() > 1 {
            let whole = all_words.join(" ");
            wanted.extend(self.synonyms_of(&whole).map(|q| (Occur::Should, q)));
        }
        if wanted.is_empty() && excluded.is_empty() {
            return None;
        }
        if wanted.is_empty() {
            wanted.push((Occur::Must, Box::new(AllQuery)));
        }
        wanted.extend(excluded);
        Some(Box::new(BooleanQuery::new(wanted)))
    }

    /// Terms of `text` grouped by position: each group is the word's own stem followed by
    /// the stems of its compound parts.
    fn positions(&mut self, text: &str) -> Vec<(usize, Vec<String>)> {
        let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
        for (position, term) in analyze(&mut self.analyzer, text) {
            match groups.last_mut() {
                Some((last, terms)) if *last == position => terms.push(term),
                _ => groups.push((position, vec![term])),
            }
        }
        groups
    }

    /// A word; a hyphenated or otherwise split "word" (onderwijs-zorgarrangement) ranks the
    /// exact sequence highest but also finds its words apart.
    fn word_or_hyphenated(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let groups = self.positions(text);
        match groups.as_slice() {
            [] => None,
            [(_, terms)] => Some(self.word(terms)),
            _ => {
                let mut parts: Vec<(Occur, Box<dyn Query>)> =
                    groups.iter().map(|(_, terms)| (Occur::Should, self.word(terms))).collect();
                parts.extend(self.phrase_of(&groups, 2.0).map(|q| (Occur::Should, q)));
                Some(Box::new(BooleanQuery::new(parts)))
            }
        }
    }

    /// One word in every text field: its own stem counts fully, its compound parts half,
    /// and an unknown word also matches near spellings.
    fn word(&self, terms: &[String]) -> Box<dyn Query> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, weight) in weighted_fields(self.fields) {
            // Compound parts only in the title and body: each clause costs time, and the
            // short fields add little for a part.
            let parts = if field == self.fields.title || field == self.fields.body { terms.len() } else { 1 };
            for (index, term) in terms.iter().take(parts).enumerate() {
                let boost = if index == 0 { weight } else { weight * 0.5 };
                let query = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost))));
            }
        }
        if let Some(fuzzy) = self.typo_tolerant(&terms[0]) {
            alternatives.push((Occur::Should, fuzzy));
        }
        Box::new(BooleanQuery::new(alternatives))
    }

    /// Words one typo away (two for long words), only for words the index barely knows,
    /// so that common words stay fast and exact and short words are not flooded.
    fn typo_tolerant(&self, term: &str) -> Option<Box<dyn Query>> {
        let length = term.chars().count();
        if length < FUZZY_MIN_CHARS {
            return None;
        }
        let known = [self.fields.title, self.fields.body]
            .iter()
            .map(|&field| self.searcher.doc_freq(&Term::from_field_text(field, term)).unwrap_or(0))
            .sum::<u64>();
        if known > 1 {
            return None;
        }
        let distance = if length >= FUZZY_TWO_EDITS_CHARS { 2 } else { 1 };
        // Only in the body, which has nearly every word of the title too: walking a term
        // dictionary with a Levenshtein automaton is the most expensive part of a search.
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(self.fields.body, term), distance, true);
        Some(Box::new(BoostQuery::new(Box::new(fuzzy), 0.5)))
    }

    fn phrase(&mut self, text: &str, boost: f32) -> Option<Box<dyn Query>> {
        let groups = self.positions(text);
        match groups.as_slice() {
            [] => None,
            [(_, terms)] => Some(Box::new(BoostQuery::new(self.word(terms), boost))),
            _ => self.phrase_of(&groups, boost),
        }
    }

    /// The exact sequence of the words' own stems, in the title, summary or body.
    fn phrase_of(&self, groups: &[(usize, Vec<String>)], boost: f32) -> Option<Box<dyn Query>> {
        if groups.len() < 2 {
            return None;
        }
        let first = groups[0].0;
        // Not in the keywords: names and places seldom hold the phrase, and each field costs.
        let in_fields: Vec<(Occur, Box<dyn Query>)> = weighted_fields(self.fields)
            .into_iter()
            .filter(|(field, _)| *field != self.fields.keywords)
            .map(|(field, weight)| {
                let terms = groups
                    .iter()
                    .map(|(position, terms)| (position - first, Term::from_field_text(field, &terms[0])))
                    .collect();
                let phrase = PhraseQuery::new_with_offset(terms);
                (Occur::Should, Box::new(BoostQuery::new(Box::new(phrase), weight * boost)) as Box<dyn Query>)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(in_fields)))
    }

    /// The query's acronyms and synonyms, slightly below the words themselves.
    fn synonyms_of(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let synonyms = self.synonyms;
        let alternatives: Vec<String> = synonyms.alternatives(text).map(str::to_string).collect();
        let queries: Vec<(Occur, Box<dyn Query>)> = alternatives
            .iter()
            .filter_map(|alternative| self.phrase(alternative, 0.9))
            .map(|query| (Occur::Should, query))
            .collect();
        (!queries.is_empty()).then(|| Box::new(BooleanQuery::new(queries)) as Box<dyn Query>)
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
    fn long_queries_are_bounded() {
        let long = "woord ".repeat(1000);
        assert_eq!(parse(&long).len(), MAX_CLAUSES);
    }
}
