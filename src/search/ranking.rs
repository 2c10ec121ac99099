//! The knobs of relevance ranking, in one place, so that the relevance bench can switch each
//! feature off and show what it is worth (`cargo bench --bench relevance`).

/// How a text query is scored. `Ranking::default()` is what the product uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// Weight of a word in the title, added to its score in the whole text. Every text field
    /// is scored as one field (title, summary, keywords and body together, BM25F-style), so a
    /// title match counts once more, not as a separate field with its own statistics.
    pub title_weight: f32,
    /// Compound parts of a query word ("thuiszitterslabs" → thuiszitters + labs) as a
    /// lower-weighted alternative of the word; unknown compounds split along the index's words.
    pub compounds: bool,
    /// Acronyms and synonyms from `data/synonyms.txt` as alternatives of the word.
    pub synonyms: bool,
    /// Words one or two typos away, for words the index barely knows.
    pub typos: bool,
    /// Query words that stand close together in a document (adjacent query words within a
    /// few positions) add to its score.
    pub proximity: bool,
    /// Share of the words of a query of three or more words that an item must contain, as
    /// Elasticsearch's `minimum_should_match`; 0 ranks every item that has any word.
    pub min_match_share: f32,
}

impl Default for Ranking {
    fn default() -> Ranking {
        Ranking {
            title_weight: 0.25,
            compounds: true,
            synonyms: true,
            typos: true,
            // Measured on both judged sets, neither proximity nor a minimum share of words
            // earns its place (see benches/relevance/README.md); both cost time on long
            // queries. Kept switchable, so that the bench shows it again after each change.
            proximity: false,
            min_match_share: 0.0,
        }
    }
}

impl Ranking {
    /// Plain scoring of the words over all text, for comparison: every feature off.
    pub fn plain() -> Ranking {
        Ranking {
            title_weight: 0.0,
            compounds: false,
            synonyms: false,
            typos: false,
            proximity: false,
            min_match_share: 0.0,
        }
    }

    /// How many of `words` query words an item must contain.
    pub fn required_words(&self, words: usize) -> usize {
        if words < 3 || self.min_match_share <= 0.0 {
            return 1;
        }
        ((words as f32 * self.min_match_share).round() as usize).clamp(2, words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_queries_need_any_word_long_ones_a_share() {
        let ranking = Ranking { min_match_share: 0.5, ..Ranking::default() };
        assert_eq!(Ranking::default().required_words(5), 1);
        assert_eq!(ranking.required_words(1), 1);
        assert_eq!(ranking.required_words(2), 1);
        assert_eq!(ranking.required_words(3), 2);
        assert_eq!(ranking.required_words(4), 2);
        assert_eq!(ranking.required_words(7), 4);
        assert_eq!(Ranking::plain().required_words(7), 1);
    }
}
