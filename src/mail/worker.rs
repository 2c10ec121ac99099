//! Delivers the mail outbox. A row is claimed with a conditional UPDATE before sending, so
//! two workers (or a restarted one) never send it at the same time; a failed attempt is
//! retried with a doubling delay, for more than a day before the mail counts as failed.

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::Message;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use entity::mail_outbox;

use super::transport::{DeliveryError, Transport};
use super::{MailSettings, FAILED, PENDING, SENDING, SENT};

/// How long a claim lasts: longer than any SMTP conversation.
const CLAIM: chrono::Duration = chrono::Duration::minutes(5);
/// With the default first delay of one minute, 13 attempts span about 26 hours.
pub const MAX_ATTEMPTS: i32 = 13;
const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);
const BATCH: u64 = 40;
/// SMTP conversations in flight at once.
const CONCURRENT_SENDS: usize = 8;

pub struct MailWorker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub settings: MailSettings,
    pub first_retry: Duration,
}

impl MailWorker {
    /// Runs until the task is aborted.
    pub async fn run(self, poll: Duration) {
        loop {
            match self.deliver_due().await {
                Ok(delivered) if delivered > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "mail outbox"),
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Attempts every mail that is due; returns how many attempts were made.
    pub async fn deliver_due(&self) -> Result<usize, DbErr> {
        let now = Utc::now();
        let due = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Status.is_in([PENDING, SENDING]))
            .filter(mail_outbox::Column::NextAttemptAt.lte(now))
            .filter(unclaimed(now))
            .order_by_asc(mail_outbox::Column::Id)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for row in due {
            if self.claim(&row).await? {
                claimed.push(row);
            }
        }
        // Several conversations at once: one SMTP round trip waits on the network, not on us.
        let attempts = claimed.len();
        futures_util::stream::iter(claimed)
            .map(|row| self.attempt(row))
            .buffer_unordered(CONCURRENT_SENDS)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<()>, DbErr>>()?;
        Ok(attempts)
    }

    async fn claim(&self, row: &mail_outbox::Model) -> Result<bool, DbErr> {
        let now = Utc::now();
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Status, Expr::value(SENDING))
            .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + CLAIM))
            .col_expr(mail_outbox::Column::Attempts, Expr::col(mail_outbox::Column::Attempts).add(1))
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(mail_outbox::Column::Status.is_in([PENDING, SENDING]))
            .filter(unclaimed(now))
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    async fn attempt(&self, row: mail_outbox::Model) -> Result<(), DbErr> {
        let attempts = row.attempts + 1;
        let outcome = match self.message(&row) {
            Ok(message) => self.transport.send(message).await,
            Err(error) => Err(error),
        };
        let mut update = row.into_active_model();
        update.claimed_until = Set(None);
        match outcome {
            Ok(()) => {
                update.status = Set(SENT.into());
                update.sent_at = Set(Some(Utc::now()));
                update.last_error = Set(None);
            }
            Err(DeliveryError::Transient(error)) if attempts < MAX_ATTEMPTS => {
                tracing::warn!(%error, attempts, "mail delivery failed; will retry");
                update.status = Set(PENDING.into());
                update.next_attempt_at = Set(Utc::now() + self.delay_after(attempts));
                update.last_error = Set(Some(error));
            }
            Err(error) => {
                tracing::error!(%error, attempts, "mail delivery failed for good");
                update.status = Set(FAILED.into());
                update.last_error = Set(Some(error.to_string()));
            }
        }
        update.update(&self.db).await?;
        Ok(())
    }

    fn delay_after(&self, attempts: i32) -> chrono::Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1) as u32);
        let delay = self.first_retry.saturating_mul(factor).min(MAX_DELAY);
        chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(6))
    }

    fn message(&self, row: &mail_outbox::Model) -> Result<Message, DeliveryError> {
        let to: Mailbox = row
            .to_address
            .parse()
            .map_err(|error| DeliveryError::Permanent(format!("invalid recipient {:?}: {error}", row.to_address)))?;
        let mut builder = Message::builder()
            .from(self.settings.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()));
        if let Some(reply_to) = &self.settings.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        let text = MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone());
        let body = match &row.calendar {
            None => text,
            Some(calendar) => MultiPart::mixed()
                .multipart(text)
                .singlepart(Attachment::new("uitnodiging.ics".into()).body(calendar.clone(), calendar_content_type())),
        };
        builder.multipart(body).map_err(|error| DeliveryError::Permanent(format!("building the message: {error}")))
    }
}

fn calendar_content_type() -> ContentType {
    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").expect("a valid content type")
}

fn unclaimed(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any().add(mail_outbox::Column::ClaimedUntil.is_null()).add(mail_outbox::Column::ClaimedUntil.lt(now))
}

/// Puts a failed mail back in the queue (the programme office's "retry").
pub async fn retry(db: &DatabaseConnection, id: i32) -> Result<bool, DbErr> {
    let updated = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(PENDING))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(0))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::Status.eq(FAILED))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}
