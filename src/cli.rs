//! The `oogst` command line: serve, import, reindex.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::accounts::{self, AccountError, NewUser};
use crate::actor::Role;
use crate::config::Config;
use crate::documents::Uploads;
use crate::member_list::{self as member_import, ImportError};
use crate::search::IndexSettings;
use crate::search::{IndexStore, SearchError};
use crate::search_sync::{self, SyncError};
use crate::startup::{self, Application, StartupError, Storage};
use crate::vocabulary::Vocabulary;
use crate::{import, organisations};

#[derive(Debug, Parser)]
#[command(name = "oogst", version, about = "Oogst: the knowledge platform of the learning network")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web site (migrates the database and builds the index when needed).
    Serve {
        /// Fill an empty database with demo organisations and practices.
        #[arg(long)]
        demo: bool,
    },
    /// Import practices (.md with YAML front matter) and documents (.txt) from files and folders,
    /// and member lists (.csv, see the README).
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Rebuild the search index from the database into a fresh folder, swapped in atomically.
    Reindex,
    /// Read a file's text from stdin (used by the server, in a child process with limits).
    #[command(hide = true)]
    ExtractText { kind: String },
    /// Manage people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print a one-time link (valid 7 days) to set its password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// beheerder, redacteur or lid.
        #[arg(long, default_value = "beheerder")]
        role: String,
        /// Slug of the person's organisation (required for a redacteur).
        #[arg(long)]
        organisation: Option<String>,
    },
}

pub async fn run(cli: Cli, config: Config) -> ExitCode {
    let outcome = match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Import { paths } => import(config, paths).await,
        Command::Reindex => reindex(config).await,
        Command::ExtractText { kind } => Ok(extract_text(&kind)),
        Command::User { command: UserCommand::Create { email, name, role, organisation } } => {
            create_user(config, email, name, role, organisation).await
        }
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The extraction child: one file on stdin, its text on stdout (see `documents::extract`).
pub fn extract_text(kind: &str) -> ExitCode {
    match crate::documents::extract::run_child(kind) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

async fn serve(config: Config, demo: bool) -> Result<ExitCode, StartupError> {
    let application = Application::build(config.clone(), demo).await?;
    let host = config.bind.rsplit_once(':').map(|(host, _)| host).unwrap_or("127.0.0.1");
    tracing::info!(url = %format!("http://{host}:{}", application.port()), database = %redacted(&config.database_url()), "Oogst is running");
    application.run_until_stopped().await.map_err(|error| StartupError::Bind(config.bind, error))?;
    Ok(ExitCode::SUCCESS)
}

/// The database URL without its password, for logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}

fn progress_bar(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn index_is_busy(error: &StartupError) -> bool {
    matches!(error, StartupError::Index(SyncError::Search(SearchError::Busy)))
}

fn is_member_list(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
}

async fn import(config: Config, paths: Vec<PathBuf>) -> Result<ExitCode, StartupError> {
    let (member_lists, content): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|path| is_member_list(path));
    let mut succeeded = true;
    for path in &member_lists {
        succeeded &= import_members(&config, path).await?;
    }
    if !content.is_empty() {
        succeeded &= import_content(&config, content).await?;
    }
    Ok(if succeeded { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One member list; false when the file or a row could not be imported.
async fn import_members(config: &Config, path: &Path) -> Result<bool, StartupError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("skipped {}: {error}", path.display());
            return Ok(false);
        }
    };
    let db = startup::connect(config).await?;
    let report = match member_import::import(&db, &bytes, None).await {
        Ok(report) => report,
        Err(ImportError::Database(error)) => return Err(error.into()),
        Err(other) => {
            eprintln!("skipped {}: {other}", path.display());
            return Ok(false);
        }
    };
    for note in &report.notes {
        println!("{}, regel {}: {}", path.display(), note.line, note.message);
    }
    for failure in &report.failed {
        eprintln!("{}, regel {}: {}", path.display(), failure.line, failure.message);
    }
    println!("{}: {report}", path.display());
    Ok(report.failed.is_empty())
}

async fn import_content(config: &Config, paths: Vec<PathBuf>) -> Result<bool, StartupError> {
    let db = startup::connect(config).await?;
    let bar = progress_bar("importing");
    let uploads = Uploads::from_config(config)
        .map_err(|error| StartupError::DataDir(config.data_dir.display().to_string(), error))?;
    let report = import::import_paths(&db, &uploads, &paths, &bar).await?;
    bar.finish_and_clear();
    for (path, message) in &report.failed {
        eprintln!("skipped {}: {message}", path.display());
    }
    println!("{report}");
    drop(db);
    match Storage::open(config).await {
        Ok(_) => println!("search index updated"),
        Err(error) if index_is_busy(&error) => println!("the running server indexes the imported items"),
        Err(error) => return Err(error),
    }
    Ok(report.failed.is_empty())
}

async fn reindex(config: Config) -> Result<ExitCode, StartupError> {
    let db = startup::connect(&config).await?;
    let bar = progress_bar("indexing");
    let store = IndexStore::new(config.index_dir());
    let index =
        search_sync::rebuild(&db, &store, IndexSettings::from_config(&config), Some(&bar)).await.map_err(|error| {
            match error {
                SyncError::Search(SearchError::Busy) => StartupError::Index(SyncError::Search(SearchError::Busy)),
                other => StartupError::Index(other),
            }
        })?;
    bar.finish_and_clear();
    println!("search index rebuilt: {} items", index.num_docs());
    Ok(ExitCode::SUCCESS)
}

async fn create_user(
    config: Config,
    email: String,
    name: String,
    role: String,
    organisation: Option<String>,
) -> Result<ExitCode, StartupError> {
    let Some(role) = Role::from_slug(&role) else {
        eprintln!("error: unknown role '{role}' (use {})", Role::slugs().join(", "));
        return Ok(ExitCode::FAILURE);
    };
    let db = startup::connect(&config).await?;
    let organisation_id = match organisation {
        None => None,
        Some(slug) => match organisations::find_by_slug(&db, &slug).await? {
            Some(found) => Some(found.id),
            None => {
                eprintln!("error: no organisation with slug '{slug}'");
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    let new = NewUser { email, name, role, organisation_id, job_title: String::new() };
    match accounts::create_with_link(&db, &new).await {
        Ok((created, token)) => {
            println!("created {} ({}) as {}", created.name, created.email, role.label());
            println!("set the password within 7 days: {}{}", config.public_url(), accounts::set_password_path(&token));
            Ok(ExitCode::SUCCESS)
        }
        Err(AccountError::Invalid(errors)) => {
            eprintln!("error: {errors}");
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_logs() {
        assert_eq!(redacted("postgres://oogst:geheim@db:5432/oogst"), "postgres://…@db:5432/oogst");
        assert_eq!(redacted("sqlite://oogst-data/oogst.db?mode=rwc"), "sqlite://oogst-data/oogst.db?mode=rwc");
    }
}
