//! Facet counts and facet filters in the same single pass over the text matches.
//!
//! Facets are disjunctive: a facet with a filter is counted without its own filter (so its
//! other values stay choosable) but with every other filter. Instead of one search per
//! filtered facet, the collector sees every text match once and notes it in a bit set;
//! counting is then bit set arithmetic: for each facet value, the matches that have the
//! value and pass the other facets' filters. Only items that pass every filter are counted
//! in the total and handed to the ranking collector.
//!
//! The same pass keeps out what a search must not return, from the same values: documents
//! hidden from the searching audience (`hidden_from`), and the kinds a search finds only when
//! asked for (people), which are set aside and counted in the kind facet alone. Doing that
//! here instead of with `MustNot` clauses keeps the text query the only query, so tantivy
//! runs its fast paths on it, and a set-aside kind needs no second search to be counted.
//!
//! A segment's facet values are read once from tantivy's column into one bit set per value
//! and cached for as long as the segment lives (segments never change). A match then costs
//! a byte and a bit or two, and the counts a few thousand word operations per value,
//! whatever the number of matches.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use fixedbitset::FixedBitSet;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::schema::{Audience, ItemKind, FACETS, HIDDEN_FROM};

/// Facet name → accepted values: AND across facets, OR within one.
pub type Filters = BTreeMap<String, Vec<String>>;

/// Facet name → value → count.
pub type FacetCounts = BTreeMap<&'static str, HashMap<String, u64>>;

/// Who searches for what, as far as the collector keeps things out.
#[derive(Debug, Clone, Copy)]
pub struct Exclusions {
    /// Documents hidden from this audience are not found.
    pub audience: Audience,
    /// Items of these kinds are not found but counted in the kind facet (people, unless
    /// the search names a kind).
    pub set_aside: &'static [ItemKind],
}

/// What a facet ordinal of a segment stands for.
enum OrdinalValue {
    /// A value of the facet `FACETS[index]`.
    Facet(usize, String),
    /// The document is hidden from this audience.
    HiddenFrom(Audience),
    Unknown,
}

/// What keeps a document out of a search, read once per document: the audiences it is
/// hidden from and its kind, each as one bit.
#[derive(Clone, Copy, Default)]
struct DocMark {
    hidden: u8,
    kind: u8,
}

/// The facet values of every document of one segment.
struct SegmentFacets {
    values: Vec<OrdinalValue>,
    /// Per ordinal, the documents with that value (empty for what is not a facet value).
    docs_with: Vec<FixedBitSet>,
    /// Per document, what may keep it out of a search.
    marks: Vec<DocMark>,
}

fn audience_bit(audience: Audience) -> u8 {
    1 << Audience::ALL.iter().position(|known| *known == audience).unwrap_or(0)
}

fn kind_bit(kind: ItemKind) -> u8 {
    1 << ItemKind::ALL.iter().position(|known| *known == kind).unwrap_or(0)
}

impl SegmentFacets {
    fn read(segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let reader = segment.facet_reader("facets")?;
        let mut facet = Facet::root();
        let mut values = Vec::with_capacity(reader.num_facets());
        for ordinal in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ordinal, &mut facet)?;
            let path = facet.to_path();
            values.push(match path.as_slice() {
                [name, value] if *name == HIDDEN_FROM => {
                    match Audience::ALL.into_iter().find(|audience| audience.as_str() == *value) {
                        Some(audience) => OrdinalValue::HiddenFrom(audience),
                        None => OrdinalValue::Unknown,
                    }
                }
                [name, value] => match FACETS.iter().position(|facet| facet == name) {
                    Some(index) => OrdinalValue::Facet(index, value.to_string()),
                    None => OrdinalValue::Unknown,
                },
                _ => OrdinalValue::Unknown,
            });
        }
        let max_doc = segment.max_doc() as usize;
        let mut docs_with: Vec<FixedBitSet> = values
            .iter()
            .map(|value| match value {
                OrdinalValue::Facet(..) => FixedBitSet::with_capacity(max_doc),
                _ => FixedBitSet::new(),
            })
            .collect();
        let mut marks = vec![DocMark::default(); max_doc];
        for (doc, mark) in marks.iter_mut().enumerate() {
            for ordinal in reader.facet_ords(doc as DocId) {
                match &values[ordinal as usize] {
                    OrdinalValue::HiddenFrom(audience) => mark.hidden |= audience_bit(*audience),
                    OrdinalValue::Facet(index, value) => {
                        if FACETS[*index] == "kind" {
                            mark.kind |= ItemKind::parse(value).map_or(0, kind_bit);
                        }
                        docs_with[ordinal as usize].insert(doc);
                    }
                    OrdinalValue::Unknown => {}
                }
            }
        }
        Ok(SegmentFacets { values, docs_with, marks })
    }
}

/// The facet arrays of the live segments, built on first use.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetCache {
    fn segment(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = segment.segment_id();
        if let Some(found) = self.segments.lock().map_err(|_| poisoned())?.get(&id) {
            return Ok(Arc::clone(found));
        }
        let read = Arc::new(SegmentFacets::read(segment)?);
        self.segments.lock().map_err(|_| poisoned())?.insert(id, Arc::clone(&read));
        Ok(read)
    }

    /// Forgets segments that `searcher` no longer has (merged away or deleted).
    pub fn retain_live(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        if let Ok(mut segments) = self.segments.lock() {
            segments.retain(|id, _| live.contains(id));
        }
    }
}

