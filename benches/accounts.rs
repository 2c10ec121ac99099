//! Login and mail throughput: `cargo bench --bench accounts`.
//!
//! - argon2id cost: one hash and one verify with the production parameters;
//! - logins/s: `accounts::authenticate` (database lookup + argon2 verify) on 1 and 2 tasks;
//! - outbox: mails/s from the outbox to an SMTP server on loopback (mailin), on SQLite and,
//!   when `OOGST_BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/test)
//!   answers, on PostgreSQL.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};
use oogst::accounts::{self, passwords, NewUser};
use oogst::actor::Role;
use oogst::config::Config;
use oogst::mail::transport::Transport;
use oogst::mail::worker::MailWorker;
use oogst::mail::{self, Mail, MailSettings};
use sea_orm::{ConnectionTrait, Database};

const PASSWORD: &str = "paarse olifanten dansen op het dak";
const LOGINS: usize = 60;
const MAILS: usize = 2000;

#[derive(Clone)]
struct Count(Arc<AtomicUsize>);

impl Handler for Count {
    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::Relaxed);
        OK
    }
}

fn smtp_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(AtomicUsize::new(0));
    let handler = Count(Arc::clone(&received));
    std::thread::spawn(move || {
        let mut server = Server::new(handler);
        server.with_num_threads(16).with_tcp_listener(listener);
        server.serve().expect("SMTP server");
    });
    (port, received)
}

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

async fn run() {
    println!("== argon2id (m=19 MiB, t=2, p=1)");
    let started = Instant::now();
    let hash = passwords::hash(PASSWORD);
    println!("hash:   {:>7.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    let started = Instant::now();
    for _ in 0..10 {
        assert!(passwords::verify(PASSWORD, Some(&hash)));
    }
    println!("verify: {:>7.1} ms", started.elapsed().as_secs_f64() * 100.0);

    let (port, received) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(dir.path());
    config.smtp_url = format!("smtp://127.0.0.1:{port}");
    let sqlite = config.database_url();
    bench_database("SQLite", config.clone(), &sqlite, &received).await;

    let admin =
        std::env::var("OOGST_BENCH_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match Database::connect(&admin).await {
        Ok(connection) => {
            let name = format!("oogst_bench_accounts_{}", std::process::id());
            connection.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
            let server = admin.rsplit_once('/').map(|(server, _)| server).unwrap_or(&admin);
            config.database_url = format!("{server}/{name}");
            let url = config.database_url.clone();
            bench_database("PostgreSQL", config, &url, &received).await;
            connection.execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)")).await.unwrap();
        }
        Err(error) => println!("PostgreSQL not reachable ({error}); skipped"),
    }
}

async fn bench_database(label: &str, config: Config, url: &str, received: &Arc<AtomicUsize>) {
    println!("\n== {label}");
    let db = oogst::startup::connect(&Config { database_url: url.to_string(), ..config.clone() }).await.unwrap();
    let new = NewUser {
        email: "bench@example.nl".into(),
        name: "Bench".into(),
        role: Role::Lid,
        organisation_id: None,
        job_title: String::new(),
    };
    let (_, token) = accounts::create_with_link(&db, &new).await.unwrap();
    accounts::accept_invitation(&db, &token, PASSWORD).await.unwrap();

    for tasks in [1, 2] {
        let started = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..tasks {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                for _ in 0..LOGINS / tasks {
                    assert!(accounts::authenticate(&db, "bench@example.nl", PASSWORD).await.unwrap().is_some());
                }
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
        let per_second = LOGINS as f64 / started.elapsed().as_secs_f64();
        println!("logins/s with {tasks} task(s): {per_second:>7.1}");
    }

    let settings =
        MailSettings::from_config(&config, &oogst::accounts::secret::load_or_create(&config).unwrap()).unwrap();
    let started = Instant::now();
    for number in 0..MAILS {
        mail::enqueue(
            &db,
            &settings,
            Mail {
                to: &format!("lid{number}@example.nl"),
                subject: "Nieuw wachtwoord voor Oogst".into(),
                template: "password_reset",
                data: serde_json::json!({ "name": "Lid", "link": "http://oogst.test/wachtwoord-herstellen?token=x" }),
                calendar: None,
            },
        )
        .await
        .unwrap();
    }
    println!("enqueue (render + insert): {:>7.0} mails/s", MAILS as f64 / started.elapsed().as_secs_f64());

    let before = received.load(Ordering::Relaxed);
    let worker = MailWorker {
        db: db.clone(),
        transport: Transport::from_config(&config).unwrap(),
        settings,
        first_retry: Duration::from_secs(60),
        claim: Duration::from_secs(config.mail_claim_seconds),
    };
    let started = Instant::now();
    while received.load(Ordering::Relaxed) - before < MAILS {
        worker.deliver_due().await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("outbox to loopback SMTP:   {:>7.0} mails/s ({MAILS} mails in {elapsed:.1} s)", MAILS as f64 / elapsed);
}
