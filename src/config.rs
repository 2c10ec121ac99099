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
    /// How often the index worker looks for changes made by other processes, in
    /// milliseconds (`OOGST_INDEX_POLL_MS`); changes made by the server itself are indexed
    /// at once.
    pub index_poll_ms: u64,
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
            index_poll_ms: 500,
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

    pub fn index_memory_bytes(&self) -> usize {
        self.index_memory_mb.max(16) * 1024 * 1024
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