fn poisoned() -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError("facet cache poisoned by an earlier panic".into())
}

/// Counts the total and the facets of the items passing `filters` and not excluded, and
/// hands those items to `ranking`.
pub struct FacetedCollector<'a, C> {
    pub cache: &'a FacetCache,
    pub filters: &'a Filters,
    pub exclusions: Exclusions,
    pub ranking: C,
}

/// The documents of a segment that pass one facet's filter.
struct Accepted {
    facet: usize,
    docs: FixedBitSet,
}

pub struct FacetedSegmentCollector<S> {
    facets: Arc<SegmentFacets>,
    /// One per filtered facet.
    accepted: Vec<Accepted>,
    /// The searching audience's bit in `DocMark::hidden`.
    hidden_from: u8,
    /// The kinds set aside, as bits of `DocMark::kind`.
    set_aside: u8,
    /// Matches the search may return, whether or not they pass the filters.
    found: FixedBitSet,
    /// Matches of a kind set aside.
    found_aside: FixedBitSet,
    total: usize,
    ranking: S,
}

impl<C: Collector> Collector for FacetedCollector<'_, C> {
    type Fruit = (usize, FacetCounts, C::Fruit);
    type Child = FacetedSegmentCollector<C::Child>;

    fn for_segment(&self, ordinal: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let facets = self.cache.segment(segment)?;
        let max_doc = segment.max_doc() as usize;
        let accepted = FACETS
            .iter()
            .enumerate()
            .filter_map(|(facet, name)| self.filters.get(*name).map(|values| (facet, values)))
            .map(|(facet, accepted_values)| {
                let mut docs = FixedBitSet::with_capacity(max_doc);
                for (value, docs_with) in facets.values.iter().zip(&facets.docs_with) {
                    if matches!(value, OrdinalValue::Facet(of, value) if *of == facet && accepted_values.contains(value)) {
                        docs.union_with(docs_with);
                    }
                }
                Accepted { facet, docs }
            })
            .collect();
        Ok(FacetedSegmentCollector {
            facets,
            accepted,
            hidden_from: audience_bit(self.exclusions.audience),
            set_aside: self.exclusions.set_aside.iter().fold(0, |bits, kind| bits | kind_bit(*kind)),
            found: FixedBitSet::with_capacity(max_doc),
            found_aside: FixedBitSet::with_capacity(max_doc),
            total: 0,
            ranking: self.ranking.for_segment(ordinal, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.ranking.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(usize, FacetCounts, <C::Child as SegmentCollector>::Fruit)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut total = 0;
        let mut counts = FacetCounts::new();
        let mut rankings = Vec::with_capacity(fruits.len());
        for (segment_total, segment_counts, ranking) in fruits {
            total += segment_total;
            for (facet, values) in segment_counts {
                let merged = counts.entry(facet).or_default();
                for (value, count) in values {
                    *merged.entry(value).or_default() += count;
                }
            }
            rankings.push(ranking);
        }
        Ok((total, counts, self.ranking.merge_fruits(rankings)?))
    }
}

impl<S: SegmentCollector> SegmentCollector for FacetedSegmentCollector<S> {
    type Fruit = (usize, FacetCounts, S::Fruit);

    // Runs for every match of every search: one byte decides what is kept out, a bit per
    // filter what is ranked; the counting waits for `harvest`.
    fn collect(&mut self, doc: DocId, score: Score) {
        let mark = self.facets.marks[doc as usize];
        if mark.hidden & self.hidden_from != 0 {
            return;
        }
        if mark.kind & self.set_aside != 0 {
            self.found_aside.insert(doc as usize);
            return;
        }
        self.found.insert(doc as usize);
        if self.accepted.iter().all(|accepted| accepted.docs.contains(doc as usize)) {
            self.total += 1;
            self.ranking.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut counts = FacetCounts::new();
        // Per filtered facet, the matches passing every other filter; `None` for the rest.
        let passing_others: Vec<Option<FixedBitSet>> = (0..FACETS.len())
            .map(|facet| {
                self.accepted
                    .iter()
                    .any(|accepted| accepted.facet == facet)
                    .then(|| self.passing(&self.found, Some(facet)))
            })
            .collect();
        let passing_all = self.passing(&self.found, None);
        let aside_passing_all = self.passing(&self.found_aside, None);
        for (value, docs_with) in self.facets.values.iter().zip(&self.facets.docs_with) {
            let OrdinalValue::Facet(facet, name) = value else { continue };
            let counted = passing_others[*facet].as_ref().unwrap_or(&passing_all);
            let mut count = counted.intersection_count(docs_with);
            if FACETS[*facet] == "kind" {
                // A kind set aside is one choice away, and counted there alone.
                count += aside_passing_all.intersection_count(docs_with);
            }
            if count > 0 {
                *counts.entry(FACETS[*facet]).or_default().entry(name.clone()).or_default() += count as u64;
            }
        }
        (self.total, counts, self.ranking.harvest())
    }
}

impl<S> FacetedSegmentCollector<S> {
    /// The documents of `matches` that pass every filter but that of `except`.
    fn passing(&self, matches: &FixedBitSet, except: Option<usize>) -> FixedBitSet {
        let mut passing = matches.clone();
        for accepted in self.accepted.iter().filter(|accepted| Some(accepted.facet) != except) {
            passing.intersect_with(&accepted.docs);
        }
        passing
    }
}
