//! Contact without addresses: a signed-in member writes to a person (their profile) or to a
//! practice's contact, and the platform relays the message by mail with Reply-To set to the
//! sender. Neither side sees the other's address until the recipient answers.
//!
//! The message goes through the mail outbox in the transaction that logs it, and its row is
//! deleted once delivered (see `mail::enqueue_relayed`); afterwards only the log line stays:
//! who wrote to whom, when. Recipients refuse messages from one sender or from everyone
//! (`refusals`), and a sender's recent log lines limit how many they may send.

mod refusals;

use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use entity::{contact_log, practice, user};

use crate::actor::Actor;
use crate::db;
use crate::mail::{self, Mail, MailError, MailSettings};
use crate::practices::editing;
use crate::profiles::{self, ViewerLevel};
use crate::validation::{has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

pub use refusals::{allow, read_link, refusals_of, refuse, Refusal, RefusalLink};

const MAX_SUBJECT_CHARS: usize = 150;
const MAX_MESSAGE_CHARS: usize = 5_000;
/// How many messages one sender may send within each period.
const LIMITS: [(Duration, usize); 2] = [(Duration::minutes(10), 5), (Duration::days(1), 20)];

/// `contact_log.recipient_kind`: what the sender wrote to.
const TO_PROFILE: &str = "profile";
const TO_PRACTICE: &str = "practice";

/// A message as the sender writes it (form or `POST /api/v1/people/{slug}/contact`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[schema(min_length = 1, max_length = 150)]
    pub subject: String,
    /// Plain text.
    #[schema(min_length = 1, max_length = 5000)]
    pub message: String,
}

