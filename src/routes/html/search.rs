//! The search page: results, facets with counts, sorting and pages.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::page;
use crate::pagination::PageLinks;
use crate::profiles::{ExpertiseKind, ViewerLevel};
use crate::routes::auth::Viewer;
use crate::routes::errors::PageError;
use crate::routes::headers::vary_by_viewer;
use crate::routes::search_params::SearchParams;
use crate::routes::AppState;
use crate::search::{Hit, ItemKind, SearchResults, Sort, FACETS};
use crate::taxonomy::{AgeGroup, OrganisationKind, Taxonomy};
use crate::vocabulary::Vocabulary;

const PER_PAGE: u64 = 10;

#[derive(Serialize)]
pub(super) struct FacetView {
    name: &'static str,
    label: &'static str,
    values: Vec<FacetValueView>,
}

#[derive(Serialize)]
struct FacetValueView {
    value: String,
    label: String,
    count: u64,
    selected: bool,
}

/// A chosen filter value, shown above the results with a link that removes it.
#[derive(Serialize)]
pub(super) struct ActiveFilter {
    label: String,
    remove_url: String,
}

#[derive(Serialize)]
struct HitView {
    kind_label: &'static str,
    /// A person's dates are not part of what anyone may see of them.
    show_date: bool,
    theme_names: Vec<String>,
    #[serde(flatten)]
    hit: Hit,
}

fn facet_label(facet: &str) -> &'static str {
    match facet {
        "kind" => "Soort",
        "province" => "Provincie",
        "organisation_kind" => "Soort organisatie",
        "theme" => "Thema",
        "advice" => "Advies Met andere ogen",
        "age" => "Leeftijd",
        "expertise_kind" => "Soort expertise",
        _ => "Overig",
    }
}

fn kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Practice => "Praktijk",
        ItemKind::Document => "Document",
        ItemKind::News => "Nieuws",
        ItemKind::Event => "Bijeenkomst",
        ItemKind::Person => "Lid van het netwerk",
        ItemKind::Question => "Eerder gesteld",
    }
}

fn value_label(taxonomy: &Taxonomy, facet: &str, value: &str) -> String {
    match facet {
        "kind" => ItemKind::parse(value).map(kind_label).unwrap_or(value).to_string(),
        "organisation_kind" => OrganisationKind::label_of(value),
        "theme" => taxonomy.theme_name(value),
        "advice" => taxonomy.advice_name(value),
        "age" => AgeGroup::label_of(value),
        "expertise_kind" => ExpertiseKind::label_of(value),
        _ => value.to_string(),
    }
}

/// What the page says when the query as typed found nothing and a wider reading did.
fn widened_notice(q: &str, added_words: &[String]) -> String {
    if added_words.is_empty() {
        format!("Geen resultaten met al de woorden van ‘{q}’; wel met een deel ervan.")
    } else {
        format!("Geen resultaten voor ‘{q}’; wel voor ‘{}’.", added_words.join(" "))
    }
}

/// The facets `names` of the results with their counts, the chosen values checked (also a
/// chosen value no result has any more, with count 0).
pub(super) fn facet_views(
    results: &SearchResults,
    params: &SearchParams,
    names: &[&'static str],
    taxonomy: &Taxonomy,
) -> Vec<FacetView> {
    names
        .iter()
        .map(|&name| {
            let selected = params.request.filters.get(name).cloned().unwrap_or_default();
            let mut values: Vec<FacetValueView> = results
                .facets
                .get(name)
                .into_iter()
                .flatten()
                .map(|(value, count)| FacetValueView {
                    label: value_label(taxonomy, name, value),
                    selected: selected.contains(value),
                    value: value.clone(),
                    count: *count,
                })
                .collect();
            let missing: Vec<&String> =
                selected.iter().filter(|value| !values.iter().any(|shown| &shown.value == *value)).collect();
            for value in missing {
                values.push(FacetValueView {
                    label: value_label(taxonomy, name, value),
                    value: value.clone(),
                    count: 0,
                    selected: true,
                });
            }
            FacetView { name, label: facet_label(name), values }
        })
        .collect()
}

/// The chosen filter values, each with the link of the search at `path` without it.
pub(super) fn active_filters(facets: &[FacetView], params: &SearchParams, path: &str) -> Vec<ActiveFilter> {
    facets
        .iter()
        .flat_map(|facet| {
            facet.values.iter().filter(|value| value.selected).map(|value| ActiveFilter {
                label: format!("{}: {}", facet.label, value.label),
                remove_url: params.link_without(path, facet.name, &value.value),
            })
        })
        .collect()
}

#[get("/zoeken")]
pub async fn search(
    viewer: Viewer,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let mut params = SearchParams::parse(request.query_string(), PER_PAGE)?;
    params.request.audience = ViewerLevel::of(viewer.0.as_ref()).into();
    let index = state.search.clone();
    let search_request = params.request.clone();
    let results = web::block(move || index.search(&search_request)).await??;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let filters = &params.request.filters;
    let facets = facet_views(&results, &params, &FACETS, &taxonomy);
    let active_filters = active_filters(&facets, &params, "/zoeken");
    let hits: Vec<HitView> = results
        .hits
        .into_iter()
        .map(|hit| HitView {
            kind_label: kind_label(hit.kind),
            show_date: hit.kind != ItemKind::Person,
            theme_names: hit.themes.iter().map(|slug| taxonomy.theme_name(slug)).collect(),
            hit,
        })
        .collect();
    let q = &params.request.text;
    // A widened search's results are not "for" the query as typed; the notice says what they are.
    let total_label = match (results.total, q.is_empty() || results.widened.is_some()) {
        (1, true) => "1 resultaat".to_string(),
        (n, true) => format!("{n} resultaten"),
        (1, false) => format!("1 resultaat voor ‘{q}’"),
        (n, false) => format!("{n} resultaten voor ‘{q}’"),
    };
    let widened_notice = results.widened.as_ref().map(|widened| widened_notice(q, &widened.added_words));
    let shown_total = results.total.min(crate::search::MAX_RESULT_WINDOW) as u64;
    let pages = PageLinks::new(params.page.page, params.page.per_page, shown_total, |page| {
        params.link_to_page("/zoeken", page)
    });
    let page_title = if q.is_empty() { "Zoeken".to_string() } else { format!("Zoeken naar {q}") };
    let mut response = page(
        "search",
        &viewer,
        serde_json::json!({
            "page_title": page_title,
            "q": q,
            "sort": match params.request.sort { Sort::Relevance => "relevance", Sort::Date => "date" },
            "has_filters": !filters.is_empty(),
            "active_filters": active_filters,
            "clear_filters_url": params.link_without_filters("/zoeken"),
            "facets": facets,
            "hits": hits,
            "total_label": total_label,
            "widened_notice": widened_notice,
            "pages": pages,
        }),
    )?;
    vary_by_viewer(&mut response);
    Ok(response)
}
