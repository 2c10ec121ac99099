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
    /// Document `d`'s counted ordinals are `ordinals[starts[d]..starts[d + 1]]`; the
    /// audiences it is hidden from are in `marks[d]` instead.
    starts: Vec<u32>,
    ordinals: Vec<u32>,
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
        let mut starts = Vec::with_capacity(segment.max_doc() as usize + 1);
        let mut ordinals = Vec::new();
        let mut marks = Vec::with_capacity(segment.max_doc() as usize);
        starts.push(0);
        for doc in 0..segment.max_doc() {
            let mut mark = DocMark::default();
            for ordinal in reader.facet_ords(doc) {
                match &values[ordinal as usize] {
                    OrdinalValue::HiddenFrom(audience) => mark.hidden |= audience_bit(*audience),
                    OrdinalValue::Facet(index, value) => {
                        if FACETS[*index] == "kind" {
                            mark.kind |= ItemKind::parse(value).map_or(0, kind_bit);
                        }
                        ordinals.push(ordinal as u32);
                    }
                    OrdinalValue::Unknown => {}
                }
            }
            marks.push(mark);
            starts.push(ordinals.len() as u32);
        }
        Ok(SegmentFacets { values, starts, ordinals, marks })
    }

    /// Document `doc`'s counted ordinals.
    fn ordinals(&self, doc: DocId) -> &[u32] {
        &self.ordinals[self.starts[doc as usize] as usize..self.starts[doc as usize + 1] as usize]
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

/// What one ordinal means for a search with filters: its facet, and whether a filter
/// accepts it.
#[derive(Clone, Copy)]
struct OrdinalRole {
    facet: u8,
    accepted: bool,
}

impl OrdinalRole {
    fn of(value: &OrdinalValue, filters: &Filters) -> OrdinalRole {
        match value {
            OrdinalValue::Facet(facet, value) => OrdinalRole {
                facet: *facet as u8,
                accepted: filters.get(FACETS[*facet]).is_some_and(|accepted| accepted.contains(value)),
            },
            OrdinalValue::HiddenFrom(_) | OrdinalValue::Unknown => OrdinalRole { facet: NO_FACET, accepted: false },
        }
    }
}

const NO_FACET: u8 = u8::MAX;

pub struct FacetedSegmentCollector<S> {
    facets: Arc<SegmentFacets>,
    roles: Vec<OrdinalRole>,
    /// Bit `f` set: facet `f` has a filter.
    filtered: u8,
    /// The searching audience's bit in `DocMark::hidden`.
    hidden_from: u8,
    /// The kinds set aside, as bits of `DocMark::kind`.
    set_aside: u8,
    counts: Vec<u64>,
    /// Items of a kind set aside that pass every filter, per `ItemKind::ALL` index.
    set_aside_counts: [u64; ItemKind::ALL.len()],
    total: usize,
    ranking: S,
}

impl<C: Collector> Collector for FacetedCollector<'_, C> {
    type Fruit = (usize, FacetCounts, C::Fruit);
    type Child = FacetedSegmentCollector<C::Child>;

    fn for_segment(&self, ordinal: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let facets = self.cache.segment(segment)?;
        let roles = facets.values.iter().map(|value| OrdinalRole::of(value, self.filters)).collect();
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
            hidden_from: audience_bit(self.exclusions.audience),
            set_aside: self.exclusions.set_aside.iter().fold(0, |bits, kind| bits | kind_bit(*kind)),
            set_aside_counts: [0; ItemKind::ALL.len()],
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

    // Runs for every match of every search: hence the plain loops, and the two bytes of
    // `DocMark` deciding what is kept out before any ordinal is read.
    fn collect(&mut self, doc: DocId, score: Score) {
        let mark = self.facets.marks[doc as usize];
        if mark.hidden & self.hidden_from != 0 {
            return;
        }
        let ordinals = self.facets.ordinals(doc);
        let missed = missed_filters(self.filtered, &self.roles, ordinals);
        if mark.kind & self.set_aside != 0 {
            // One choice away in the kind facet, and nowhere else.
            if missed == 0 {
                self.set_aside_counts[mark.kind.trailing_zeros() as usize] += 1;
            }
        } else if missed == 0 {
            self.total += 1;
            self.ranking.collect(doc, score);
            for &ordinal in ordinals {
                self.counts[ordinal as usize] += 1;
            }
        } else if missed.is_power_of_two() {
            // Misses one filter only: counts for that facet, whose other values it has.
            let facet = missed.trailing_zeros() as u8;
            for &ordinal in ordinals {
                if self.roles[ordinal as usize].facet == facet {
                    self.counts[ordinal as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut counts = FacetCounts::new();
        for (ordinal, count) in self.counts.into_iter().enumerate().filter(|(_, count)| *count > 0) {
            if let OrdinalValue::Facet(facet, value) = &self.facets.values[ordinal] {
                *counts.entry(FACETS[*facet]).or_default().entry(value.clone()).or_default() += count;
            }
        }
        for (kind, count) in ItemKind::ALL.iter().zip(self.set_aside_counts).filter(|(_, count)| *count > 0) {
            *counts.entry("kind").or_default().entry(kind.as_str().to_string()).or_default() += count;
        }
        (self.total, counts, self.ranking.harvest())
    }
}

/// The `filtered` facets (bit per facet) whose filters a document with `ordinals` does not
/// pass.
fn missed_filters(filtered: u8, roles: &[OrdinalRole], ordinals: &[u32]) -> u8 {
    if filtered == 0 {
        return 0;
    }
    let mut missed = filtered;
    for &ordinal in ordinals {
        let role = roles[ordinal as usize];
        if role.accepted {
            missed &= !(1 << role.facet);
        }
    }
    missed
}
