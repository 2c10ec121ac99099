//! The audit log: who changed what, and when. Written in the transaction of the change.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
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
    record_for(db, Some(actor.user_id), &actor.name, action, entity_kind, entity_key, summary).await
}

/// Records a step taken by someone without a session: a person following a link from a mail
/// (`actor_id` their account, if any), or a worker (`None`, named by what it is).
pub async fn record_for(
    db: &impl ConnectionTrait,
    actor_id: Option<i32>,
    actor_name: &str,
    action: &str,
    entity_kind: &str,
    entity_key: &str,
    summary: impl Into<String>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor_id: Set(actor_id),
        actor_name: Set(actor_name.to_string()),
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

/// When an account is deleted: the entries its person made, and those about them (keyed by
/// `(kind, key)` in `about`, such as their address or profile slug), name `pseudonym` instead,
/// and every `words` (name, address) in them is replaced by it. The log keeps what happened,
/// not who.
pub async fn pseudonymise(
    db: &impl ConnectionTrait,
    user_id: i32,
    about: &[(&str, &str)],
    words: &[&str],
    pseudonym: &str,
) -> Result<(), DbErr> {
    let concerning =
        about.iter().fold(Condition::any().add(audit_log::Column::ActorId.eq(user_id)), |any, (kind, key)| {
            any.add(
                Condition::all()
                    .add(audit_log::Column::EntityKind.eq(*kind))
                    .add(audit_log::Column::EntityKey.eq(*key)),
            )
        });
    for entry in audit_log::Entity::find().filter(concerning).all(db).await? {
        let by_them = entry.actor_id == Some(user_id);
        let mut model = entry.clone().into_active_model();
        if by_them {
            model.actor_id = Set(None);
            model.actor_name = Set(pseudonym.to_string());
        }
        if about.iter().any(|(kind, key)| entry.entity_kind == *kind && entry.entity_key == *key) {
            model.entity_key = Set(pseudonym.to_string());
        }
        model.summary = Set(replace_words(&entry.summary, words, pseudonym));
        model.update(db).await?;
    }
    Ok(())
}

/// `text` with every non-empty word of `words` replaced by `by`, longest first, so a name
/// inside an address is not replaced before the address.
fn replace_words(text: &str, words: &[&str], by: &str) -> String {
    let mut words: Vec<&str> = words.iter().copied().filter(|word| !word.trim().is_empty()).collect();
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    words.iter().fold(text.to_string(), |text, word| text.replace(word, by))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_words_are_replaced_first() {
        let words = ["anouk", "anouk@example.nl", ""];
        assert_eq!(
            replace_words("Rol van anouk@example.nl (anouk) gewijzigd", &words, "Verwijderd account #1"),
            "Rol van Verwijderd account #1 (Verwijderd account #1) gewijzigd"
        );
        assert_eq!(replace_words("niets", &words, "x"), "niets");
    }
}
