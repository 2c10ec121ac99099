use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use oogst::config::Config;
use oogst::documents::Uploads;
use oogst::startup::Application;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::task::JoinHandle;

pub mod postgres_server;

/// Declares a test that runs once on SQLite and once on PostgreSQL (where there is one, see
/// `postgres_server`).
#[macro_export]
macro_rules! storage_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_server::admin_url().is_none() {
                    return;
                }
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test, dropped at the end (PostgreSQL) or living in the
/// test's data folder (SQLite).
pub struct TestDb {
    pub url: String,
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub async fn create(backend: Backend, data_dir: &Path) -> TestDb {
        match backend {
            Backend::Sqlite => {
                TestDb { url: format!("sqlite://{}?mode=rwc", data_dir.join("oogst.db").display()), postgres: None }
            }
            Backend::Postgres => {
                let admin = postgres_server::admin_url()
                    .expect("a PostgreSQL storage test runs only where there is PostgreSQL")
                    .to_string();
                let name = format!(
                    "oogst_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_subsec_nanos()
                );
                let connection = Database::connect(&admin).await.expect("connect to the PostgreSQL test server");
                connection.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test db");
                let base = admin.split('?').next().unwrap_or(&admin);
                let server = base.rsplit_once('/').map(|(server, _)| server).unwrap_or(base);
                TestDb { url: format!("{server}/{name}"), postgres: Some((admin, name)) }
            }
        }
    }

    pub async fn drop_database(self) {
        if let Some((admin, name)) = self.postgres {
            let connection = Database::connect(&admin).await.expect("connect to the PostgreSQL test server");
            connection
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .expect("drop test database");
        }
    }
}

/// The platform running on a random port.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub config: Config,
    handle: ServerHandle,
    server: JoinHandle<std::io::Result<()>>,
}

/// A data folder and database for one test; apps can be started and stopped on it.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub db: TestDb,
}

impl TestEnv {
    pub async fn new(backend: Backend) -> TestEnv {
        // Warnings and errors of the app show up in a failing test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("temporary data folder");
        let db = TestDb::create(backend, dir.path()).await;
        TestEnv { dir, db }
    }

    pub fn config(&self) -> Config {
        Config {
            bind: "127.0.0.1:0".into(),
            database_url: self.db.url.clone(),
            worker_poll_ms: 100,
            extractor: env!("CARGO_BIN_EXE_oogst").into(),
            log: "warn".into(),
            ..Config::for_data_dir(self.dir.path())
        }
    }

    pub async fn spawn(&self, demo: bool) -> TestApp {
        self.spawn_with(self.config(), demo).await
    }

    /// Starts the app with a configuration of the test's own (e.g. with SMTP).
    pub async fn spawn_with(&self, config: Config, demo: bool) -> TestApp {
        let application = Application::build(config.clone(), demo).await.expect("application starts");
        let address = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        let server = tokio::spawn(application.run_until_stopped());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        TestApp { address, client, config, handle, server }
    }

    pub async fn finish(self) {
        self.db.drop_database().await;
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("request is answered")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// `GET /api/v1/search?{query}`, which must succeed.
    pub async fn search(&self, query: &str) -> Value {
        let (status, body) = self.get_json(&format!("/api/v1/search?{query}")).await;
        assert_eq!(status, 200, "search {query}: {body}");
        body
    }

    /// Slugs of the hits of a search.
    pub async fn slugs(&self, query: &str) -> Vec<String> {
        hit_slugs(&self.search(query).await)
    }

    /// Waits (at most `limit`) until `check` holds for the search's slugs.
    pub async fn wait_for_search(&self, query: &str, limit: Duration, check: impl Fn(&[String]) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            let slugs = self.slugs(query).await;
            if check(&slugs) {
                return started.elapsed();
            }
            assert!(started.elapsed() < limit, "search {query} did not change within {limit:?}: {slugs:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the search worker has applied every change recorded so far.
    pub async fn wait_for_outbox(&self) {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let db = oogst::startup::connect(&self.config).await.expect("connect to wait for the outbox");
        let started = Instant::now();
        while entity::search_outbox::Entity::find().count(&db).await.expect("outbox count") > 0 {
            assert!(started.elapsed() < Duration::from_secs(10), "the search outbox was not applied within 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A new browser: its own cookies.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client")
    }

    /// Opens a form page in `browser` and posts it with `fields` (the CSRF token is taken
    /// from the page, as a browser would send it); a page that does not open is returned.
    pub async fn submit_form(
        &self,
        browser: &reqwest::Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let page = browser.get(format!("{}{page}", self.address)).send().await.unwrap();
        if !page.status().is_success() {
            return page;
        }
        let html = page.text().await.unwrap();
        let csrf = hidden_field(&html, "csrf");
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        browser.post(format!("{}{action}", self.address)).form(&form).send().await.unwrap()
    }

    /// A Bearer token for the account.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let response = self
            .client
            .post(format!("{}/api/v1/auth/token", self.address))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login of {email}");
        response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
        self.server.await.expect("server task").expect("server ran");
    }
}

/// An API request with a Bearer token (and a JSON body if given): status and JSON answer.
pub async fn api(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.client.request(method, format!("{}{path}", app.address)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn hit_slugs(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|hit| hit["slug"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

pub fn fixtures(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(folder)
}

/// Imports files the way `oogst import` does, from a second connection while the server
/// runs; returns the import report.
pub async fn import(config: &Config, paths: &[PathBuf]) -> oogst::import::ImportReport {
    let db = oogst::startup::connect(config).await.expect("connect for import");
    let uploads = Uploads::from_config(config).expect("upload settings");
    oogst::import::import_paths(&db, &uploads, paths, &indicatif::ProgressBar::hidden()).await.expect("import runs")
}

/// The search fixtures: eleven published practices, one concept, one document.
pub const FIXTURE_PRACTICES: usize = 11;

/// An app with the search fixtures imported and indexed.
pub async fn app_with_fixtures(env: &TestEnv) -> TestApp {
    let app = env.spawn(false).await;
    let report = import(&app.config, &[fixtures("practices"), fixtures("documents")]).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    app.wait_for_search("kind=practice&per_page=100", Duration::from_secs(5), |slugs| slugs.len() == FIXTURE_PRACTICES)
        .await;
    app
}

/// The value of a hidden input in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

pub const PASSWORD: &str = "paarse olifanten dansen op het dak";

/// Creates an account with `role` (of `organisation`, a slug, if given) and returns the
/// token of its invitation link, as `oogst user create` would mail it.
pub async fn invite(app: &TestApp, email: &str, role: oogst::actor::Role, organisation: Option<&str>) -> String {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let organisation_id = match organisation {
        Some(slug) => Some(oogst::organisations::find_by_slug(&db, slug).await.unwrap().unwrap().id),
        None => None,
    };
    let new = oogst::accounts::NewUser {
        email: email.into(),
        name: email.into(),
        role,
        organisation_id,
        job_title: String::new(),
    };
    oogst::accounts::create_with_link(&db, &new).await.unwrap().1
}

/// A Bearer token for a new account with `role`, of `organisation` (a slug) if given.
pub async fn token_for(app: &TestApp, email: &str, role: oogst::actor::Role, organisation: Option<&str>) -> String {
    let link = invite(app, email, role, organisation).await;
    let db = oogst::startup::connect(&app.config).await.unwrap();
    oogst::accounts::accept_invitation(&db, &link, PASSWORD).await.unwrap();
    app.token(email, PASSWORD).await
}
