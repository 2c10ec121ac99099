//! All settings in one typed struct, read from `OOGST_*` environment variables with
//! defaults that run the platform with zero configuration.

use std::path::PathBuf;

use figment::providers::{Env, Serialized};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address the web server listens on (`OOGST_BIND`).
    pub bind: String,
    /// Folder for the SQLite database, the search index, uploads and mail (`OOGST_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Database URL (`OOGST_DATABASE_URL`); empty means SQLite in the data folder.
    pub database_url: String,
    /// Public base URL used in links (`OOGST_PUBLIC_URL`); empty means `http://{bind}`.
    pub public_url: String,
    /// Log filter in `tracing` syntax (`OOGST_LOG`).
    pub log: String,
    /// Memory for the search index writer in MB (`OOGST_INDEX_MEMORY_MB`).
    pub index_memory_mb: usize,
    /// Memory for recently computed search results in MB (`OOGST_SEARCH_CACHE_MB`); 0 turns
    /// the cache off.
    pub search_cache_mb: usize,
    /// How often the background workers (search index, mail) look for work, in
    /// milliseconds (`OOGST_WORKER_POLL_MS`).
    pub worker_poll_ms: u64,
    /// Key that signs sessions and forms (`OOGST_SECRET`, at least 32 characters); empty
    /// means a random key kept in `{data_dir}/secret.key`.
    pub secret: String,
    /// Hours a login lasts (`OOGST_SESSION_HOURS`).
    pub session_hours: i64,
    /// Where mail goes (`OOGST_SMTP_URL`): `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`; empty writes `.eml` files to `{data_dir}/mail`.
    pub smtp_url: String,
    /// Sender of every mail (`OOGST_MAIL_FROM`).
    pub mail_from: String,
    /// Where replies go (`OOGST_MAIL_REPLY_TO`); empty means the sender.
    pub mail_reply_to: String,
    /// First retry delay of a mail that could not be delivered, in seconds
    /// (`OOGST_MAIL_RETRY_SECONDS`); it doubles per attempt up to six hours, for at least a day.
    pub mail_retry_seconds: u64,
    /// Seconds a mail being sent stays claimed unless the sending process renews the claim
    /// (`OOGST_MAIL_CLAIM_SECONDS`): after a crash its mail goes out again this much later.
    pub mail_claim_seconds: u64,
    /// Whether visitors may sign up as lid themselves (`OOGST_SELF_SIGNUP`).
    pub self_signup: bool,
    /// Largest upload in MB (`OOGST_MAX_UPLOAD_MB`).
    pub max_upload_mb: usize,
    /// The oogst binary that reads uploaded files in a child process (`OOGST_EXTRACTOR`);
    /// empty means the running executable.
    pub extractor: String,
    /// Hours before an event that registered people get a reminder (`OOGST_REMINDER_HOURS`).
    pub reminder_hours: i64,
    /// Hours an event registration's confirmation link stays valid (`OOGST_CONFIRM_HOURS`).
    pub confirm_hours: i64,
    /// Days after an event that its registrations are deleted (`OOGST_REGISTRATION_RETENTION_DAYS`).
    pub registration_retention_days: i64,
    /// Days an expert has to accept or decline a question before the request expires and the
    /// office is told (`OOGST_INTRODUCTION_DAYS`).
    pub introduction_days: i64,
    /// Days after a question was first helped that the asker is asked whether it helped
    /// (`OOGST_FOLLOWUP_DAYS`).
    pub followup_days: i64,
    /// Days after a question is closed that the asker's personal data is removed
    /// (`OOGST_QUESTION_RETENTION_DAYS`).
    pub question_retention_days: i64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("oogst-data"),
            database_url: String::new(),
            public_url: String::new(),
            log: "info".into(),
            index_memory_mb: 64,
            search_cache_mb: 32,
            worker_poll_ms: 500,
            secret: String::new(),
            session_hours: 12,
            smtp_url: String::new(),
            mail_from: "Oogst <noreply@oogst.localhost>".into(),
            mail_reply_to: String::new(),
            mail_retry_seconds: 60,
            mail_claim_seconds: 60,
            self_signup: false,
            max_upload_mb: 25,
            extractor: String::new(),
            reminder_hours: 24,
            confirm_hours: 48,
            registration_retention_days: 365,
            introduction_days: 7,
            followup_days: 14,
            question_retention_days: 365,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Env::prefixed("OOGST_"))
            .extract()
            .map_err(|error| ConfigError(Box::new(error)))
    }

    /// A configuration for `data_dir` with every other setting at its default.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        Config { data_dir: data_dir.into(), ..Config::default() }
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("oogst.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.bind)
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Whether the site is served over https, so cookies must be `Secure`.
    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_sqlite_in_the_data_dir() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://oogst-data/oogst.db?mode=rwc");
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
    }
}
