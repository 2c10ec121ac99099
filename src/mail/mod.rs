//! Mail that is never lost: every message is written to the outbox in the same transaction
//! as the action that causes it, and the worker delivers it with retries.

pub mod transport;
pub mod worker;

use chrono::Utc;
use hmac::{Hmac, Mac};
use lettre::message::Mailbox;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde::Serialize;
use sha2::Sha256;

use entity::mail_outbox;

use crate::config::Config;
use crate::templates;

/// Outbox row states.
pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// Sender details and the base URL for links, from the configuration.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub public_url: String,
    /// Domain part of Message-IDs.
    pub domain: String,
    /// Signs the links in mails that work without logging in; keyed with the site's secret
    /// (its Debug output shows no key).
    pub link_signer: Hmac<Sha256>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid mail address {0:?}: {1}")]
    Address(String, lettre::address::AddressError),
    #[error("mail template: {0}")]
    Template(#[from] templates::RenderError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl MailSettings {
    pub fn from_config(config: &Config, secret: &[u8]) -> Result<MailSettings, MailError> {
        let parse = |text: &str| text.parse::<Mailbox>().map_err(|error| MailError::Address(text.to_string(), error));
        let from = parse(&config.mail_from)?;
        let reply_to = if config.mail_reply_to.is_empty() { None } else { Some(parse(&config.mail_reply_to)?) };
        Ok(MailSettings {
            domain: from.email.domain().to_string(),
            from,
            reply_to,
            public_url: config.public_url(),
            link_signer: Hmac::new_from_slice(&[b"mail-link:".as_slice(), secret].concat())
                .expect("HMAC takes keys of any length"),
        })
    }

    /// An absolute link into the site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// A mail to write to the outbox: `template` names `templates/mail/{template}.html.hbs`
/// and `….txt.hbs`, both rendered with `data` plus `site_url`.
pub struct Mail<'a, T: Serialize> {
    pub to: &'a str,
    pub subject: String,
    pub template: &'static str,
    pub data: T,
    /// An iCalendar text sent along as an attachment.
    pub calendar: Option<String>,
}

/// Renders the mail and records it in the outbox; call inside the causing transaction.
pub async fn enqueue<T: Serialize>(
    db: &impl ConnectionTrait,
    settings: &MailSettings,
    mail: Mail<'_, T>,
) -> Result<(), MailError> {
    insert(db, settings, mail, None).await
}

/// Records a message one member writes to another through the platform: replies go to
/// `reply_to` (the sender), and the row is deleted once delivered or given up, so the
/// message's text is not kept beyond its delivery.
pub async fn enqueue_relayed<T: Serialize>(
    db: &impl ConnectionTrait,
    settings: &MailSettings,
    mail: Mail<'_, T>,
    reply_to: &Mailbox,
) -> Result<(), MailError> {
    insert(db, settings, mail, Some(reply_to)).await
}

async fn insert<T: Serialize>(
    db: &impl ConnectionTrait,
    settings: &MailSettings,
    mail: Mail<'_, T>,
    relayed_for: Option<&Mailbox>,
) -> Result<(), MailError> {
    let mut data = serde_json::to_value(&mail.data).unwrap_or_default();
    if let Some(object) = data.as_object_mut() {
        object.insert("site_url".into(), settings.public_url.clone().into());
        object.insert("subject".into(), mail.subject.clone().into());
    }
    let html_body = templates::render(&format!("mail/{}.html", mail.template), &data)?;
    let text_body = templates::render_text(&format!("mail/{}.txt", mail.template), &data)?;
    let now = Utc::now();
    mail_outbox::ActiveModel {
        message_id: Set(format!("<{}@{}>", uuid::Uuid::new_v4(), settings.domain)),
        to_address: Set(mail.to.to_string()),
        subject: Set(mail.subject),
        text_body: Set(text_body),
        html_body: Set(html_body),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        calendar: Set(mail.calendar),
        reply_to: Set(relayed_for.map(Mailbox::to_string)),
        purge_after_delivery: Set(relayed_for.is_some()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What the programme office's mail queue shows as the subject of a relayed message.
const RELAYED_SUBJECT: &str = "Bericht tussen leden (onderwerp niet getoond)";

/// A queued mail as the programme office sees it.
#[derive(Debug, Clone, Serialize)]
pub struct QueuedMail {
    pub id: i32,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub sent_at: Option<chrono::DateTime<Utc>>,
    pub next_attempt_at: chrono::DateTime<Utc>,
}

/// The outbox, newest first, optionally of one status.
pub async fn queue(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    page: crate::pagination::PageRequest,
) -> Result<crate::pagination::Page<QueuedMail>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
    let mut query = mail_outbox::Entity::find().order_by_desc(mail_outbox::Column::Id);
    if let Some(status) = status {
        query = query.filter(mail_outbox::Column::Status.eq(status));
    }
    let paginator = query.paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page.index())
        .await?
        .into_iter()
        .map(|row| QueuedMail {
            id: row.id,
            to: row.to_address,
            // What members write each other is theirs, also while it waits for delivery.
            subject: if row.purge_after_delivery { RELAYED_SUBJECT.into() } else { row.subject },
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
            next_attempt_at: row.next_attempt_at,
        })
        .collect();
    Ok(crate::pagination::Page::new(items, total, page))
}
