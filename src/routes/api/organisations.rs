//! `GET /api/v1/organisations`, `GET /api/v1/organisations/{slug}` and `GET /api/v1/themes`

use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use crate::organisations::{self, OrganisationView};
use crate::pagination::{PageParams, PageRequest, DEFAULT_PER_PAGE};
use crate::profiles::{self, ProfileView, ViewerLevel};
use crate::routes::auth::ApiViewer;
use crate::routes::errors::{ApiError, RouteError};
use crate::routes::AppState;
use crate::taxonomy::Taxonomy;

/// Organisations in the network, by name.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    params(PageParams),
    responses(
        (status = 200, body = crate::pagination::Page<crate::organisations::OrganisationView>),
        (status = 400, body = crate::routes::errors::ErrorBody),
    )
)]
#[get("/organisations")]
pub async fn list(state: web::Data<AppState>, params: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&params, DEFAULT_PER_PAGE)?;
    Ok(HttpResponse::Ok().json(organisations::list(&state.db, page).await?))
}

/// An organisation with the people to contact, as far as you may see their profiles.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationDetail {
    #[serde(flatten)]
    pub organisation: OrganisationView,
    /// Its "vast contactpersoon" in the network (a beheerder), if you may see their profile.
    pub network_contact: Option<ProfileView>,
    /// Its own contact persons (redacteuren) whose profiles you may see; never an e-mail address.
    pub contacts: Vec<ProfileView>,
}

/// One organisation with its contact persons; each only if you may see their profile, with
/// only the fields you may see.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{slug}",
    params(("slug" = String, Path, description = "The organisation's slug")),
    responses(
        (status = 200, body = OrganisationDetail),
        (status = 404, body = crate::routes::errors::ErrorBody),
    ),
    security((), ("bearer" = []))
)]
#[get("/organisations/{slug}")]
pub async fn show(
    state: web::Data<AppState>,
    viewer: ApiViewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let organisation = organisations::find_by_slug(&state.db, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound(format!("Er is geen organisatie '{slug}'.")))?;
    let level = ViewerLevel::of(viewer.0.as_ref());
    let contacts = profiles::organisation_contacts(&state.db, level, &organisation).await?;
    Ok(HttpResponse::Ok().json(OrganisationDetail {
        organisation: OrganisationView::from(organisation),
        network_contact: contacts.network_contact,
        contacts: contacts.contacts,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThemeBody {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdviceBody {
    pub number: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyBody {
    pub themes: Vec<ThemeBody>,
    /// The seven advices of "Mét andere ogen".
    pub advices: Vec<AdviceBody>,
}

/// The themes and advices practices are tagged with.
#[utoipa::path(get, path = "/api/v1/themes", responses((status = 200, body = TaxonomyBody)))]
#[get("/themes")]
pub async fn themes(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let taxonomy = Taxonomy::load(&state.db).await?;
    Ok(HttpResponse::Ok().json(TaxonomyBody {
        themes: taxonomy
            .themes
            .into_iter()
            .map(|theme| ThemeBody { slug: theme.slug, name: theme.name, description: theme.description })
            .collect(),
        advices: taxonomy
            .advices
            .into_iter()
            .map(|advice| AdviceBody {
                number: advice.number,
                slug: advice.slug,
                name: advice.name,
                description: advice.description,
            })
            .collect(),
    }))
}
