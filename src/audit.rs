//! The audit log: who changed what, and when. Written in the transaction of the change.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryOrder, Set};
use serde::Serialize;

use entity::audit_log;

use crate::actor::Actor;
use crate::pagination::{Page, PageRequest};

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_kind: &str,
    entity_key: &str,
    summary: impl Into<String>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor_id: Set(Some(actor.user_id)),
        actor_name: Set(actor.name.clone()),
        action: Set(action.to_string()),
        entity_kind: Set(entity_kind.to_string()),
        entity_key: Set(entity_key.to_string()),
        summary: Set(summary.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub actor_name: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_key: String,
    pub summary: String,
    pub created_at: chrono::DateTime<Utc>,
}

/// Newest first.
pub async fn list(db: &impl ConnectionTrait, page: PageRequest) -> Result<Page<AuditEntry>, DbErr> {
    let paginator = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let entries = paginator
        .fetch_page(page.index())
        .await?
        .into_iter()
        .map(|entry| AuditEntry {
            actor_name: entry.actor_name,
            action: entry.action,
            entity_kind: entry.entity_kind,
            entity_key: entry.entity_key,
            summary: entry.summary,
            created_at: entry.created_at,
        })
        .collect();
    Ok(Page::new(entries, total, page))
}
