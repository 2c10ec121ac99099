//! The search query string, shared by the search page and the API:
//! `q`, `sort`, `page`, `per_page` and any number of values per facet
//! (`theme=a&theme=b`: OR within a facet, AND across facets).

use std::collections::BTreeMap;

use crate::pagination::{PageParams, PageRequest};
use crate::search::{Audience, SearchRequest, Sort, FACETS};

use super::errors::RouteError;

#[derive(Debug, Clone)]
pub struct SearchParams {
    pub request: SearchRequest,
    pub page: PageRequest,
    /// The parameters as given (minus paging), to build links to other pages.
    pub pairs: Vec<(String, String)>,
}

impl SearchParams {
    pub fn parse(query_string: &str, default_per_page: u64) -> Result<SearchParams, RouteError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query_string)
            .map_err(|_| RouteError::BadRequest("De zoekopdracht in de URL is niet leesbaar.".into()))?;
        let mut text = String::new();
        let mut sort = None;
        let mut page = PageParams::default();
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in &pairs {
            match key.as_str() {
                "q" => text = value.trim().to_string(),
                "sort" => sort = Some(value.as_str()),
                "page" => page.page = Some(value.clone()),
                "per_page" => page.per_page = Some(value.clone()),
                facet if FACETS.contains(&facet) && !value.trim().is_empty() => {
                    let values = filters.entry(facet.to_string()).or_default();
                    if !values.contains(value) {
                        values.push(value.clone());
                    }
                }
                _ => {}
            }
        }
        let sort = match sort.map(str::trim) {
            None | Some("") => {
                if text.is_empty() {
                    Sort::Date
                } else {
                    Sort::Relevance
                }
            }
            Some("relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some(other) => {
                return Err(RouteError::BadRequest(format!(
                    "Onbekende sortering '{other}': kies 'relevance' of 'date'."
                )))
            }
        };
        let page = PageRequest::parse(&page, default_per_page)?;
        Ok(SearchParams {
            request: SearchRequest {
                text,
                filters,
                sort,
                offset: usize::try_from(page.offset()).unwrap_or(usize::MAX),
                limit: page.per_page as usize,
                // A visitor's, until the handler says who asks.
                audience: Audience::Public,
            },
            page,
            pairs: pairs.into_iter().filter(|(key, _)| key != "page").collect(),
        })
    }

    /// The URL of another page of the same search.
    pub fn link_to_page(&self, path: &str, page: u64) -> String {
        let page = page.to_string();
        let mut pairs = self.kept(|_, _| true);
        pairs.push(("page", &page));
        link(path, &pairs)
    }

    /// The URL of the same search without one filter value (a removable chip), first page.
    pub fn link_without(&self, path: &str, facet: &str, value: &str) -> String {
        link(path, &self.kept(|key, given| !(key == facet && given == value)))
    }

    /// The URL of the same search text and sorting without any filter.
    pub fn link_without_filters(&self, path: &str) -> String {
        link(path, &self.kept(|key, _| !FACETS.contains(&key)))
    }

    fn kept(&self, keep: impl Fn(&str, &str) -> bool) -> Vec<(&str, &str)> {
        self.pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .filter(|(key, value)| keep(key, value))
            .collect()
    }
}

fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    format!("{path}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_collect_per_facet() {
        let params = SearchParams::parse("q=zorg&theme=a&theme=b&province=Utrecht&onbekend=x", 20).unwrap();
        assert_eq!(params.request.text, "zorg");
        assert_eq!(params.request.filters["theme"], ["a", "b"]);
        assert_eq!(params.request.filters["province"], ["Utrecht"]);
        assert_eq!(params.request.sort, Sort::Relevance);
    }

    #[test]
    fn empty_query_sorts_by_date_and_bad_values_are_explained() {
        assert_eq!(SearchParams::parse("", 20).unwrap().request.sort, Sort::Date);
        assert!(matches!(SearchParams::parse("sort=x", 20), Err(RouteError::BadRequest(_))));
        assert!(matches!(SearchParams::parse("per_page=0", 20), Err(RouteError::BadRequest(_))));
        for huge in ["page=99999999999999999999", "page=9223372036854775807", "page=1000001"] {
            assert!(matches!(SearchParams::parse(huge, 20), Err(RouteError::BadRequest(_))), "{huge}");
        }
        let deep = SearchParams::parse("page=1000000&per_page=100", 20).unwrap();
        assert!(deep.request.offset > 1_000_000);
    }

    #[test]
    fn page_links_keep_the_search() {
        let params = SearchParams::parse("q=warme+overdracht&theme=a&page=2", 20).unwrap();
        assert_eq!(params.link_to_page("/zoeken", 3), "/zoeken?q=warme+overdracht&theme=a&page=3");
    }

    #[test]
    fn chips_and_clearing_keep_the_rest_encoded() {
        let params = SearchParams::parse("q=OZA+%26+SWV&theme=a&theme=b&province=Utrecht&page=2", 10).unwrap();
        assert_eq!(params.link_without("/zoeken", "theme", "a"), "/zoeken?q=OZA+%26+SWV&theme=b&province=Utrecht");
        assert_eq!(params.link_without_filters("/zoeken"), "/zoeken?q=OZA+%26+SWV");
    }
}
