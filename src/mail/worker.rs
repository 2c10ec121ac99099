//! Delivers the mail outbox. A row is claimed with a conditional UPDATE before sending, so
//! two workers (or a restarted one) never send it at the same time; a failed attempt is
//! retried with a doubling delay, for more than a day before the mail counts as failed.
//!
//! A claim is short and renewed while the mail is being sent, and only the mails about to be
//! sent are claimed: when a process dies mid-delivery, its few claimed mails go out again
//! as soon as the claim lapses. A mail that was sent but not yet marked sent when the
//! process died is sent once more, with the same Message-ID, so receivers can drop it.

use std::time::Duration;

use chrono::Utc;
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

/// With the default first delay of one minute, 13 attempts span about 26 hours.
pub const MAX_ATTEMPTS: i32 = 13;
const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);
/// SMTP conversations in flight at once, and so the mails claimed at once: none waits
/// claimed while others are sent.
const CONCURRENT_SENDS: usize = 8;
/// Claims are renewed this many times per claim period, so renewals that fail or wait on
/// a busy database a while do not let a claim lapse while its mail is being sent.
const RENEWALS_PER_CLAIM: u32 = 3;

pub struct MailWorker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub settings: MailSettings,
    pub first_retry: Duration,
    /// How long a claim lasts unless renewed (`OOGST_MAIL_CLAIM_SECONDS`).
    pub claim: Duration,
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
            .limit(CONCURRENT_SENDS as u64)
            .all(&self.db)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for row in due {
            if self.claim(&row).await? {
                claimed.push(row);
            }
        }
        let attempts = claimed.len();
        let ids: Vec<i32> = claimed.iter().map(|row| row.id).collect();
        // Several conversations at once: one SMTP round trip waits on the network, not on us.
        let sending = futures_util::future::join_all(claimed.into_iter().map(|row| self.attempt(row)));
        tokio::select! {
            outcomes = sending => outcomes.into_iter().collect::<Result<Vec<()>, DbErr>>()?,
            never = self.keep_claims(&ids) => match never {},
        };
        Ok(attempts)
    }

    fn claim_period(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.claim).unwrap_or(chrono::Duration::minutes(1))
    }

    async fn claim(&self, row: &mail_outbox::Model) -> Result<bool, DbErr> {
        let now = Utc::now();
        let claimed = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Status, Expr::value(SENDING))
            .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + self.claim_period()))
            .col_expr(mail_outbox::Column::Attempts, Expr::col(mail_outbox::Column::Attempts).add(1))
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(mail_outbox::Column::Status.is_in([PENDING, SENDING]))
            .filter(unclaimed(now))
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// Renews the claims on `ids` that are still being sent, until dropped.
    async fn keep_claims(&self, ids: &[i32]) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(self.claim / RENEWALS_PER_CLAIM).await;
            let renewed = mail_outbox::Entity::update_many()
                .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(Utc::now() + self.claim_period()))
                .filter(mail_outbox::Column::Id.is_in(ids.iter().copied()))
                .filter(mail_outbox::Column::Status.eq(SENDING))
                .exec(&self.db)
                .await;
            if let Err(error) = renewed {
                tracing::warn!(%error, "renewing mail claims failed; trying again");
            }
        }
    }

    async fn attempt(&self, row: mail_outbox::Model) -> Result<(), DbErr> {
        let attempts = row.attempts + 1;
        let outcome = match self.message(&row) {
            Ok(message) => self.transport.send(message).await,
            Err(error) => Err(error),
        };
        let purge = row.purge_after_delivery;
        let mut update = row.into_active_model();
        update.claimed_until = Set(None);
        let finished = match outcome {
            Ok(()) => {
                update.status = Set(SENT.into());
                update.sent_at = Set(Some(Utc::now()));
                update.last_error = Set(None);
                true
            }
            Err(DeliveryError::Transient(error)) if attempts < MAX_ATTEMPTS => {
                tracing::warn!(%error, attempts, "mail delivery failed; will retry");
                update.status = Set(PENDING.into());
                update.next_attempt_at = Set(Utc::now() + self.delay_after(attempts));
                update.last_error = Set(Some(error));
                false
            }
            Err(error) => {
                tracing::error!(%error, attempts, "mail delivery failed for good");
                update.status = Set(FAILED.into());
                update.last_error = Set(Some(error.to_string()));
                true
            }
        };
        if finished && purge {
            // A relayed message: its text goes once delivery is over; the contact log
            // keeps who wrote to whom and when.
            update.delete(&self.db).await?;
        } else {
            update.update(&self.db).await?;
        }
        Ok(())
    }

    fn delay_after(&self, attempts: i32) -> chrono::Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1) as u32);
        let delay = self.first_retry.saturating_mul(factor).min(MAX_DELAY);
        chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(6))
    }

    /// The row's own reply address (a relayed message's sender), else the site's.
    fn reply_to(&self, row: &mail_outbox::Model) -> Result<Option<Mailbox>, DeliveryError> {
        match &row.reply_to {
            Some(address) => address
                .parse()
                .map(Some)
                .map_err(|error| DeliveryError::Permanent(format!("invalid reply address {address:?}: {error}"))),
            None => Ok(self.settings.reply_to.clone()),
        }
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
        if let Some(reply_to) = self.reply_to(row)? {
            builder = builder.reply_to(reply_to);
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
