//! Everything Oogst stores about a person, for their right of access (AVG article 15): the
//! account, the profile, event registrations under their account or address, the messages
//! relayed from or to them (who, to whom, when; never the text, which is not kept), the
//! questions they asked the programme office and the requests to help they got, and the
//! audit entries they made or that are about them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use entity::{audit_log, event, registration};

use crate::actor::Actor;
use crate::contact;
use crate::profiles::{self, OwnProfile};
use crate::questions::{privacy, QuestionView};
use crate::validation::EditError;

#[derive(Debug, Serialize)]
pub struct PersonalData {
    pub exported_at: DateTime<Utc>,
    pub account: Account,
    pub profile: OwnProfile,
    pub registrations: Vec<Registration>,
    /// Messages sent or received through the platform: who, to whom, when.
    pub messages: Vec<contact::LogEntry>,
    /// Questions asked to the programme office under the account or its address.
    pub questions: Vec<QuestionView>,
    /// Requests to help with a question that went to the person as an expert.
    pub requests_to_help: Vec<privacy::RequestToHelp>,
    pub audit_entries: Vec<AuditEntry>,
}

#[derive(Debug, Serialize)]
pub struct Account {
    pub email: String,
    pub name: String,
    pub role: String,
    pub job_title: String,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Registration {
    pub event: String,
    pub event_slug: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub role: String,
    pub remarks: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct AuditEntry {
    pub by: String,
    pub action: String,
    pub subject: String,
    pub key: String,
    pub summary: String,
    pub at: DateTime<Utc>,
}

/// What is stored about the acting person.
pub async fn of(db: &DatabaseConnection, actor: &Actor) -> Result<PersonalData, EditError> {
    let stored = profiles::own(db, actor).await?;
    let account = Account {
        email: stored.user.email.clone(),
        name: stored.user.name.clone(),
        role: stored.user.role.clone(),
        job_title: stored.user.job_title.clone(),
        email_verified: stored.user.email_verified,
        created_at: stored.user.created_at,
    };
    let registrations = registrations(db, actor.user_id, &stored.user.email).await?;
    let audit_entries = audit_entries(db, actor.user_id, &stored.user.email, &stored.profile.slug).await?;
    Ok(PersonalData {
        exported_at: Utc::now(),
        account,
        profile: OwnProfile::of(&stored),
        registrations,
        messages: contact::log_of(db, actor.user_id).await?,
        questions: privacy::asked_by(db, actor.user_id, &stored.user.email).await?,
        requests_to_help: privacy::requests_to(db, stored.profile.id).await?,
        audit_entries,
    })
}

/// Registrations made while logged in, or with the same address without an account.
async fn registrations(db: &DatabaseConnection, user_id: i32, email: &str) -> Result<Vec<Registration>, EditError> {
    let mine = Condition::any()
        .add(registration::Column::UserId.eq(user_id))
        .add(registration::Column::Email.eq(email.to_lowercase()));
    let found = registration::Entity::find().filter(mine).order_by_asc(registration::Column::Id).all(db).await?;
    let event_ids: Vec<i32> = found.iter().map(|registration| registration.event_id).collect();
    let events: HashMap<i32, event::Model> = event::Entity::find()
        .filter(event::Column::Id.is_in(event_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|event| (event.id, event))
        .collect();
    Ok(found
        .into_iter()
        .map(|registration| {
            let event = events.get(&registration.event_id);
            Registration {
                event: event.map(|event| event.title.clone()).unwrap_or_default(),
                event_slug: event.map(|event| event.slug.clone()).unwrap_or_default(),
                name: registration.name,
                email: registration.email,
                organisation: registration.organisation,
                role: registration.role,
                remarks: registration.remarks,
                status: registration.status,
                created_at: registration.created_at,
            }
        })
        .collect())
}

/// Entries the person made, and entries about their account or profile.
async fn audit_entries(
    db: &DatabaseConnection,
    user_id: i32,
    email: &str,
    profile_slug: &str,
) -> Result<Vec<AuditEntry>, EditError> {
    let about = |kind: &str, key: &str| {
        Condition::all().add(audit_log::Column::EntityKind.eq(kind)).add(audit_log::Column::EntityKey.eq(key))
    };
    let concerning = Condition::any()
        .add(audit_log::Column::ActorId.eq(user_id))
        .add(about("persoon", email))
        .add(about("profiel", profile_slug));
    let found = audit_log::Entity::find().filter(concerning).order_by_asc(audit_log::Column::Id).all(db).await?;
    Ok(found
        .into_iter()
        .map(|entry| AuditEntry {
            by: entry.actor_name,
            action: entry.action,
            subject: entry.entity_kind,
            key: entry.entity_key,
            summary: entry.summary,
            at: entry.created_at,
        })
        .collect())
}