impl ContactInput {
    /// The message checked and trimmed, or a Dutch message per field.
    pub fn validated(&self) -> Result<ContactInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let subject = self.subject.trim();
        let message = self.message.trim();
        for (field, text, label, max) in [
            ("subject", subject, "het onderwerp", MAX_SUBJECT_CHARS),
            ("message", message, "het bericht", MAX_MESSAGE_CHARS),
        ] {
            let length = text.chars().count();
            if length == 0 {
                errors.add(field, format!("Vul {label} in."));
            } else if length > max {
                errors.add(field, format!("Houd {label} korter dan {max} tekens (nu {length})."));
            }
            if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        // A subject becomes a mail header: one line.
        if subject.contains(['\r', '\n']) {
            errors.add("subject", "Houd het onderwerp op één regel.");
        }
        errors.into_result()?;
        Ok(ContactInput { subject: subject.to_string(), message: message.to_string() })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("{0}")]
    Invalid(FieldErrors),
    /// No such profile or practice, one the viewer may not see, or a practice without a
    /// contact: all look the same.
    #[error("{0}")]
    NotFound(&'static str),
    /// The recipient refuses messages from this sender or from everyone; which one is not
    /// told.
    #[error("Deze persoon ontvangt op dit moment geen berichten via Oogst.")]
    Refused,
    /// The sender sent too many messages lately; they may again after this many seconds.
    #[error("too many messages")]
    TooMany(u64),
    /// A refusal link that is not one of ours.
    #[error("Deze link is ongeldig. Gebruik de link uit de mail, of kies onder Mijn profiel.")]
    LinkInvalid,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Mail(#[from] MailError),
}

const PROFILE_NOT_FOUND: &str = "Dit profiel bestaat niet of staat niet in de ledenlijst.";
const PRACTICE_NOT_FOUND: &str = "Deze praktijk bestaat niet of heeft geen contactpersoon.";

/// Whom a message goes to. The address stays inside: nothing here is shown to the sender
/// but `label`.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// What the sender may see: the person's name, or the practice's title.
    pub label: String,
    /// The practice written to, if any.
    practice: Option<(i32, String)>,
    /// The account that receives it; none for a practice's address without an account.
    account: Option<user::Model>,
    address: String,
    name: String,
}

/// The person behind a profile, when the viewer may see the profile at all.
pub async fn profile_recipient(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Recipient, ContactError> {
    let found = profiles::visible_stored(db, ViewerLevel::of(viewer), slug)
        .await?
        .ok_or(ContactError::NotFound(PROFILE_NOT_FOUND))?;
    Ok(Recipient {
        label: found.profile.display_name.clone(),
        practice: None,
        address: found.user.email.clone(),
        name: found.profile.display_name,
        account: Some(found.user),
    })
}

/// A practice's contact: the account of its contact profile when set, else its contact
/// address (and the account with that address, if there is one, so refusals hold).
pub async fn practice_recipient(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    slug: &str,
) -> Result<Recipient, ContactError> {
    let found =
        editing::find_visible_model(db, viewer, slug).await?.ok_or(ContactError::NotFound(PRACTICE_NOT_FOUND))?;
    let contact_profile = match found.contact_profile_id {
        Some(id) => profiles::of_profile_id(db, id).await?,
        None => None,
    };
    let practice = Some((found.id, found.title.clone()));
    if let Some(stored) = contact_profile {
        return Ok(Recipient {
            label: found.title,
            practice,
            address: stored.user.email.clone(),
            name: stored.profile.display_name,
            account: Some(stored.user),
        });
    }
    let address = found.contact_email.clone().ok_or(ContactError::NotFound(PRACTICE_NOT_FOUND))?;
    let account = user::Entity::find().filter(user::Column::Email.eq(address.to_lowercase())).one(db).await?;
    Ok(Recipient {
        label: found.title,
        practice,
        name: found.contact_name.clone().unwrap_or_default(),
        address,
        account,
    })
}

/// Relays the message: checks the sender's limit and the recipient's refusals, then logs it
/// and puts the mail in the outbox, in one transaction.
pub async fn send(
    db: &DatabaseConnection,
    settings: &MailSettings,
    sender: &Actor,
    recipient: &Recipient,
    input: &ContactInput,
) -> Result<(), ContactError> {
    let input = input.validated().map_err(ContactError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    // Holding the sender's row serialises their messages on PostgreSQL, so two at once
    // cannot both pass the limit (SQLite's write lock already does).
    let account = user::Entity::find_by_id(sender.user_id)
        .lock_exclusive()
        .one(&transaction)
        .await?
        .ok_or(ContactError::NotFound(PROFILE_NOT_FOUND))?;
    let now = Utc::now();
    may_send(&transaction, account.id, recipient, now).await?;
    enqueue(&transaction, settings, &account, recipient, &input).await?;
    let kind = if recipient.practice.is_some() { TO_PRACTICE } else { TO_PROFILE };
    contact_log::ActiveModel {
        sender_user_id: Set(Some(account.id)),
        recipient_user_id: Set(recipient.account.as_ref().map(|to| to.id)),
        recipient_kind: Set(kind.into()),
        practice_id: Set(recipient.practice.as_ref().map(|(id, _)| *id)),
        sent_at: Set(now),
        ..Default::default()
    }
    .insert(&transaction)
    .await?;
    transaction.commit().await?;
    tracing::info!(sender = account.id, recipient = ?recipient.account.as_ref().map(|to| to.id), kind, "message relayed");
    Ok(())
}

/// Refuses a sender over their limit, or one the recipient does not accept messages from.
async fn may_send(
    db: &impl ConnectionTrait,
    sender_id: i32,
    recipient: &Recipient,
    now: DateTime<Utc>,
) -> Result<(), ContactError> {
    if let Some(seconds) = wait_before_next(&recent_sends(db, sender_id, now).await?, now) {
        return Err(ContactError::TooMany(seconds));
    }
    match &recipient.account {
        Some(to) if refusals::refuses(db, to.id, sender_id).await? => Err(ContactError::Refused),
        _ => Ok(()),
    }
}

/// Writes the relayed mail to the outbox: who sends it (name and organisation, as in the
/// network), the message, and the recipient's refusal links; replies go to the sender.
async fn enqueue(
    db: &impl ConnectionTrait,
    settings: &MailSettings,
    sender: &user::Model,
    recipient: &Recipient,
    input: &ContactInput,
) -> Result<(), ContactError> {
    let from = profiles::of_user(db, sender.id).await?;
    let sender_name = from.as_ref().map_or(sender.name.clone(), |stored| stored.profile.display_name.clone());
    let organisation = from.and_then(|stored| stored.organisation).map(|organisation| organisation.name);
    let links = recipient.account.as_ref().map(|to| refusals::links(settings, to.id, sender.id));
    let data = serde_json::json!({
        "recipient_name": recipient.name,
        "sender_name": sender_name,
        "sender_organisation": organisation,
        "practice_title": recipient.practice.as_ref().map(|(_, title)| title),
        "message_subject": input.subject,
        "message": input.message,
        "block_sender_link": links.as_ref().map(|links| &links.sender),
        "block_all_link": links.as_ref().map(|links| &links.everyone),
    });
    let reply_to = Mailbox::new(Some(sender_name), sender.email.parse().map_err(|_| invalid_sender())?);
    let mail = Mail {
        to: &recipient.address,
        subject: format!("[Oogst] {}", input.subject),
        template: "contact",
        data,
        calendar: None,
    };
    mail::enqueue_relayed(db, settings, mail, &reply_to).await?;
    Ok(())
}

/// An account's own address that lettre cannot read: refused like any other bad input.
fn invalid_sender() -> ContactError {
    let mut errors = FieldErrors::default();
    errors.add("message", "Uw eigen e-mailadres kan niet als antwoordadres dienen; pas het aan onder Mijn profiel.");
    ContactError::Invalid(errors)
}

/// When the sender's messages within the longest period were sent, oldest first.
async fn recent_sends(
    db: &impl ConnectionTrait,
    sender_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    let longest = LIMITS.iter().map(|(period, _)| *period).max().unwrap_or_else(|| Duration::days(1));
    contact_log::Entity::find()
        .select_only()
        .column(contact_log::Column::SentAt)
        .filter(contact_log::Column::SenderUserId.eq(sender_id))
        .filter(contact_log::Column::SentAt.gt(now - longest))
        .order_by_asc(contact_log::Column::SentAt)
        .into_tuple()
        .all(db)
        .await
}

/// Seconds until one more message fits every limit, given the times of earlier ones
/// (oldest first); none when it fits now.
fn wait_before_next(sent: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    LIMITS
        .iter()
        .filter_map(|(period, limit)| {
            let within: Vec<&DateTime<Utc>> = sent.iter().filter(|at| **at > now - *period).collect();
            // The message that must leave the period before another one fits.
            let blocking = within.len().checked_sub(*limit).map(|index| within[index])?;
            Some((*blocking + *period - now).num_seconds().max(1) as u64)
        })
        .max()
}

/// A line of the contact log as its sender or recipient sees it in their data: who, to
/// whom, when; never the message.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// verstuurd or ontvangen.
    pub direction: &'static str,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice: Option<String>,
    pub sent_at: DateTime<Utc>,
}

/// Every log line the account sent or received, oldest first.
pub async fn log_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<LogEntry>, DbErr> {
    let lines = contact_log::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(contact_log::Column::SenderUserId.eq(user_id))
                .add(contact_log::Column::RecipientUserId.eq(user_id)),
        )
        .order_by_asc(contact_log::Column::Id)
        .all(db)
        .await?;
    let mut entries = Vec::with_capacity(lines.len());
    for line in lines {
        let practice = match line.practice_id {
            Some(id) => practice::Entity::find_by_id(id).one(db).await?.map(|found| found.title),
            None => None,
        };
        entries.push(LogEntry {
            direction: if line.sender_user_id == Some(user_id) { "verstuurd" } else { "ontvangen" },
            from: name_of(db, line.sender_user_id).await?,
            to: match (line.recipient_user_id, &practice) {
                (None, Some(title)) => format!("contactpersoon van {title}"),
                (id, _) => name_of(db, id).await?,
            },
            practice,
            sent_at: line.sent_at,
        });
    }
    Ok(entries)
}

/// The name an account goes by in the network; "verwijderd account" when it is gone.
async fn name_of(db: &impl ConnectionTrait, user_id: Option<i32>) -> Result<String, DbErr> {
    let found = match user_id {
        Some(id) => profiles::of_user(db, id).await?,
        None => None,
    };
    Ok(found.map_or_else(|| "verwijderd account".to_string(), |stored| stored.profile.display_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_message_are_checked() {
        let empty = ContactInput::default().validated().unwrap_err();
        assert!(empty.first("subject").is_some() && empty.first("message").is_some());
        let long = ContactInput { subject: "a".repeat(151), message: "b".repeat(5001) }.validated().unwrap_err();
        assert!(long.first("subject").unwrap().contains("150"));
        assert!(long.first("message").unwrap().contains("5000"));
        let control = ContactInput { subject: "Hallo\u{7}".into(), message: "x\u{1b}".into() }.validated().unwrap_err();
        assert_eq!(control.first("message"), Some(FORBIDDEN_CHARS_MESSAGE));
        let fine = ContactInput { subject: " Vraag ".into(), message: "Regel\nregel\tmet tab".into() };
        assert_eq!(fine.validated().unwrap().subject, "Vraag");
    }

    #[test]
    fn five_in_ten_minutes_and_twenty_a_day() {
        let now = Utc::now();
        let minutes_ago = |minutes: i64| now - Duration::minutes(minutes);
        assert_eq!(wait_before_next(&[], now), None);
        let four: Vec<_> = (1..=4).rev().map(minutes_ago).collect();
        assert_eq!(wait_before_next(&four, now), None);
        let five: Vec<_> = (1..=5).rev().map(minutes_ago).collect();
        // The oldest, five minutes ago, leaves the ten minutes in five.
        assert_eq!(wait_before_next(&five, now), Some(300));
        let twenty: Vec<_> = (0..20).rev().map(|hours| now - Duration::hours(hours + 1)).collect();
        // The oldest, twenty hours ago, leaves the day in four hours.
        assert_eq!(wait_before_next(&twenty, now), Some(4 * 3600));
    }
}
