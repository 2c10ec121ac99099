//! The events worker: sends due reminders and deletes old registrations.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use super::registration::{purge, send_reminders};
use crate::mail::MailSettings;

/// How often the worker looks; reminders are due hours ahead, so a minute is plenty.
const EVERY: Duration = Duration::from_secs(60);

pub struct EventsWorker {
    pub db: DatabaseConnection,
    pub mail: MailSettings,
    pub reminder_before: chrono::Duration,
    pub keep_registrations: chrono::Duration,
}

impl EventsWorker {
    pub async fn run(self) {
        loop {
            self.run_once().await;
            tokio::time::sleep(EVERY).await;
        }
    }

    pub async fn run_once(&self) {
        match send_reminders(&self.db, &self.mail, self.reminder_before).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "event reminders queued"),
            Err(error) => tracing::error!(%error, "sending event reminders failed"),
        }
        match purge(&self.db, self.keep_registrations).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "registrations of past events deleted"),
            Err(error) => tracing::error!(%error, "deleting old registrations failed"),
        }
    }
}
