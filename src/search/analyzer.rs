//! The one Dutch analyzer used for indexing and for queries.
//!
//! Chain: words → lower case → accents folded (coöperatie = cooperatie) → Dutch stop words
//! removed → compounds decomposed (the compound and its parts share a position) → the
//! classic Dutch Snowball stemmer. tantivy 0.27's own Dutch stemmer (Kraaij-Pohlmann) stems
//! "gemeente" and "menen" alike, so we stem with `rust-stemmers` instead; the stems we rely
//! on are pinned in the tests below.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Name under which the analyzer is registered with the index.
pub const DUTCH: &str = "dutch";

/// Parts shorter than this are not split off: they match too many unrelated words.
const MIN_PART_LEN: usize = 4;

const COMPOUND_PARTS: &str = include_str!("../../data/compound-parts.txt");

/// The analyzer for indexed text: every dictionary word inside a compound is indexed, so a
/// query for any part finds the compound.
pub fn dutch_analyzer() -> TextAnalyzer {
    analyzer(Decompounder::from_word_list(COMPOUND_PARTS, Parts::All))
}

/// The words of a query as the index sees them before stemming: lower case, accents folded,
/// stop words removed, each with its position (gaps where stop words were).
pub fn query_words(text: &str) -> Vec<(usize, String)> {
    // Built once: the stop word filter makes its word set when it is created.
    static WORDS: LazyLock<TextAnalyzer> = LazyLock::new(|| {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(48))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(StopWordFilter::new(Language::Dutch).expect("tantivy ships Dutch stop words"))
            .build()
    });
    analyze(&mut WORDS.clone(), text)
}

/// A query word's stem, as the index stems every word.
pub fn stem(word: &str) -> String {
    let mut stemmed = word.to_string();
    stem_into(&Stemmer::create(Algorithm::Dutch), &mut stemmed);
    stemmed
}

/// The largest dictionary words inside a compound, unstemmed ("thuiszitterslabs" →
/// thuiszitters, labs; not every "thuis"); none for a plain word.
pub fn compound_parts(word: &str) -> Vec<String> {
    static LARGEST: LazyLock<Decompounder> =
        LazyLock::new(|| Decompounder::from_word_list(COMPOUND_PARTS, Parts::Largest));
    LARGEST.parts(word)
}

fn analyzer(decompounder: Decompounder) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::Dutch).expect("tantivy ships Dutch stop words"))
        .filter(decompounder)
        .filter(DutchStemmer)
        .build()
}

/// Analyzes `text` into `(position, term)` pairs.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut terms = Vec::new();
    analyzer.token_stream(text).process(&mut |token: &Token| terms.push((token.position, token.text.clone())));
    terms
}

/// Lower-cases and folds accents the way the analyzer does, without stemming:
/// the form used to look words up in the synonym list.
pub fn fold(text: &str) -> String {
    let mut analyzer =
        TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build();
    let mut words = Vec::new();
    analyzer.token_stream(text).process(&mut |token: &Token| words.push(token.text.clone()));
    words.join(" ")
}

/// The classic Snowball stemmer leaves plurals in "-ies" alone (organisaties, strategies)
/// because a vowel precedes the "s"; we drop that "s" first so they meet their singular.
fn singular_ies(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if stem.len() > 4 && stem.ends_with("ie") => stem,
        _ => word,
    }
}

/// Classic Dutch Snowball stemmer as a tantivy token filter.
#[derive(Clone, Copy)]
pub struct DutchStemmer;

impl TokenFilter for DutchStemmer {
    type Tokenizer<T: Tokenizer> = DutchStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DutchStemmerFilter<T> {
        DutchStemmerFilter { inner: tokenizer }
    }
}

/// Stems of words seen before, per thread. Word frequencies follow Zipf's law, so a small
/// cache answers most tokens without running the stemmer; each thread (indexing, search,
/// snippets) keeps its own, so nothing is shared or locked, and it is cleared when full.
const STEM_CACHE_WORDS: usize = 10_000;

thread_local! {
    static STEMS: RefCell<FxHashMap<String, String>> = RefCell::new(FxHashMap::default());
}

fn stem_into(stemmer: &Stemmer, word: &mut String) {
    STEMS.with_borrow_mut(|stems| {
        if let Some(stem) = stems.get(word.as_str()) {
            word.clone_from(stem);
            return;
        }
        if stems.len() >= STEM_CACHE_WORDS {
            stems.clear();
        }
        let stem = stemmer.stem(singular_ies(word)).into_owned();
        stems.insert(std::mem::replace(word, stem.clone()), stem);
    });
}

#[derive(Clone)]
pub struct DutchStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for DutchStemmerFilter<T> {
    type TokenStream<'a> = DutchStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DutchStemmerStream { tail: self.inner.token_stream(text), stemmer: Stemmer::create(Algorithm::Dutch) }
    }
}

pub struct DutchStemmerStream<T> {
    tail: T,
    stemmer: Stemmer,
}

impl<T: TokenStream> TokenStream for DutchStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        stem_into(&self.stemmer, &mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Dictionary decompounder: a token is kept and every dictionary word found inside it is
/// emitted as well, at the same position, so "verzuim" finds "schoolverzuim" and
/// "thuiszitterslabs" finds "thuiszitters".
#[derive(Clone)]
pub struct Decompounder {
    dictionary: Arc<AhoCorasick>,
    parts: Parts,
}

/// Which dictionary words found inside a compound are emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    All,
    /// Only parts not contained in a larger part.
    Largest,
}

