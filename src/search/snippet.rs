//! A hit's passage as HTML: where in its text the query matches, cut on word boundaries,
//! "…" where text was left out, the words that match in `<mark>`.
//!
//! Analysing a whole body per hit would be the slow part of a search, so only candidate
//! words are analysed: those where a query term occurs literally, each checked on its own
//! since a term can stand inside an unrelated word. The Dutch stemmer does not always keep
//! a word's beginning (school → schol, mogelijkheden → mogelijkheid) and the index folds
//! accents (coöperatie → cooperatie), so the literal search looks for those forms too. Of
//! the first few passages that hold a match, the one with the most different query terms
//! is shown. Cutting and marking look at the few characters around the cuts only.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::collapse_overlapped_ranges;
use tantivy::tokenizer::{TextAnalyzer, Token};
use tantivy::Searcher;

use super::analyzer::fold;

const ELLIPSIS: &str = "…";
/// Length of a passage, in characters.
const SNIPPET_CHARS: usize = 220;
/// Context shown before a passage's first match, in bytes.
const CONTEXT_BEFORE: usize = 60;
/// Literal occurrences checked before the summary is taken instead.
const PLACES_CHECKED: usize = 64;
/// Passages compared: each starts at one of the first matching words.
const PASSAGES_COMPARED: usize = 8;
/// Matching words looked for: enough to fill the passages compared.
const MATCHES_FOUND: usize = 2 * PASSAGES_COMPARED;

/// The passages of one query's hits: from the body where the query matches there, else the
/// summary, else the summary's beginning.
pub struct Snippets {
    query: Option<QueryTerms>,
}

/// What the passages of one query look for.
struct QueryTerms {
    /// The query's terms as they may be written in a text (see `written_forms`).
    written: AhoCorasick,
    /// The query's terms, to check a word against.
    terms: HashSet<String>,
    /// The index's analyzer for the scored field.
    analyzer: RefCell<TextAnalyzer>,
}

/// A word of a text that holds query terms.
struct Match {
    word: Range<usize>,
    terms: Vec<String>,
}

impl Snippets {
    /// For the hits of `query` over the `text` field; without a query, passages are the
    /// summaries' beginnings.
    pub fn new(searcher: &Searcher, query: Option<&dyn Query>, text: Field) -> tantivy::Result<Snippets> {
        let Some(query) = query else {
            return Ok(Snippets { query: None });
        };
        let mut terms = HashSet::new();
        query.query_terms(&mut |term, _| {
            if let Some(stem) = term.value().as_str().filter(|_| term.field() == text) {
                terms.insert(stem.to_string());
            }
        });
        let forms: Vec<String> = terms.iter().flat_map(|stem| written_forms(stem)).collect();
        // Terms are lower case, texts are not: an ASCII-case-blind search finds them without
        // lower-casing every body.
        let written = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&forms)
            .map_err(|error| tantivy::TantivyError::InvalidArgument(error.to_string()))?;
        let analyzer = RefCell::new(searcher.index().tokenizer_for_field(text)?);
        Ok(Snippets { query: Some(QueryTerms { written, terms, analyzer }) })
    }

    /// The passage of a hit with this body and summary, as HTML.
    pub fn of(&self, body: &str, summary: &str) -> String {
        let Some(query) = &self.query else {
            return leading(summary, SNIPPET_CHARS);
        };
        [body, summary]
            .into_iter()
            .find_map(|text| query.passage(text))
            .unwrap_or_else(|| leading(summary, SNIPPET_CHARS))
    }
}

