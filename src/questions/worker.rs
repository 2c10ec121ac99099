//! The question desk's worker: expires the requests experts left unanswered (telling the
//! office), mails the follow-ups that are due, removes askers' personal data after the
//! retention time and deletes questions never confirmed.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use super::introductions::Introductions;
use super::{followup, privacy, purge_unconfirmed};
use crate::mail::MailSettings;

/// How often the worker looks; its deadlines are days apart, so a minute is plenty.
const EVERY: Duration = Duration::from_secs(60);

pub struct QuestionsWorker {
    pub db: DatabaseConnection,
    pub mail: MailSettings,
    pub answer_days: i64,
    pub followup_days: i64,
    /// How long after closing a question the asker's personal data is kept.
    pub keep_personal_data: chrono::Duration,
}

impl QuestionsWorker {
    pub async fn run(self) {
        loop {
            self.run_once().await;
            tokio::time::sleep(EVERY).await;
        }
    }

    pub async fn run_once(&self) {
        let introductions = Introductions {
            db: &self.db,
            mail: &self.mail,
            answer_days: self.answer_days,
            followup_days: self.followup_days,
        };
        match introductions.expire_overdue().await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "requests to experts expired unanswered"),
            Err(error) => tracing::error!(%error, "expiring requests to experts failed"),
        }
        match followup::send_due(&self.db, &self.mail).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "follow-up questions queued"),
            Err(error) => tracing::error!(%error, "sending follow-up questions failed"),
        }
        match privacy::remove_expired(&self.db, self.keep_personal_data).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "askers' personal data removed after the retention time"),
            Err(error) => tracing::error!(%error, "removing askers' personal data failed"),
        }
        match purge_unconfirmed(&self.db).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "unconfirmed questions with expired links deleted"),
            Err(error) => tracing::error!(%error, "deleting unconfirmed questions failed"),
        }
    }
}