impl Decompounder {
    /// Builds from a word list: one word a line, `#` starts a comment.
    pub fn from_word_list(list: &str, parts: Parts) -> Decompounder {
        let words: Vec<String> = list
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim().to_lowercase())
            .filter(|word| word.len() >= MIN_PART_LEN)
            .collect();
        let dictionary = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("the compound word list builds an automaton");
        Decompounder { dictionary: Arc::new(dictionary), parts }
    }

    fn parts(&self, word: &str) -> Vec<String> {
        if word.len() <= MIN_PART_LEN {
            return Vec::new();
        }
        let found: Vec<std::ops::Range<usize>> = self
            .dictionary
            .find_overlapping_iter(word)
            .filter(|found| found.len() < word.len())
            .map(|found| found.range())
            .collect();
        let inside_another = |range: &std::ops::Range<usize>| {
            found.iter().any(|other| other != range && other.start <= range.start && range.end <= other.end)
        };
        let mut seen = HashSet::new();
        found
            .iter()
            .filter(|range| self.parts == Parts::All || !inside_another(range))
            .map(|range| &word[range.clone()])
            .filter(|part| seen.insert(*part))
            .map(str::to_string)
            .collect()
    }
}

impl TokenFilter for Decompounder {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        DecompounderFilter { inner: tokenizer, decompounder: self }
    }
}

#[derive(Clone)]
pub struct DecompounderFilter<T> {
    inner: T,
    decompounder: Decompounder,
}

impl<T: Tokenizer> Tokenizer for DecompounderFilter<T> {
    type TokenStream<'a> = DecompounderStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DecompounderStream {
            tail: self.inner.token_stream(text),
            decompounder: &self.decompounder,
            pending_parts: Vec::new(),
            current: Token::default(),
        }
    }
}

pub struct DecompounderStream<'a, T> {
    tail: T,
    decompounder: &'a Decompounder,
    /// Parts of the current compound still to emit, in reverse order.
    pending_parts: Vec<String>,
    current: Token,
}

impl<T: TokenStream> TokenStream for DecompounderStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(part) = self.pending_parts.pop() {
            self.current.text = part;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        self.current = self.tail.token().clone();
        self.pending_parts = self.decompounder.parts(&self.current.text);
        self.pending_parts.reverse();
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyze(&mut dutch_analyzer(), text).into_iter().map(|(_, term)| term).collect()
    }

    fn stem(word: &str) -> String {
        Stemmer::create(Algorithm::Dutch).stem(singular_ies(word)).into_owned()
    }

    #[test]
    fn classic_stemmer_keeps_gemeente_and_menen_apart() {
        assert_ne!(stem("gemeente"), stem("menen"));
        assert_eq!(stem("gemeente"), stem("gemeenten"));
        assert_eq!(stem("thuiszitter"), stem("thuiszitters"));
        assert_eq!(stem("samenwerkingsverband"), stem("samenwerkingsverbanden"));
        assert_eq!(stem("kinderopvangorganisatie"), stem("kinderopvangorganisaties"));
        assert_eq!(stem("onderwijszorgarrangement"), stem("onderwijszorgarrangementen"));
    }

    #[test]
    fn accents_are_folded_before_stemming() {
        assert_eq!(terms("Coöperatie"), terms("cooperatie"));
        assert_eq!(terms("één"), terms("een"));
    }

    #[test]
    fn stop_words_are_dropped() {
        assert_eq!(terms("de kinderen in de klas"), terms("kinderen klas"));
    }

    #[test]
    fn compounds_keep_the_whole_and_add_parts_at_the_same_position() {
        let analyzed = analyze(&mut dutch_analyzer(), "schoolverzuim");
        assert!(analyzed.iter().all(|(position, _)| *position == 0));
        let found: Vec<&str> = analyzed.iter().map(|(_, term)| term.as_str()).collect();
        assert!(found.contains(&stem("schoolverzuim").as_str()));
        assert!(found.contains(&stem("verzuim").as_str()), "{found:?}");
    }

    #[test]
    fn compounds_share_terms_with_their_parts() {
        let share = |a: &str, b: &str| {
            let left = terms(a);
            terms(b).iter().any(|term| left.contains(term))
        };
        assert!(share("thuiszitterslabs", "thuiszitters"));
        assert!(share("kinderopvangorganisaties", "kinderopvang"));
        assert!(share("ambulant zorgteam", "zorgteam"));
        assert!(share("jeugdhulpaanbieder", "jeugdhulp"));
    }

    #[test]
    fn queries_use_only_the_largest_parts() {
        let parts = compound_parts("thuiszitterslabs");
        assert!(parts.contains(&"thuiszitters".to_string()), "{parts:?}");
        assert!(!parts.contains(&"thuis".to_string()), "{parts:?}");
        assert!(compound_parts("gemeente").is_empty());
    }

    #[test]
    fn query_words_are_folded_without_stop_words_and_keep_positions() {
        assert_eq!(
            query_words("Hoe werkt de Coöperatie?"),
            vec![(1, "werkt".to_string()), (3, "cooperatie".to_string())]
        );
        assert_eq!(super::stem("thuiszitters"), stem("thuiszitter"));
    }

    #[test]
    fn plain_words_are_not_shredded() {
        for word in ["gemeente", "organisatie", "overheid", "wereld", "tandarts"] {
            assert_eq!(terms(word).len(), 1, "{word}: {:?}", terms(word));
        }
    }

    #[test]
    fn fold_lowercases_and_strips_accents() {
        assert_eq!(fold("Coöperatie  OZA"), "cooperatie oza");
    }
}