impl QueryTerms {
    /// The best passage of `text`, if a word of it holds a query term.
    fn passage(&self, text: &str) -> Option<String> {
        let matches = self.matches(text);
        let (range, shown) = matches
            .iter()
            .take(PASSAGES_COMPARED)
            .map(|first| {
                let start = text.floor_char_boundary(first.word.start.saturating_sub(CONTEXT_BEFORE));
                let end = text[start..].char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(at, _)| start + at);
                let shown: Vec<&Match> =
                    matches.iter().filter(|found| found.word.start >= start && found.word.end <= end).collect();
                (start..end, shown)
            })
            // The most different terms; the first such passage.
            .rev()
            .max_by_key(|(_, shown)| shown.iter().flat_map(|found| &found.terms).collect::<HashSet<_>>().len())?;
        let marks: Vec<Range<usize>> = shown.iter().map(|found| found.word.clone()).collect();
        Some(render(text, range, &marks))
    }

    /// The first `MATCHES_FOUND` words of `text` that hold query terms, in order, as far as
    /// `PLACES_CHECKED` literal occurrences reach. Places are looked for only as far as
    /// needed: in a long body the matches are usually found in its first part.
    fn matches(&self, text: &str) -> Vec<Match> {
        let literal = self.written.find_iter(text).take(PLACES_CHECKED).map(|found| found.start());
        let places: Box<dyn Iterator<Item = usize>> = if text.is_ascii() {
            Box::new(literal)
        } else {
            Box::new(in_order(literal, folded_places(&self.written, text)))
        };
        let mut matches: Vec<Match> = Vec::new();
        for place in places {
            if matches.last().is_some_and(|last| place < last.word.end) {
                continue;
            }
            let word = word_around(text, place);
            let terms = self.terms_in(&text[word.clone()]);
            if !terms.is_empty() {
                matches.push(Match { word, terms });
                if matches.len() == MATCHES_FOUND {
                    break;
                }
            }
        }
        matches
    }

    /// The query terms that the analyzer finds in `word`.
    fn terms_in(&self, word: &str) -> Vec<String> {
        let mut found = Vec::new();
        if let Ok(mut analyzer) = self.analyzer.try_borrow_mut() {
            analyzer.token_stream(word).process(&mut |token: &Token| {
                if self.terms.contains(&token.text) {
                    found.push(token.text.clone());
                }
            });
        }
        found
    }
}

/// How a stem may be written in a text, beside its own letters: the Dutch stemmer halves a
/// doubled vowel before a final consonant (school → schol, taal → tal) and turns "heden"
/// into "heid".
fn written_forms(stem: &str) -> Vec<String> {
    let mut forms = vec![stem.to_string()];
    let letters: Vec<char> = stem.chars().collect();
    if let [.., before, vowel @ ('a' | 'e' | 'o' | 'u'), last] = letters.as_slice() {
        if !is_vowel(*before) && !is_vowel(*last) {
            let mut doubled = String::from_iter(&letters[..letters.len() - 1]);
            doubled.push(*vowel);
            doubled.push(*last);
            forms.push(doubled);
        }
    }
    if let Some(root) = stem.strip_suffix("heid") {
        forms.push(format!("{root}hed"));
    }
    forms
}

fn is_vowel(letter: char) -> bool {
    matches!(letter, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Where words with letters beyond ASCII (coöperatie, één) hold a query term once folded
/// as the index folds them, in order: the literal search cannot see those. Only the words
/// around non-ASCII bytes are looked at.
fn folded_places<'t>(terms: &'t AhoCorasick, text: &'t str) -> impl Iterator<Item = usize> + 't {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = text.as_bytes()[from..].iter().position(|byte| !byte.is_ascii()) {
            // `from` is always a character boundary, so the first byte beyond ASCII after
            // it starts a character.
            let at = from + offset;
            if !text[at..].starts_with(is_word_char) {
                from = at + char_len(text, at);
                continue;
            }
            let word = word_around(text, at);
            from = word.end;
            if terms.is_match(&fold(&text[word.clone()])) {
                return Some(word.start);
            }
        }
        None
    })
}

/// Two ascending sequences of places as one ascending sequence.
fn in_order(first: impl Iterator<Item = usize>, second: impl Iterator<Item = usize>) -> impl Iterator<Item = usize> {
    let (mut first, mut second) = (first.peekable(), second.peekable());
    std::iter::from_fn(move || match (first.peek(), second.peek()) {
        (Some(a), Some(b)) if b < a => second.next(),
        (Some(_), _) => first.next(),
        (None, _) => second.next(),
    })
}

/// The word of `text` that byte `at` falls in.
fn word_around(text: &str, at: usize) -> Range<usize> {
    word_start(text, at)..word_end(text, at)
}

