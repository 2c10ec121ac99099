//! Building and running the application: database, search index, index worker, web server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::Compress;
use actix_web::{web, App, HttpServer};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::task::JoinHandle;
use tracing_actix_web::TracingLogger;

use crate::accounts::secret;
use crate::accounts::sessions::TokenKeys;
use crate::config::Config;
use crate::demo::{self, DemoError};
use crate::documents::Uploads;
use crate::mail::transport::Transport;
use crate::mail::worker::MailWorker;
use crate::mail::MailSettings;
use crate::routes::csrf::Csrf;
use crate::routes::rate_limit::RateLimits;
use crate::routes::AppState;
use crate::search::IndexSettings;
use crate::search::{IndexStore, SearchIndex};
use crate::search_sync::{self, SyncError};
use crate::{db, taxonomy};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create data folder {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("search index: {0}")]
    Index(#[from] SyncError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error("account: {0}")]
    Account(#[from] crate::accounts::AccountError),
    #[error("secret key: {0}")]
    Secret(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

/// The database and index, opened and migrated, with the taxonomy seeded.
pub struct Storage {
    pub db: DatabaseConnection,
    pub search: Arc<SearchIndex>,
}

impl Storage {
    pub async fn open(config: &Config) -> Result<Storage, StartupError> {
        let db = connect(config).await?;
        let search =
            search_sync::open_or_rebuild(&db, &IndexStore::new(config.index_dir()), IndexSettings::from_config(config))
                .await?;
        // Changes recorded but not indexed before a crash or by another process.
        search_sync::apply_outbox(&db, &search).await?;
        Ok(Storage { db, search })
    }
}

/// Connects, migrates and seeds the taxonomy: everything but the index.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, StartupError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|error| StartupError::DataDir(config.data_dir.display().to_string(), error))?;
    let db = db::connect(&config.database_url()).await?;
    taxonomy::seed(&db).await?;
    crate::profiles::create_missing(&db).await?;
    Ok(db)
}

pub struct Application {
    port: u16,
    server: Server,
    workers: Vec<JoinHandle<()>>,
}

impl Application {
    pub async fn build(config: Config, with_demo: bool) -> Result<Application, StartupError> {
        let storage = Storage::open(&config).await?;
        if with_demo {
            if let Some(report) = demo::load_if_empty(&storage.db).await? {
                tracing::info!(practices = report.imported, "demo content loaded");
            }
            search_sync::apply_outbox(&storage.db, &storage.search).await?;
        }
        let listener =
            TcpListener::bind(&config.bind).map_err(|error| StartupError::Bind(config.bind.clone(), error))?;
        let port = listener.local_addr().map_err(|error| StartupError::Bind(config.bind.clone(), error))?.port();
        let secret = secret::load_or_create(&config).map_err(|error| StartupError::Secret(error.to_string()))?;
        let keys = TokenKeys::new(&secret, config.public_url(), chrono::Duration::hours(config.session_hours))
            .map_err(|error| StartupError::Secret(error.to_string()))?;
        let mail =
            MailSettings::from_config(&config, &secret).map_err(|error| StartupError::Mail(error.to_string()))?;
        let poll = Duration::from_millis(config.worker_poll_ms);
        let mail_worker = MailWorker {
            db: storage.db.clone(),
            transport: Transport::from_config(&config).map_err(StartupError::Mail)?,
            settings: mail.clone(),
            first_retry: Duration::from_secs(config.mail_retry_seconds),
            // A claim of zero would lapse before the first renewal.
            claim: Duration::from_secs(config.mail_claim_seconds.max(1)),
        };
        let events_worker = crate::events::worker::EventsWorker {
            db: storage.db.clone(),
            mail: mail.clone(),
            reminder_before: chrono::Duration::hours(config.reminder_hours),
            keep_registrations: chrono::Duration::days(config.registration_retention_days),
        };
        let questions_worker = crate::questions::worker::QuestionsWorker {
            db: storage.db.clone(),
            mail: mail.clone(),
            answer_days: config.introduction_days,
            followup_days: config.followup_days,
            keep_personal_data: chrono::Duration::days(config.question_retention_days),
        };
        let workers = vec![
            tokio::spawn(search_sync::run_worker(storage.db.clone(), Arc::clone(&storage.search), poll)),
            tokio::spawn(mail_worker.run(poll)),
            tokio::spawn(events_worker.run()),
            tokio::spawn(questions_worker.run()),
        ];
        let state = web::Data::new(AppState {
            db: storage.db,
            search: storage.search,
            keys,
            csrf: Csrf::new(&secret, config.https()),
            limits: RateLimits::default(),
            mail,
            uploads: Uploads::from_config(&config)
                .map_err(|error| StartupError::DataDir(config.data_dir.display().to_string(), error))?,
            config,
        });
        let https = state.config.https();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(crate::routes::auth::login_first))
                .wrap(actix_web::middleware::from_fn(crate::routes::input_guard::refuse_control_characters))
                .wrap(actix_web::middleware::from_fn(crate::routes::methods::head_as_get))
                .wrap(actix_web::middleware::from_fn(crate::routes::headers::no_store_when_personal))
                .wrap(crate::routes::headers::security_headers(https))
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .configure(crate::routes::configure)
        })
        .listen(listener)
        .map_err(|error| StartupError::Bind("listener".into(), error))?
        .run();
        Ok(Application { port, server, workers })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (Ctrl-C or `ServerHandle::stop`), then stops the
    /// index worker so the index is released.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for worker in self.workers {
            worker.abort();
            let _ = worker.await;
        }
        result
    }
}
