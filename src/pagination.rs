//! Pages of lists: what a client asks for, and what it gets back.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;
/// The last page anyone may ask for. Bounded so that the offset (`page * per_page`) stays far
/// below `i64::MAX`, which the database drivers bind offsets as; no list here comes near it.
pub const MAX_PAGE: u64 = 1_000_000;

/// A validated page request: `page` counts from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

/// The page parameters as they arrive in a query string. They are read as text so that a
/// wrong value gets the explaining message of [`PageError`]; the OpenAPI document describes
/// them as the integers they must be (the bounds are `MAX_PAGE` and `MAX_PER_PAGE`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Items per page, 1 to 100.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("'page' moet een geheel getal van 1 tot en met {MAX_PAGE} zijn")]
    Page,
    #[error("'per_page' moet een geheel getal van 1 tot en met {MAX_PER_PAGE} zijn")]
    PerPage,
}

impl PageRequest {
    pub fn parse(params: &PageParams, default_per_page: u64) -> Result<PageRequest, PageError> {
        let page = match non_empty(&params.page) {
            None => 1,
            Some(text) => {
                text.parse::<u64>().ok().filter(|page| (1..=MAX_PAGE).contains(page)).ok_or(PageError::Page)?
            }
        };
        let per_page = match non_empty(&params.per_page) {
            None => default_per_page,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|per_page| (1..=MAX_PER_PAGE).contains(per_page))
                .ok_or(PageError::PerPage)?,
        };
        Ok(PageRequest { page, per_page })
    }

    /// Zero-based page index, as sea-orm's paginator counts.
    pub fn index(self) -> u64 {
        self.page - 1
    }

    pub fn offset(self) -> u64 {
        self.index().saturating_mul(self.per_page)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

/// A page of items with what a client needs to ask for the others.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: u64, request: PageRequest) -> Page<T> {
        Page { items, total, page: request.page, per_page: request.per_page }
    }
}

/// Links to earlier and later pages, for HTML lists.
#[derive(Debug, Clone, Serialize)]
pub struct PageLinks {
    pub current: u64,
    pub last: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl PageLinks {
    /// `link(page)` builds the URL of a page.
    pub fn new(page: u64, per_page: u64, total: u64, link: impl Fn(u64) -> String) -> Option<PageLinks> {
        let last = total.div_ceil(per_page.max(1)).max(1);
        (last > 1).then(|| PageLinks {
            current: page,
            last,
            previous: (page > 1).then(|| link(page.min(last + 1) - 1)),
            next: (page < last).then(|| link(page + 1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: &str, per_page: &str) -> PageParams {
        PageParams { page: Some(page.into()), per_page: Some(per_page.into()) }
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(PageRequest::parse(&PageParams::default(), 20), Ok(PageRequest { page: 1, per_page: 20 }));
        assert_eq!(PageRequest::parse(&params("3", "10"), 20), Ok(PageRequest { page: 3, per_page: 10 }));
        assert_eq!(PageRequest::parse(&params("0", "10"), 20), Err(PageError::Page));
        assert_eq!(PageRequest::parse(&params("x", "10"), 20), Err(PageError::Page));
        assert_eq!(PageRequest::parse(&params("1", "0"), 20), Err(PageError::PerPage));
        assert_eq!(PageRequest::parse(&params("1", "1000"), 20), Err(PageError::PerPage));
        let last = PageRequest::parse(&params(&MAX_PAGE.to_string(), "100"), 20).unwrap();
        assert_eq!(last.offset(), (MAX_PAGE - 1) * MAX_PER_PAGE);
        for beyond in ["1000001", "9223372036854775807", "99999999999999999999"] {
            assert_eq!(PageRequest::parse(&params(beyond, "10"), 20), Err(PageError::Page), "{beyond}");
        }
    }

    #[test]
    fn page_links() {
        let links = PageLinks::new(2, 10, 35, |page| format!("?page={page}")).unwrap();
        assert_eq!(links.last, 4);
        assert_eq!(links.previous.as_deref(), Some("?page=1"));
        assert_eq!(links.next.as_deref(), Some("?page=3"));
        assert!(PageLinks::new(1, 10, 5, |page| page.to_string()).is_none());
    }
}
