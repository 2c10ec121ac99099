//! The member directory as a search: `/leden` and `GET /api/v1/people` run the one search
//! with `kind=person` at the viewer's level, and show the people found as the viewer may see
//! them (`profiles::views_of`, which checks again that the viewer may see each one).

use std::collections::HashMap;

use actix_web::web;

use crate::profiles::{self, ProfileView, ViewerLevel};
use crate::search::{ItemKind, SearchResults};

use super::errors::RouteError;
use super::search_params::SearchParams;
use super::AppState;

/// The directory's facets, in display order.
pub const PEOPLE_FACETS: [&str; 5] = ["theme", "advice", "expertise_kind", "province", "organisation_kind"];

/// A person found, as the viewer may see them, with the passage that matched.
pub struct FoundPerson {
    pub view: ProfileView,
    /// HTML: escaped text with the matches in `<mark>`, from what the viewer may see.
    pub snippet: String,
}

/// Searches people for `level`: only the directory's facets are kept, the kind is person.
pub async fn search_people(
    state: &AppState,
    level: ViewerLevel,
    params: &SearchParams,
) -> Result<(SearchResults, Vec<FoundPerson>), RouteError> {
    let mut request = params.request.clone();
    request.filters.retain(|facet, _| PEOPLE_FACETS.contains(&facet.as_str()));
    request.filters.insert("kind".into(), vec![ItemKind::Person.as_str().into()]);
    request.audience = level.into();
    let index = state.search.clone();
    let mut results = web::block(move || index.search(&request)).await??;
    results.facets.retain(|facet, _| PEOPLE_FACETS.contains(&facet.as_str()));
    let hits = std::mem::take(&mut results.hits);
    let ranked: Vec<i32> = hits.iter().map(|hit| hit.id).collect();
    let mut snippets: HashMap<i32, String> = hits.into_iter().map(|hit| (hit.id, hit.snippet)).collect();
    let found = profiles::views_of(&state.db, level, &ranked)
        .await?
        .into_iter()
        .map(|(id, view)| FoundPerson { view, snippet: snippets.remove(&id).unwrap_or_default() })
        .collect();
    Ok((results, found))
}
