//! Facet counts and facet filters in the same single pass over the text matches.
//!
//! Facets are disjunctive: a facet with a filter is counted without its own filter (so its
//! other values stay choosable) but with every other filter. Instead of one search per
//! filtered facet, the collector sees every text match once, works out which filters the
//! item misses, and counts it for the facets where that still allows it. Only items that
//! pass every filter are counted in the total and handed to the ranking collector.
//!
//! The same pass keeps out what a search must not return, from the same values: documents
//! hidden from the searching audience (`hidden_from`), and the kinds a search finds only when
//! asked for (people), which are set aside and counted in the kind facet alone. Doing that
//! here instead of with `MustNot` clauses keeps the text query the only query, so tantivy
//! runs its fast paths on it, and a set-aside kind needs no second search to be counted.
//!
//! A segment's facet values are read once from tantivy's column into flat arrays and cached
//! for as long as the segment lives (segments never change), so counting reads plain memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex};

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
    HiddenFrom(String),
    Unknown,
}

/// The facet values of every document of one segment.
struct SegmentFacets {
    values: Vec<OrdinalValue>,
    /// Document `d`'s ordinals are `ordinals[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    ordinals: Vec<u32>,
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
                [name, value] if *name == HIDDEN_FROM => OrdinalValue::HiddenFrom(value.to_string()),
                [name, value] => match FACETS.iter().position(|facet| facet == name) {
                    Some(index) => OrdinalValue::Facet(index, value.to_string()),
                    None => OrdinalValue::Unknown,
                },
                _ => OrdinalValue::Unknown,
            });
        }
        let mut starts = Vec::with_capacity(segment.max_doc() as usize + 1);
        let mut ordinals = Vec::new();
        starts.push(0);
        for doc in 0..segment.max_doc() {
            ordinals.extend(reader.facet_ords(doc).map(|ordinal| ordinal as u32));
            starts.push(ordinals.len() as u32);
        }
        Ok(SegmentFacets { values, starts, ordinals })
    }

    /// Where document `doc`'s ordinals are in `ordinals`.
    fn range(&self, doc: DocId) -> Range<usize> {
        self.starts[doc as usize] as usize..self.starts[doc as usize + 1] as usize
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

/// What one ordinal means for a search: its facet, whether a filter accepts it, and whether
/// it keeps its document out of the results.
#[derive(Clone, Copy)]
struct OrdinalRole {
    facet: u8,
    accepted: bool,
    keeps_out: KeepsOut,
}

/// Ordered by precedence: a document hidden from the audience is not counted either, even
/// when it is of a kind set aside.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeepsOut {
    No,
    /// Not found, counted in the kind facet only.
    SetAside,
    /// Not found, not counted.
    Hidden,
}

impl OrdinalRole {
    fn of(value: &OrdinalValue, filters: &Filters, exclusions: Exclusions) -> OrdinalRole {
        let ignored = OrdinalRole { facet: NO_FACET, accepted: false, keeps_out: KeepsOut::No };
        match value {
            OrdinalValue::Facet(facet, value) => {
                let set_aside =
                    FACETS[*facet] == "kind" && exclusions.set_aside.iter().any(|kind| kind.as_str() == value.as_str());
                OrdinalRole {
                    facet: *facet as u8,
                    accepted: filters.get(FACETS[*facet]).is_some_and(|accepted| accepted.contains(value)),
                    keeps_out: if set_aside { KeepsOut::SetAside } else { KeepsOut::No },
                }
            }
            OrdinalValue::HiddenFrom(audience) if audience == exclusions.audience.as_str() => {
                OrdinalRole { keeps_out: KeepsOut::Hidden, ..ignored }
            }
            OrdinalValue::HiddenFrom(_) | OrdinalValue::Unknown => ignored,
        }
    }
}

const NO_FACET: u8 = u8::MAX;

pub struct FacetedSegmentCollector<S> {
    facets: Arc<SegmentFacets>,
    roles: Vec<OrdinalRole>,
    /// Bit `f` set: facet `f` has a filter.
    filtered: u8,
    counts: Vec<u64>,
    total: usize,
    ranking: S,
}

impl<C: Collector> Collector for FacetedCollector<'_, C> {
    type Fruit = (usize, FacetCounts, C::Fruit);
    type Child = FacetedSegmentCollector<C::Child>;

    fn for_segment(&self, ordinal: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let facets = self.cache.segment(segment)?;
        let roles = facets.values.iter().map(|value| OrdinalRole::of(value, self.filters, self.exclusions)).collect();
        let filtered = FACETS
            .iter()
            .enumerate()
            .filter(|(_, name)| self.filters.contains_key(**name))
            .fold(0u8, |bits, (index, _)| bits | 1 << index);
        Ok(FacetedSegmentCollector {
            counts: vec![0; facets.values.len()],
            facets,
            roles,
            filtered,
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

    fn collect(&mut self, doc: DocId, score: Score) {
        let ordinals = self.facets.range(doc);
        let mut missed = self.filtered;
        let mut keeps_out = KeepsOut::No;
        for &ordinal in &self.facets.ordinals[ordinals.clone()] {
            let role = self.roles[ordinal as usize];
            if role.accepted {
                missed &= !(1 << role.facet);
            }
            keeps_out = keeps_out.max(role.keeps_out);
        }
        match keeps_out {
            KeepsOut::Hidden => {}
            KeepsOut::SetAside => {
                if missed == 0 {
                    self.count_set_aside(ordinals);
                }
            }
            KeepsOut::No => self.collect_found(doc, score, ordinals, missed),
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut counts = FacetCounts::new();
        for (ordinal, count) in self.counts.into_iter().enumerate().filter(|(_, count)| *count > 0) {
            if let OrdinalValue::Facet(facet, value) = &self.facets.values[ordinal] {
                *counts.entry(FACETS[*facet]).or_default().entry(value.clone()).or_default() += count;
            }
        }
        (self.total, counts, self.ranking.harvest())
    }
}

impl<S: SegmentCollector> FacetedSegmentCollector<S> {
    /// A document the search may return, which `missed` filters (bit per facet) leave out.
    fn collect_found(&mut self, doc: DocId, score: Score, ordinals: Range<usize>, missed: u8) {
        if missed == 0 {
            self.total += 1;
            self.ranking.collect(doc, score);
            for &ordinal in &self.facets.ordinals[ordinals] {
                self.counts[ordinal as usize] += 1;
            }
        } else if missed.is_power_of_two() {
            // Misses one filter only: counts for that facet, whose other values it has.
            let facet = missed.trailing_zeros() as u8;
            for &ordinal in &self.facets.ordinals[ordinals] {
                if self.roles[ordinal as usize].facet == facet {
                    self.counts[ordinal as usize] += 1;
                }
            }
        }
    }

    /// An item of a kind the search sets aside: one choice away in the kind facet.
    fn count_set_aside(&mut self, ordinals: Range<usize>) {
        for &ordinal in &self.facets.ordinals[ordinals] {
            if self.roles[ordinal as usize].keeps_out == KeepsOut::SetAside {
                self.counts[ordinal as usize] += 1;
            }
        }
    }
}
