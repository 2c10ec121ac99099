//! Liveness and readiness for load balancers and monitoring.

use actix_web::{get, web, HttpResponse};
use sea_orm::ConnectionTrait;

use crate::routes::AppState;

/// The process is up.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers and the index can be searched.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db.execute_unprepared("SELECT 1").await.is_ok();
    let documents = state.search.num_docs();
    let status = if database { "ready" } else { "unavailable" };
    let body = serde_json::json!({ "status": status, "database": database, "indexed_items": documents });
    if database {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
