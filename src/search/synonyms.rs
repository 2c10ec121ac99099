//! Acronyms and synonyms (OZA ↔ onderwijszorgarrangement, SWV ↔ samenwerkingsverband, …),
//! kept as a data file in the repository and applied at query time, so changing the list
//! needs no reindex.

use std::collections::HashMap;

use super::analyzer::fold;

const SYNONYMS: &str = include_str!("../../data/synonyms.txt");

/// Groups of equivalent words or phrases, looked up by their folded form.
#[derive(Debug, Clone)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    group_of: HashMap<String, usize>,
}

impl Synonyms {
    pub fn bundled() -> Synonyms {
        Synonyms::parse(SYNONYMS)
    }

    /// One group a line, entries separated by commas; `#` starts a comment.
    pub fn parse(text: &str) -> Synonyms {
        let mut groups = Vec::new();
        let mut group_of = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let entries: Vec<String> = line.split(',').map(fold).filter(|entry| !entry.is_empty()).collect();
            if entries.len() < 2 {
                continue;
            }
            for entry in &entries {
                group_of.entry(entry.clone()).or_insert(groups.len());
            }
            groups.push(entries);
        }
        Synonyms { groups, group_of }
    }

    /// The other entries of the group `phrase` belongs to (none if it has no group).
    pub fn alternatives(&self, phrase: &str) -> impl Iterator<Item = &str> {
        let folded = fold(phrase);
        self.group_of
            .get(&folded)
            .map(|&group| self.groups[group].as_slice())
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .filter(move |entry| *entry != folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_work_both_ways_and_ignore_case_and_accents() {
        let synonyms = Synonyms::parse("# comment\noza, onderwijszorgarrangement\nswv,samenwerkingsverband\n");
        assert_eq!(synonyms.alternatives("OZA").collect::<Vec<_>>(), ["onderwijszorgarrangement"]);
        assert_eq!(synonyms.alternatives("Samenwerkingsverband").collect::<Vec<_>>(), ["swv"]);
        assert_eq!(synonyms.alternatives("onbekend").count(), 0);
    }

    #[test]
    fn bundled_list_knows_the_network_acronyms() {
        let synonyms = Synonyms::bundled();
        for acronym in ["oza", "swv", "jgz", "npo", "opp", "oogo", "eed", "vsv", "girfec", "aoj"] {
            assert!(synonyms.alternatives(acronym).count() > 0, "{acronym} has no synonyms");
        }
    }
}
