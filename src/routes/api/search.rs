//! `GET /api/v1/search`

use std::collections::BTreeMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::profiles::ViewerLevel;
use crate::routes::auth::ApiViewer;
use crate::routes::errors::ApiError;
use crate::routes::headers::vary_by_viewer;
use crate::routes::search_params::SearchParams;
use crate::routes::AppState;
use crate::search::{Hit, ItemKind, Widened};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub page: u64,
    pub per_page: u64,
    pub took_ms: u64,
    pub hits: Vec<ApiHit>,
    /// Facet name → value → number of matching items.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// Present when the query as typed found nothing and the results are of a wider
    /// reading: any single word is enough, and compound parts and acronym expansions count.
    pub widened: Option<Widened>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiHit {
    /// practice, document, news, event or person
    pub kind: String,
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub url: String,
    /// HTML: escaped text with the matching words in `<mark>`.
    pub snippet: String,
    pub score: f32,
    pub organisation: Option<String>,
    /// The province facet's value (for an event: its organiser's).
    pub province: Option<String>,
    /// Where it is: the province, or for an event its venue.
    pub place: Option<String>,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// When it was published, or for an event when it starts; none for a person.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Hit> for ApiHit {
    fn from(hit: Hit) -> ApiHit {
        ApiHit {
            kind: hit.kind.as_str().to_string(),
            id: hit.id,
            slug: hit.slug,
            title: hit.title,
            url: hit.url,
            snippet: hit.snippet,
            score: hit.score,
            organisation: hit.organisation,
            province: hit.province,
            place: hit.place,
            themes: hit.themes,
            date: (hit.kind != ItemKind::Person).then_some(hit.date),
        }
    }
}

/// Full-text search over practices, documents, news, events and people, with facets. What
/// is found, counted and shown depends on who asks: people only through the fields you may
/// see of them (signed in you see more, the programme office everything).
#[utoipa::path(
    get,
    path = "/api/v1/search",
    params(
        ("q" = Option<String>, Query, description = "Search text: words (more matches rank higher), \"phrases\", -excluded"),
        ("kind" = Option<Vec<String>>, Query, description = "practice, document, news, event, person or question; repeat for OR"),
        ("province" = Option<Vec<String>>, Query, description = "Province name; repeat for OR"),
        ("organisation_kind" = Option<Vec<String>>, Query, description = "Organisation kind slug; repeat for OR"),
        ("theme" = Option<Vec<String>>, Query, description = "Theme slug; repeat for OR"),
        ("advice" = Option<Vec<String>>, Query, description = "Advice slug; repeat for OR"),
        ("age" = Option<Vec<String>>, Query, description = "Age group: 0-4, 4-12, 12-18, 18+"),
        ("expertise_kind" = Option<Vec<String>>, Query, description = "A person's kind of expertise: praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere"),
        ("sort" = Option<crate::search::Sort>, Query, description = "relevance (default with text) or date (default without)"),
        crate::pagination::PageParams,
    ),
    responses(
        (status = 200, description = "Search results", body = SearchResponse),
        (status = 400, description = "Invalid parameter", body = crate::routes::errors::ErrorBody),
        (status = 401, description = "Invalid token", body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/search")]
pub async fn search(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: ApiViewer,
) -> Result<HttpResponse, ApiError> {
    let mut params = SearchParams::parse(request.query_string(), crate::pagination::DEFAULT_PER_PAGE)?;
    params.request.audience = ViewerLevel::of(viewer.0.as_ref()).into();
    let index = state.search.clone();
    let search_request = params.request.clone();
    let results = web::block(move || index.search(&search_request)).await??;
    let mut response = HttpResponse::Ok().json(SearchResponse {
        query: params.request.text,
        total: results.total,
        page: params.page.page,
        per_page: params.page.per_page,
        took_ms: results.took_ms,
        hits: results.hits.into_iter().map(ApiHit::from).collect(),
        facets: results.facets.into_iter().map(|(facet, values)| (facet, values.into_iter().collect())).collect(),
        widened: results.widened,
    });
    vary_by_viewer(&mut response);
    Ok(response)
}
