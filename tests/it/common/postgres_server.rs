//! The PostgreSQL server of the storage tests, settled once per test process:
//! `OOGST_TEST_DATABASE_URL` when it is set; otherwise a private throw-away server started from
//! this machine's own binaries (initdb and postgres in a temporary folder, on a free port);
//! and only where there are none, no PostgreSQL at all: the PostgreSQL halves of the storage
//! tests then return at once and the run says so.
//!
//! Statics are never dropped, so nothing in this process can stop the private server when the
//! process ends. A watchdog shell does: it waits for the end of a pipe whose writing end only
//! this process holds (std opens pipes close-on-exec, so the app's own child processes do not
//! inherit it). However the process ends (passing, panicking, killed), the pipe closes, the
//! watchdog's `read` returns, and it shuts postgres down and removes the folder. Postgres and
//! the watchdog run in process groups of their own, so a Ctrl-C reaches only the test process
//! and the cleanup still runs.

use std::fs::File;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where the PostgreSQL halves of the storage tests create their databases.
enum PostgresServer {
    /// `OOGST_TEST_DATABASE_URL`.
    Given(String),
    /// Started for this process, gone with it.
    Private(PrivateServer),
    /// Neither a URL nor binaries (the reason): the storage tests run on SQLite only.
    Unavailable(String),
}

static SERVER: OnceLock<Result<PostgresServer, String>> = OnceLock::new();

/// The URL of a database on the tests' PostgreSQL server where the user may create databases,
/// or `None` when there is no PostgreSQL. Starts the private server on first use; a server that
/// should start but does not fails every test that needs it, with the reason.
pub fn admin_url() -> Option<&'static str> {
    let server = SERVER.get_or_init(|| {
        let server = settle(
            std::env::var("OOGST_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty()),
            std::env::var_os("OOGST_TEST_PG_BINDIR").map(PathBuf::from),
        );
        announce(&server);
        server
    });
    match server {
        Ok(PostgresServer::Given(url)) => Some(url),
        Ok(PostgresServer::Private(private)) => Some(&private.admin_url),
        Ok(PostgresServer::Unavailable(_)) => None,
        Err(failure) => panic!("{failure}"),
    }
}

fn settle(given_url: Option<String>, bindir_override: Option<PathBuf>) -> Result<PostgresServer, String> {
    if let Some(url) = given_url {
        return Ok(PostgresServer::Given(url));
    }
    match PrivateServer::start(bindir_override) {
        Ok(private) => Ok(PostgresServer::Private(private)),
        Err(StartError::Unavailable(reason)) => Ok(PostgresServer::Unavailable(reason)),
        Err(StartError::Failed(failure)) => Err(failure),
    }
}