/// `text[passage]` as escaped HTML with `marks` (byte ranges in `text`) highlighted. A word
/// cut in two at either end is left out, unless it holds a mark: then it is completed.
fn render(text: &str, passage: Range<usize>, marks: &[Range<usize>]) -> String {
    let marks = collapse_overlapped_ranges(marks);
    let start = cut_start(text, passage.start, marks.first().map(|mark| mark.start));
    let end = cut_end(text, passage.end.max(start), marks.last().map(|mark| mark.end)).max(start);
    let mut html = String::with_capacity(end - start + 32);
    if has_word(&text[..start]) {
        html.push_str(ELLIPSIS);
    }
    let mut done = start;
    for mark in marks.iter().map(|mark| mark.start.max(start)..mark.end.min(end)).filter(|mark| mark.start < mark.end) {
        html.push_str(&escape(&text[done..mark.start]));
        html.push_str("<mark>");
        html.push_str(&escape(&text[mark.clone()]));
        html.push_str("</mark>");
        done = mark.end;
    }
    html.push_str(&escape(&text[done..end]));
    if end < text.len() {
        html.push_str(ELLIPSIS);
    }
    html
}

/// The first `max_chars` characters of `text` as escaped HTML, cut like `render`'s passages.
fn leading(text: &str, max_chars: usize) -> String {
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(end, _)| end);
    render(text, 0..end, &[])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn has_word(text: &str) -> bool {
    text.chars().any(is_word_char)
}

/// Whether `at` falls inside a word of `text`.
fn inside_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char) && text[at..].chars().next().is_some_and(is_word_char)
}

/// Where the passage starts: at `at`, or past a word cut in two there (back at that word's
/// start when the first mark lies in it), and past the spaces and punctuation before the
/// next word.
fn cut_start(text: &str, at: usize, first_mark: Option<usize>) -> usize {
    if !has_word(&text[..at]) {
        return at;
    }
    let word_end = word_end(text, at);
    if inside_word(text, at) && first_mark.is_some_and(|mark| mark < word_end) {
        return word_start(text, at);
    }
    let from = if inside_word(text, at) { word_end } else { at };
    from + text[from..].find(is_word_char).unwrap_or(text.len() - from)
}

