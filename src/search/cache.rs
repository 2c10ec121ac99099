//! Recently computed search results, as Solr's query result cache keeps them.
//!
//! Search traffic repeats itself: the same popular words, a facet clicked and clicked off, the
//! next page and back. A search costs milliseconds of CPU (every text match is counted into
//! the facets), a cached answer microseconds. An entry is keyed by the request as the index
//! understands it and by the visibility epoch (see `schedule`), which moves on with every
//! commit, so a cached answer is never older than what the index shows: nothing needs to be
//! invalidated, stale entries just stop being asked for and make way.

use std::collections::BTreeMap;
use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::Weighter;

use super::index::{SearchRequest, SearchResults, Sort};
use super::schema::Audience;

/// A typical page of results with its facets weighs about this much.
const TYPICAL_ENTRY_BYTES: u64 = 24 * 1024;

pub struct ResultCache {
    entries: Option<Cache<Key, Entry, ByBytes>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    epoch: u64,
    text: String,
    filters: Vec<(String, Vec<String>)>,
    sort: Sort,
    offset: usize,
    limit: usize,
    audience: Audience,
}

/// The results and their weight, computed once when stored.
#[derive(Clone)]
struct Entry {
    bytes: u64,
    results: Arc<SearchResults>,
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<Key, Entry> for ByBytes {
    fn weight(&self, _key: &Key, entry: &Entry) -> u64 {
        entry.bytes
    }
}

impl ResultCache {
    /// A cache holding about `capacity_bytes` of results; 0 turns caching off.
    pub fn new(capacity_bytes: usize) -> ResultCache {
        let capacity = capacity_bytes as u64;
        let entries = (capacity > 0).then(|| {
            let estimated_items = (capacity / TYPICAL_ENTRY_BYTES).max(16) as usize;
            Cache::with_weighter(estimated_items, capacity, ByBytes)
        });
        ResultCache { entries }
    }

    /// The cached results of `request` at `epoch`, or those `compute` gives (then stored).
    pub fn get_or_compute<E>(
        &self,
        epoch: u64,
        request: &SearchRequest,
        compute: impl FnOnce() -> Result<SearchResults, E>,
    ) -> Result<Arc<SearchResults>, E> {
        let Some(entries) = &self.entries else {
            return compute().map(Arc::new);
        };
        let key = Key::of(epoch, request);
        if let Some(entry) = entries.get(&key) {
            return Ok(entry.results);
        }
        let results = Arc::new(compute()?);
        entries.insert(key, Entry { bytes: weight(&results), results: Arc::clone(&results) });
        Ok(results)
    }
}

impl Key {
    /// The request as the index reads it: the same words with other spacing, or the same
    /// filter values in another order, are the same search.
    fn of(epoch: u64, request: &SearchRequest) -> Key {
        Key {
            epoch,
            text: request.text.split_whitespace().collect::<Vec<_>>().join(" "),
            filters: normalized(&request.filters),
            sort: request.sort,
            offset: request.offset,
            limit: request.limit,
            audience: request.audience,
        }
    }
}

fn normalized(filters: &BTreeMap<String, Vec<String>>) -> Vec<(String, Vec<String>)> {
    filters
        .iter()
        .map(|(facet, values)| {
            let mut values = values.clone();
            values.sort();
            values.dedup();
            (facet.clone(), values)
        })
        .collect()
}

/// Roughly the bytes the results hold, so the capacity bounds memory rather than entries.
fn weight(results: &SearchResults) -> u64 {
    let hits: usize = results
        .hits
        .iter()
        .map(|hit| {
            std::mem::size_of_val(hit)
                + hit.slug.len()
                + hit.title.len()
                + hit.url.len()
                + hit.snippet.len()
                + hit.organisation.as_ref().map_or(0, String::len)
                + hit.organisation_slug.as_ref().map_or(0, String::len)
                + hit.province.as_ref().map_or(0, String::len)
                + hit.place.as_ref().map_or(0, String::len)
                + hit.themes.iter().map(|theme| theme.len() + 24).sum::<usize>()
        })
        .sum();
    let facets: usize =
        results.facets.values().flatten().map(|(value, _)| value.len() + std::mem::size_of::<(String, u64)>()).sum();
    (std::mem::size_of::<SearchResults>() + hits + facets) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str, themes: &[&str]) -> SearchRequest {
        let mut filters = BTreeMap::new();
        filters.insert("theme".to_string(), themes.iter().map(|theme| theme.to_string()).collect());
        SearchRequest { text: text.into(), filters, sort: Sort::Relevance, offset: 0, limit: 20, ..Default::default() }
    }

    fn results(total: usize) -> Result<SearchResults, ()> {
        Ok(SearchResults { total, ..SearchResults::default() })
    }

    #[test]
    fn the_same_search_is_computed_once_per_epoch() {
        let cache = ResultCache::new(1024 * 1024);
        let first = cache.get_or_compute(1, &request("zorg  team", &["npo", "dyslexie"]), || results(1)).unwrap();
        let again = cache.get_or_compute(1, &request(" zorg team", &["dyslexie", "npo"]), || results(2)).unwrap();
        assert_eq!((first.total, again.total), (1, 1));
        let later = cache.get_or_compute(2, &request("zorg team", &["npo", "dyslexie"]), || results(3)).unwrap();
        assert_eq!(later.total, 3);
        let other = cache.get_or_compute(2, &request("zorg", &["npo", "dyslexie"]), || results(4)).unwrap();
        assert_eq!(other.total, 4);
    }

    #[test]
    fn each_audience_has_its_own_results() {
        let cache = ResultCache::new(1024 * 1024);
        let public = request("zorg", &[]);
        let office = SearchRequest { audience: Audience::Office, ..request("zorg", &[]) };
        assert_eq!(cache.get_or_compute(1, &public, || results(1)).unwrap().total, 1);
        assert_eq!(cache.get_or_compute(1, &office, || results(2)).unwrap().total, 2);
        assert_eq!(cache.get_or_compute(1, &public, || results(3)).unwrap().total, 1);
    }

    #[test]
    fn errors_and_a_disabled_cache_store_nothing() {
        let cache = ResultCache::new(1024 * 1024);
        assert!(cache.get_or_compute(1, &request("zorg", &[]), || Err::<SearchResults, ()>(())).is_err());
        assert_eq!(cache.get_or_compute(1, &request("zorg", &[]), || results(5)).unwrap().total, 5);
        let off = ResultCache::new(0);
        assert_eq!(off.get_or_compute(1, &request("zorg", &[]), || results(6)).unwrap().total, 6);
        assert_eq!(off.get_or_compute(1, &request("zorg", &[]), || results(7)).unwrap().total, 7);
    }
}
