use actix_web::{get, web, HttpRequest, HttpResponse};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use entity::organisation;

use super::form_page;
use crate::organisations::OrganisationView;
use crate::pagination::PageRequest;
use crate::practices::{self, Listing};
use crate::routes::auth::Viewer;
use crate::routes::errors::PageError;
use crate::routes::AppState;
use crate::taxonomy::{NetworkRole, Taxonomy};
use crate::vocabulary::Vocabulary;

const RECENT: u64 = 6;

#[get("/")]
pub async fn home(request: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let recent = practices::list_published(&state.db, Listing::All, PageRequest { page: 1, per_page: RECENT }).await?;
    let regions: Vec<OrganisationView> = organisation::Entity::find()
        .filter(organisation::Column::NetworkRole.eq(NetworkRole::Inspiratieregio.slug()))
        .order_by_asc(organisation::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(OrganisationView::from)
        .collect();
    let organisation_count = organisation::Entity::find().count(&state.db).await?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    form_page(
        &request,
        &state,
        "home",
        &viewer,
        serde_json::json!({
            "description": "Oogst: praktijken en kennis van het lerend netwerk Met Andere Ogen",
            "practice_count": recent.total,
            "organisation_count": organisation_count,
            "recent": recent.items,
            "themes": taxonomy.themes.iter().map(|theme| serde_json::json!({"slug": theme.slug, "name": theme.name})).collect::<Vec<_>>(),
            "regions": regions,
        }),
    )
}