/// Where the passage ends: at `at`, or before a word cut in two there (after that word when
/// the last mark lies in it); at the text's end when only spaces and punctuation follow;
/// without dangling separators before a cut.
fn cut_end(text: &str, at: usize, last_mark: Option<usize>) -> usize {
    if !has_word(&text[at..]) {
        return text.trim_end().len().max(at);
    }
    let word_start = word_start(text, at);
    if inside_word(text, at) && last_mark.is_some_and(|mark| mark > word_start) {
        return word_end(text, at);
    }
    let until = if inside_word(text, at) { word_start } else { at };
    text[..until].trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—([{\"'„“‘".contains(c)).len()
}

/// Where the word that byte `at` of `text` falls in (or follows) starts.
fn word_start(text: &str, at: usize) -> usize {
    text[..at].rfind(|c: char| !is_word_char(c)).map_or(0, |before| before + char_len(text, before))
}

/// Where the word that byte `at` of `text` falls in (or precedes) ends.
fn word_end(text: &str, at: usize) -> usize {
    at + text[at..].find(|c: char| !is_word_char(c)).unwrap_or(text.len() - at)
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(0, char::len_utf8)
}

fn escape(text: &str) -> String {
    handlebars::html_escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range_of(text: &str, word: &str) -> Range<usize> {
        let start = text.find(word).unwrap();
        start..start + word.len()
    }

    #[test]
    fn a_passage_inside_the_text_drops_cut_words_and_shows_the_cuts() {
        let text = "Thuiszitters krijgen op de praktijkschool les in kleine groepen met vaste begeleiders.";
        let passage = text.find("ijgen").unwrap()..text.find("roepen").unwrap();
        let html = render(text, passage, &[range_of(text, "praktijkschool")]);
        assert_eq!(html, "…op de <mark>praktijkschool</mark> les in kleine…");
    }

    #[test]
    fn a_cut_word_holding_a_match_is_completed() {
        let text = "De thuiszitterslabs en de onderwijszorgarrangementen werken samen.";
        let start = text.find("zitters").unwrap();
        let end = text.find("zorgarr").unwrap() + "zorgarr".len();
        let marks = [start..start + "zitters".len(), text.find("zorg").unwrap()..end];
        let html = render(text, start..end, &marks);
        assert_eq!(html, "…thuis<mark>zitters</mark>labs en de onderwijs<mark>zorgarr</mark>angementen…");
    }

    #[test]
    fn no_ellipsis_at_the_start_or_end_of_the_text() {
        let text = "Dokwerk helpt leerlingen.";
        let html = render(text, 0..text.find('.').unwrap(), &[range_of(text, "Dokwerk")]);
        assert_eq!(html, "<mark>Dokwerk</mark> helpt leerlingen.");
    }

    #[test]
    fn text_is_escaped_and_marks_stay_intact() {
        let text = "Meer dan <b>60%</b> & de doorstroom naar het vmbo stijgt";
        let html = render(text, 0..text.len(), &[range_of(text, "doorstroom")]);
        assert_eq!(html, "Meer dan &lt;b&gt;60%&lt;/b&gt; &amp; de <mark>doorstroom</mark> naar het vmbo stijgt");
    }

    #[test]
    fn separators_before_a_cut_are_left_out() {
        let text = "Samen met ouders, scholen en jeugdhulp.";
        let html = render(text, 0..text.find("scholen").unwrap() + 2, &[]);
        assert_eq!(html, "Samen met ouders…");
    }

    #[test]
    fn terms_are_looked_for_as_words_are_written_before_stemming() {
        use crate::search::analyzer::stem;
        for (word, written) in [("school", "school"), ("jaar", "jaar"), ("scholen", "schol"), ("gelegenheden", "geleg")]
        {
            let forms = written_forms(&stem(word));
            assert!(forms.iter().any(|form| form == written), "{word}: {forms:?}");
        }
        assert_eq!(written_forms("heid"), ["heid", "hed"]);
        assert_eq!(written_forms("kind"), ["kind"]);
    }

    fn query_terms(stems: &[&str]) -> QueryTerms {
        let terms: HashSet<String> = stems.iter().map(|stem| stem.to_string()).collect();
        let forms: Vec<String> = terms.iter().flat_map(|stem| written_forms(stem)).collect();
        let written = AhoCorasickBuilder::new().ascii_case_insensitive(true).build(&forms).unwrap();
        QueryTerms { written, terms, analyzer: RefCell::new(crate::search::analyzer::dutch_analyzer()) }
    }

    #[test]
    fn the_passage_with_most_query_terms_is_shown_and_only_real_matches_are_marked() {
        let query = query_terms(&["verzuim", "thuiszitter"]);
        let filler = "Dit gaat over iets heel anders dan de vraag, met veel woorden ertussen. ".repeat(4);
        let text =
            format!("Het verzuimt nooit. Eerst verzuim alleen. {filler}Dan schoolverzuim en thuiszitters samen.");
        let html = query.passage(&text).unwrap();
        assert!(html.contains("<mark>schoolverzuim</mark> en <mark>thuiszitters</mark>"), "{html}");
        // "scholier" holds the letters of the term "schol" (school) but is another word.
        let school = query_terms(&["schol"]);
        assert!(school.passage("Een scholier zonder plek.").is_none());
        let html = school.passage("Een scholier, en dan de basisschool.").unwrap();
        assert!(html.ends_with("en dan de <mark>basisschool</mark>."), "{html}");
    }

    #[test]
    fn words_with_accents_are_found_folded() {
        let terms = AhoCorasickBuilder::new().build(["cooperatie", "een"]).unwrap();
        let text = "De Coöperatie werkt met één school; cooperatie zonder accent telt hier niet.";
        let places: Vec<usize> = folded_places(&terms, text).collect();
        assert_eq!(places, [text.find("Coöperatie").unwrap(), text.find("één").unwrap()]);
    }

    #[test]
    fn places_are_merged_in_order() {
        let merged: Vec<usize> = in_order([1, 4, 9].into_iter(), [2, 3, 10, 12].into_iter()).collect();
        assert_eq!(merged, [1, 2, 3, 4, 9, 10, 12]);
        assert_eq!(in_order([].into_iter(), [5].into_iter()).collect::<Vec<_>>(), [5]);
    }

    #[test]
    fn leading_cuts_on_a_word_boundary() {
        assert_eq!(leading("Kleine groepen vmbo-leerlingen", 10), "Kleine…");
        assert_eq!(leading("Kort", 10), "Kort");
        assert_eq!(leading("Één coöperatie", 6), "Één…");
    }

    #[test]
    fn any_passage_of_any_text_renders() {
        let text = "Één coöperatie — “thuiszitters”, 60% & <b>meer</b>: zorg…";
        let bounds: Vec<usize> = text.char_indices().map(|(at, _)| at).chain([text.len()]).collect();
        for (index, &start) in bounds.iter().enumerate() {
            for &end in &bounds[index..] {
                let html = render(text, start..end, std::slice::from_ref(&(start..end)));
                assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count(), "{start}..{end}");
                assert!(!html.contains("<b>"), "{html}");
            }
        }
    }
}
