//! The search outbox: every change to a searchable item records a row here in the same
//! transaction, so the index worker can never miss it, not even across a crash.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use entity::search_outbox;

use crate::search::ItemKind;

/// Records that the items need re-indexing. Call inside the transaction that changed them.
pub async fn record_changes(db: &impl ConnectionTrait, kind: ItemKind, ids: &[i32]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = ids.iter().map(|&id| search_outbox::ActiveModel {
        item_kind: Set(kind.as_str().to_string()),
        item_id: Set(id),
        created_at: Set(now),
        ..Default::default()
    });
    search_outbox::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}