/// Says once per run where the storage tests went when no URL was given. Written to stderr
/// directly: the test harness captures `eprintln!` of passing tests, not the stream itself.
fn announce(server: &Result<PostgresServer, String>) {
    let line = match server {
        Ok(PostgresServer::Private(private)) => {
            format!("PostgreSQL: private server for this run in {}", private.folder.display())
        }
        Ok(PostgresServer::Unavailable(reason)) => format!(
            "PostgreSQL not available: storage tests ran on SQLite only ({reason}; \
             set OOGST_TEST_DATABASE_URL or install PostgreSQL)"
        ),
        Ok(PostgresServer::Given(_)) | Err(_) => return,
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[derive(Debug)]
enum StartError {
    /// No PostgreSQL to start on this machine: not a failure, the tests use SQLite only.
    Unavailable(String),
    Failed(String),
}

/// A PostgreSQL server of this process; dropping it (or ending the process) stops it and
/// removes its folder.
struct PrivateServer {
    admin_url: String,
    folder: PathBuf,
    /// Closing it wakes the watchdog.
    _watchdog: ChildStdin,
}

/// Waits for the end of its standard input, then stops postgres ($1) with a fast shutdown
/// (postgres removes its pid file when it is down), and removes the folder ($2).
const WATCHDOG: &str = r#"
read -r _
kill -INT "$1" 2>/dev/null
tries=0
while [ -e "$2/data/postmaster.pid" ] && [ "$tries" -lt 300 ]; do sleep 0.1; tries=$((tries + 1)); done
kill -KILL "$1" 2>/dev/null
rm -rf "$2"
"#;

impl PrivateServer {
    fn start(bindir_override: Option<PathBuf>) -> Result<PrivateServer, StartError> {
        let bindir = find_binaries(bindir_override)
            .ok_or_else(|| StartError::Unavailable("no initdb, postgres and pg_isready found".into()))?;
        let account = Account::for_postgres()?;
        let folder = tempfile::Builder::new().prefix("oogst-pg-").tempdir().map_err(failed("temporary folder"))?;
        account.take(folder.path())?;
        let data = folder.path().join("data");
        init_cluster(&bindir, &account, folder.path(), &data)?;

        let port = free_port()?;
        let log = File::create(folder.path().join("postgres.log")).map_err(failed("postgres.log"))?;
        let mut postgres = account.command(&bindir.join("postgres"), folder.path());
        postgres
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
            .arg(folder.path())
            // Durability is of no use for a throw-away server; the tests run in parallel, each
            // with its own pool.
            .args(["-F", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(failed("postgres.log"))?)
            .stderr(log);
        let mut postgres = postgres.spawn().map_err(failed("start postgres"))?;

        let watchdog = Command::new("sh")
            .args(["-c", WATCHDOG, "sh", &postgres.id().to_string()])
            .arg(folder.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        let watchdog = match watchdog {
            Ok(mut watchdog) => watchdog.stdin.take().expect("piped stdin"),
            Err(error) => {
                let _ = postgres.kill();
                let _ = postgres.wait();
                return Err(StartError::Failed(format!("start the watchdog of the private PostgreSQL: {error}")));
            }
        };
        // From here on the watchdog removes the folder.
        let server = PrivateServer {
            admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            folder: folder.keep(),
            _watchdog: watchdog,
        };
        server.wait_until_ready(&bindir, port, &mut postgres)?;
        Ok(server)
    }

    fn wait_until_ready(&self, bindir: &Path, port: u16, postgres: &mut std::process::Child) -> Result<(), StartError> {
        let started = Instant::now();
        loop {
            let ready = Command::new(bindir.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .status()
                .map_err(failed("run pg_isready"))?;
            if ready.success() {
                return Ok(());
            }
            let exited = postgres.try_wait().map_err(failed("watch postgres"))?;
            if exited.is_some() || started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(self.folder.join("postgres.log")).unwrap_or_default();
                return Err(StartError::Failed(format!("the private PostgreSQL did not start:\n{log}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn init_cluster(bindir: &Path, account: &Account, folder: &Path, data: &Path) -> Result<(), StartError> {
    let output = account
        .command(&bindir.join("initdb"), folder)
        .arg("-D")
        .arg(data)
        .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        .output()
        .map_err(failed("run initdb"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(StartError::Failed(format!(
        "initdb of the private PostgreSQL failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )))
}

/// The first folder holding initdb, postgres and pg_isready: the override if given (and then
/// only it), else `pg_config --bindir`, Debian's `/usr/lib/postgresql/<version>/bin` (newest
/// first), the `PATH`.
fn find_binaries(bindir_override: Option<PathBuf>) -> Option<PathBuf> {
    let candidates = match bindir_override {
        Some(folder) => vec![folder],
        None => pg_config_bindir().into_iter().chain(debian_bindirs()).chain(path_dirs()).collect(),
    };
    candidates.into_iter().find(|folder| ["initdb", "postgres", "pg_isready"].iter().all(|b| folder.join(b).is_file()))
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok().filter(|output| output.status.success())?;
    Some(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

fn debian_bindirs() -> Vec<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, bindir)| bindir).collect()
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect()).unwrap_or_default()
}

/// Who runs initdb and postgres: they refuse to run as root, so root hands them to the
/// `postgres` account.
enum Account {
    Current,
    Other { uid: u32, gid: u32 },
}

impl Account {
    fn for_postgres() -> Result<Account, StartError> {
        if id(&["-u"]) != Some(0) {
            return Ok(Account::Current);
        }
        match (id(&["-u", "postgres"]), id(&["-g", "postgres"])) {
            (Some(uid), Some(gid)) => Ok(Account::Other { uid, gid }),
            _ => Err(StartError::Unavailable("running as root and there is no postgres account".into())),
        }
    }

    fn take(&self, folder: &Path) -> Result<(), StartError> {
        match self {
            Account::Current => Ok(()),
            Account::Other { uid, gid } => {
                std::os::unix::fs::chown(folder, Some(*uid), Some(*gid)).map_err(failed("hand the folder over"))
            }
        }
    }

    fn command(&self, program: &Path, folder: &Path) -> Command {
        let mut command = Command::new(program);
        // Its own folder: the account may not enter the current one. Its own process group:
        // a Ctrl-C stops the tests, the watchdog stops postgres.
        command.current_dir(folder).process_group(0);
        if let Account::Other { uid, gid } = self {
            command.uid(*uid).gid(*gid);
        }
        command
    }
}

/// A number from `id` (e.g. `id -u postgres`), through the system's own account lookup.
fn id(args: &[&str]) -> Option<u32> {
    let output = Command::new("id").args(args).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().parse().ok()).flatten()
}

/// A port nobody listens on now (postgres takes it right after).
fn free_port() -> Result<u16, StartError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(failed("find a free port"))?;
    Ok(listener.local_addr().map_err(failed("find a free port"))?.port())
}

fn failed(what: &'static str) -> impl Fn(std::io::Error) -> StartError {
    move |error| StartError::Failed(format!("private PostgreSQL: {what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database};

    #[test]
    fn a_given_url_is_used_as_it_is() {
        let server = settle(Some("postgres://elsewhere/test".into()), None);
        assert!(matches!(server, Ok(PostgresServer::Given(url)) if url == "postgres://elsewhere/test"));
    }

    #[test]
    fn without_url_or_binaries_the_storage_tests_run_on_sqlite_only() {
        let server = settle(None, Some("/nonexistent/postgresql/bin".into()));
        assert!(matches!(server, Ok(PostgresServer::Unavailable(_))));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_private_server_answers_and_is_gone_with_its_watchdog() {
        let server = match PrivateServer::start(None) {
            Ok(server) => server,
            Err(StartError::Unavailable(_)) => return,
            Err(StartError::Failed(failure)) => panic!("{failure}"),
        };
        let connection = Database::connect(&server.admin_url).await.expect("connect to the private server");
        connection.execute_unprepared("CREATE DATABASE oogst_private_check").await.expect("create a database");
        connection.close().await.expect("disconnect");

        let folder = server.folder.clone();
        drop(server);
        let stopped = Instant::now();
        while folder.exists() {
            assert!(stopped.elapsed() < Duration::from_secs(60), "{} was not removed", folder.display());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
