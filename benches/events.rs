//! Event registration throughput: `cargo bench --bench events`.
//!
//! On SQLite (a fresh data folder) and PostgreSQL (a database created for the run at
//! `OOGST_BENCH_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test, dropped
//! afterwards), through the product's own `Registrar`:
//!
//! - registrations/s: anonymous `register` (registration row, workshop choice and the
//!   confirmation mail in the outbox, one transaction) with 1 task and with 8 tasks;
//! - confirmations/s: `confirm` on 8 tasks for an event with fewer places than registrations,
//!   so both the place-taking UPDATEs and the waitlist run, each with its mail (.ics for a
//!   place). The run then checks that no place was handed out twice.
//!
//! Every operation's latency is recorded; the report gives p50 and p99 (nearest rank).

#[path = "shared/cpu.rs"]
mod cpu;

use cpu::CpuTimes;
use std::future::Future;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use chrono::Utc;
use entity::{event, mail_outbox, registration};
use oogst::accounts::{self, NewUser};
use oogst::actor::{Actor, Role};
use oogst::config::Config;
use oogst::events::registration::{Outcome, Registrar, RegistrationInput, CONFIRMED, UNCONFIRMED, WAITLISTED};
use oogst::events::{EventInput, ProgrammeInput};
use oogst::mail::MailSettings;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

/// The path of the link in the confirmation mail; the token follows it.
const CONFIRM_PATH: &str = "/aanmelding/bevestigen/";

/// What one run does; every figure can be changed through the environment.
struct Settings {
    registrations: usize,
    confirmations: usize,
    capacity: i32,
    tasks: usize,
    pg_url: String,
}

impl Settings {
    fn from_env() -> anyhow::Result<Settings> {
        let settings = Settings {
            registrations: env_or("OOGST_BENCH_REGISTRATIONS", 2000)?,
            confirmations: env_or("OOGST_BENCH_CONFIRMATIONS", 2000)?,
            capacity: env_or("OOGST_BENCH_CAPACITY", 1500)?,
            tasks: env_or("OOGST_BENCH_TASKS", 8)?,
            pg_url: env_or("OOGST_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test".to_string())?,
        };
        ensure!(settings.registrations > 0 && settings.confirmations > 0, "counts must be positive");
        ensure!(settings.tasks > 0, "OOGST_BENCH_TASKS must be positive");
        // The event form accepts 1..=100,000 places.
        ensure!((1..=100_000).contains(&settings.capacity), "OOGST_BENCH_CAPACITY must be 1..=100000");
        Ok(settings)
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(value) => value.trim().parse().map_err(|error| anyhow::anyhow!("{name}={value:?}: {error}")),
        Err(_) => Ok(default),
    }
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("events benchmark failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let quiet_before = other_cpu_during(Duration::from_secs(1)).await;
    println!(
        "{} registrations per run, {} confirmations for {} places, {} concurrent tasks",
        settings.registrations, settings.confirmations, settings.capacity, settings.tasks
    );
    if let Some(share) = quiet_before {
        println!("CPU used by other processes in the second before the run: {:.0}%", share * 100.0);
    }
    let dir = tempfile::tempdir().context("temporary data folder")?;
    let config = Config::for_data_dir(dir.path());
    let mut summary = vec![bench_backend("SQLite", &config, &settings).await?];
    match postgres(&config, &settings).await {
        Ok(Some(figures)) => summary.push(figures),
        Ok(None) => {}
        Err(error) => {
            print_summary(&summary, &settings);
            return Err(error.context("PostgreSQL"));
        }
    }
    print_summary(&summary, &settings);
    Ok(())
}

/// Runs the PostgreSQL half in a database of its own, which is dropped also after a failure.
/// `None` when the server is switched off or does not answer: SQLite alone is still a result.
async fn postgres(config: &Config, settings: &Settings) -> anyhow::Result<Option<Figures>> {
    let admin_url = settings.pg_url.trim();
    if admin_url.is_empty() || admin_url == "off" {
        println!("\nPostgreSQL skipped: OOGST_BENCH_DATABASE_URL is off");
        return Ok(None);
    }
    let admin = match tokio::time::timeout(Duration::from_secs(5), Database::connect(admin_url)).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => {
            println!("\nPostgreSQL skipped: {admin_url} is unreachable ({error})");
            return Ok(None);
        }
        Err(_) => {
            println!("\nPostgreSQL skipped: {admin_url} did not answer within 5 s");
            return Ok(None);
        }
    };
    let name = format!("oogst_bench_events_{}_{}", std::process::id(), Utc::now().timestamp_subsec_nanos());
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.context("CREATE DATABASE")?;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    let config = Config { database_url: format!("{server}/{name}"), ..config.clone() };
    let figures = bench_backend("PostgreSQL", &config, settings).await;
    // WITH (FORCE) ends the pool's connections the benchmark still holds.
    if let Err(error) = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await {
        println!("warning: could not drop database {name}: {error}");
    }
    figures.map(Some)
}

/// What the product needs to register people: the database, the mail settings and an organiser.
struct Backend {
    db: DatabaseConnection,
    mail: MailSettings,
    confirm_hours: i64,
    organiser: Actor,
}

impl Backend {
    async fn open(config: &Config) -> anyhow::Result<Backend> {
        let db = oogst::startup::connect(config).await.context("connect and migrate")?;
        let mail = MailSettings::from_config(config, &oogst::accounts::secret::load_or_create(config)?)?;
        let organiser = beheerder(&db).await?;
        Ok(Backend { db, mail, confirm_hours: config.confirm_hours, organiser })
    }

    fn registrar(&self) -> Registrar<'_> {
        Registrar { db: &self.db, mail: &self.mail, confirm_hours: self.confirm_hours }
    }
}

/// A beheerder to organise the events. The account needs no password: `Actor` is what a
/// verified session yields, and skipping the invitation saves an argon2 hash per backend.
async fn beheerder(db: &DatabaseConnection) -> anyhow::Result<Actor> {
    let new = NewUser {
        email: "programmabureau@example.nl".into(),
        name: "Programmabureau".into(),
        role: Role::Beheerder,
        organisation_id: None,
        job_title: String::new(),
    };
    Ok(Actor::of(accounts::create(db, &new, true).await?, String::new()))
}

/// Per-operation figures of one measured run.
struct Rate {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// One backend's row in the summary.
struct Figures {
    backend: &'static str,
    register_one: Rate,
    register_many: Rate,
    confirm: Rate,
}

async fn bench_backend(label: &'static str, config: &Config, settings: &Settings) -> anyhow::Result<Figures> {
    println!("\n== {label}");
    let backend = Arc::new(Backend::open(config).await?);
    let before = CpuTimes::now();
    let register_one = measure_registrations(&backend, "Werksessie een taak", 1, settings.registrations).await?;
    let register_many =
        measure_registrations(&backend, "Werksessie veel taken", settings.tasks, settings.registrations).await?;
    let confirm = measure_confirmations(&backend, settings).await?;
    if let (Some(before), Some(after)) = (before, CpuTimes::now()) {
        // On PostgreSQL "other processes" includes the server doing the benchmark's queries.
        println!(
            "CPU: this process {:.0}%, other processes {:.0}% of the machine",
            after.own_since(&before) * 100.0,
            after.others_since(&before) * 100.0
        );
    }
    Ok(Figures { backend: label, register_one, register_many, confirm })
}

/// An event created for one measurement, with its two workshops in the same slot.
struct BenchEvent {
    id: i32,
    slug: String,
    workshops: [i32; 2],
}

impl BenchEvent {
    /// Participants of each event get addresses of their own domain, so the event's mails can
    /// be told apart in the outbox without relying on the wording of subjects.
    fn domain(&self) -> String {
        format!("{}.example.nl", self.slug)
    }

    fn email(&self, number: usize) -> String {
        format!("deelnemer{number}@{}", self.domain())
    }
}

/// Creates an event a year from now through `events::save_as`, as an organiser would.
async fn create_event(
    backend: &Backend,
    title: &str,
    capacity: i32,
    workshop_capacity: i32,
) -> anyhow::Result<BenchEvent> {
    let day = (Utc::now() + chrono::Duration::days(365)).format("%Y-%m-%d").to_string();
    let workshop = |title: &str| ProgrammeInput {
        starts: "14:00".into(),
        ends: "15:00".into(),
        title: title.into(),
        workshop: true,
        capacity: Some(workshop_capacity),
    };
    let input = EventInput {
        title: title.into(),
        kind: "werksessie".into(),
        starts_at: format!("{day}T13:30"),
        ends_at: format!("{day}T16:30"),
        location: "Utrecht".into(),
        capacity,
        programme: vec![
            ProgrammeInput {
                starts: "13:30".into(),
                ends: "14:00".into(),
                title: "Opening".into(),
                workshop: false,
                capacity: None,
            },
            workshop("Thuiszitters in beeld"),
            workshop("Warme overdracht"),
        ],
        ..Default::default()
    };
    let saved = oogst::events::save_as(&backend.db, &backend.mail, &backend.organiser, None, input).await?;
    let workshops: Vec<i32> = oogst::events::programme(&backend.db, saved.id)
        .await?
        .into_iter()
        .filter(|item| item.kind == "workshop")
        .map(|item| item.id)
        .collect();
    let [first, second] = workshops[..] else { bail!("expected two workshops, found {}", workshops.len()) };
    Ok(BenchEvent { id: saved.id, slug: saved.slug, workshops: [first, second] })
}

/// Registers `count` people anonymously for a new event with room for all of them and
/// checks that every registration and its confirmation mail were stored.
async fn measure_registrations(
    backend: &Arc<Backend>,
    title: &str,
    tasks: usize,
    count: usize,
) -> anyhow::Result<Rate> {
    let places = i32::try_from(count).context("too many registrations")?.clamp(1, 100_000);
    let event = Arc::new(create_event(backend, title, places, places).await?);
    let timed = register_all(backend, &event, tasks, count).await?;
    let rate = timed.report(&format!("registrations, {}", tasks_label(tasks)));
    let stored = registrations_with_status(&backend.db, event.id, UNCONFIRMED).await?;
    let mails = EventMails::load(&backend.db, &event).await?;
    ensure!(stored == count as u64, "{stored} unconfirmed registrations stored, {count} expected");
    ensure!(mails.confirm_tokens.len() == count, "{} confirmation mails, {count} expected", mails.confirm_tokens.len());
    Ok(rate)
}

/// Registers people 0..count for `event`; the choice alternates between the two workshops.
async fn register_all(
    backend: &Arc<Backend>,
    event: &Arc<BenchEvent>,
    tasks: usize,
    count: usize,
) -> anyhow::Result<Timed<()>> {
    let (backend, event) = (Arc::clone(backend), Arc::clone(event));
    run_tasks(tasks, count, move |number| {
        let (backend, event) = (Arc::clone(&backend), Arc::clone(&event));
        async move {
            let input = RegistrationInput {
                name: format!("Deelnemer {number}"),
                email: event.email(number),
                organisation: "Samenwerkingsverband VO Zwolle e.o.".into(),
                role: "Zorgcoördinator".into(),
                remarks: String::new(),
                choices: vec![event.workshops[number % 2]],
            };
            match backend.registrar().register(&event.slug, input, None).await? {
                Outcome::Unconfirmed => Ok(()),
                other => bail!("anonymous registration gave {other:?}, expected unconfirmed"),
            }
        }
    })
    .await
}

/// Confirms every registration of an event with fewer places than registrations, on many
/// tasks at once, and checks the counts afterwards.
async fn measure_confirmations(backend: &Arc<Backend>, settings: &Settings) -> anyhow::Result<Rate> {
    let count = settings.confirmations;
    // Each workshop has as many places as the event, so only the event's capacity can run
    // out and the expected number of places is exactly min(capacity, confirmations).
    let event = Arc::new(create_event(backend, "Werksessie bevestigen", settings.capacity, settings.capacity).await?);
    register_all(backend, &event, settings.tasks, count).await.context("registering before confirming")?;
    let tokens = Arc::new(EventMails::load(&backend.db, &event).await?.confirm_tokens);
    ensure!(tokens.len() == count, "{} confirmation links in the outbox, {count} expected", tokens.len());
    let worker_backend = Arc::clone(backend);
    let timed = run_tasks(settings.tasks, count, move |number| {
        let (backend, tokens) = (Arc::clone(&worker_backend), Arc::clone(&tokens));
        async move { Ok(backend.registrar().confirm(&tokens[number]).await?.1) }
    })
    .await?;
    let rate = timed.report(&format!("confirmations, {}", tasks_label(settings.tasks)));
    print_latency_by_outcome(&timed);
    verify_confirmations(backend, &event, settings.capacity, &timed.outputs).await?;
    Ok(rate)
}

/// Taking a place and joining the waitlist are different paths (the waitlist counts who is
/// ahead), so their latencies are shown apart.
fn print_latency_by_outcome(timed: &Timed<Outcome>) {
    let (mut placed, mut waiting) = (Vec::new(), Vec::new());
    for (latency, outcome) in timed.latencies.iter().zip(&timed.outputs) {
        match outcome {
            Outcome::Confirmed => placed.push(*latency),
            _ => waiting.push(*latency),
        }
    }
    for (label, mut latencies) in [("place taken", placed), ("waitlisted", waiting)] {
        latencies.sort_unstable();
        println!(
            "  {label:<12} {:>6} ops     p50 {:>9}   p99 {:>9}",
            latencies.len(),
            ms(percentile(&latencies, 50.0)),
            ms(percentile(&latencies, 99.0))
        );
    }
}

/// No place handed out twice: the event's count matches min(capacity, confirmations), the
/// rows, the outcomes, the workshops and the mails all agree.
async fn verify_confirmations(
    backend: &Backend,
    bench_event: &BenchEvent,
    capacity: i32,
    outcomes: &[Outcome],
) -> anyhow::Result<()> {
    let db = &backend.db;
    let count = outcomes.len();
    let event = event::Entity::find_by_id(bench_event.id).one(db).await?.context("event vanished")?;
    let expected = capacity.min(i32::try_from(count)?);
    ensure!(event.confirmed <= event.capacity, "overbooked: {} confirmed for {} places", event.confirmed, capacity);
    ensure!(
        event.confirmed == expected,
        "{} confirmed, expected min({capacity}, {count}) = {expected}",
        event.confirmed
    );
    let placed = outcomes.iter().filter(|outcome| **outcome == Outcome::Confirmed).count();
    let positions: Vec<u64> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Waitlisted { position } => Some(*position),
            _ => None,
        })
        .collect();
    let waitlisted = count - expected as usize;
    ensure!(placed == expected as usize, "{placed} confirmed outcomes, {expected} places taken");
    ensure!(positions.len() == waitlisted, "{} waitlisted outcomes, {waitlisted} expected", positions.len());
    let confirmed_rows = registrations_with_status(db, event.id, CONFIRMED).await?;
    let waitlisted_rows = registrations_with_status(db, event.id, WAITLISTED).await?;
    ensure!(confirmed_rows == expected as u64, "{confirmed_rows} confirmed rows, {expected} expected");
    ensure!(waitlisted_rows == waitlisted as u64, "{waitlisted_rows} waitlisted rows, {waitlisted} expected");
    let workshops = workshop_counts(db, event.id).await?;
    let in_workshops: i32 = workshops.iter().map(|(confirmed, _)| confirmed).sum();
    ensure!(in_workshops == expected, "workshops hold {in_workshops} places, the event {expected}");
    ensure!(workshops.iter().all(|(confirmed, capacity)| confirmed <= capacity), "a workshop is overbooked");
    let mails = EventMails::load(db, bench_event).await?;
    ensure!(mails.invitations == expected as usize, "{} mails with .ics, {expected} expected", mails.invitations);
    ensure!(mails.others == waitlisted, "{} waitlist mails, {waitlisted} expected", mails.others);
    let mut distinct = positions.clone();
    distinct.sort_unstable();
    distinct.dedup();
    ensure!(distinct.len() == waitlisted, "{} distinct waitlist positions for {waitlisted} people", distinct.len());
    println!(
        "  check: {} confirmed = min({capacity}, {count}), workshops {}, {waitlisted} on the waitlist \
         (positions 1..{}, {} distinct); {} mails with .ics, {} waitlist mails: OK",
        event.confirmed,
        workshops.iter().map(|(confirmed, _)| confirmed.to_string()).collect::<Vec<_>>().join(" + "),
        positions.iter().max().copied().unwrap_or(0),
        distinct.len(),
        mails.invitations,
        mails.others,
    );
    Ok(())
}

async fn registrations_with_status(db: &DatabaseConnection, event_id: i32, status: &str) -> anyhow::Result<u64> {
    Ok(registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.eq(status))
        .count(db)
        .await?)
}

/// (confirmed, capacity) of each workshop of the event.
async fn workshop_counts(db: &DatabaseConnection, event_id: i32) -> anyhow::Result<Vec<(i32, i32)>> {
    Ok(oogst::events::programme(db, event_id)
        .await?
        .into_iter()
        .filter_map(|item| Some((item.confirmed, item.capacity?)))
        .collect())
}

/// The outbox mails to one event's participants, by what they carry.
struct EventMails {
    /// Tokens of the confirmation links, in outbox order.
    confirm_tokens: Vec<String>,
    /// Mails with an .ics invitation: a place was taken.
    invitations: usize,
    /// Neither: the waitlist mails.
    others: usize,
}

impl EventMails {
    async fn load(db: &DatabaseConnection, event: &BenchEvent) -> anyhow::Result<EventMails> {
        let rows = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::ToAddress.ends_with(format!("@{}", event.domain())))
            .all(db)
            .await?;
        let mut mails = EventMails { confirm_tokens: Vec::new(), invitations: 0, others: 0 };
        for row in rows {
            if let Some(token) = confirm_token(&row.text_body) {
                mails.confirm_tokens.push(token);
            } else if row.calendar.as_deref().is_some_and(|ics| ics.contains("BEGIN:VCALENDAR")) {
                mails.invitations += 1;
            } else {
                mails.others += 1;
            }
        }
        Ok(mails)
    }
}

/// The token is only in the mail: the database keeps its hash.
fn confirm_token(text: &str) -> Option<String> {
    let (_, after) = text.split_once(CONFIRM_PATH)?;
    let token: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
    (!token.is_empty()).then_some(token)
}

/// The outcome of `count` operations spread over tasks.
struct Timed<T> {
    elapsed: Duration,
    latencies: Vec<Duration>,
    outputs: Vec<T>,
}

impl<T> Timed<T> {
    /// Prints the throughput and latency line and returns the figures for the summary.
    fn report(&self, label: &str) -> Rate {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let rate = Rate {
            per_second: sorted.len() as f64 / self.elapsed.as_secs_f64(),
            p50: percentile(&sorted, 50.0),
            p99: percentile(&sorted, 99.0),
        };
        println!(
            "{label:<26} {:>6} in {:>6.2} s = {:>7.1}/s   p50 {:>7}   p99 {:>7}",
            sorted.len(),
            self.elapsed.as_secs_f64(),
            rate.per_second,
            ms(rate.p50),
            ms(rate.p99)
        );
        rate
    }
}

/// Runs operations 0..count on `tasks` tasks. Each task takes the next number from a shared
/// counter, so a task that falls behind does not leave the others idle at the end and the
/// elapsed time is that of sustained load. The first error stops the other tasks.
async fn run_tasks<T, F, Fut>(tasks: usize, count: usize, operation: F) -> anyhow::Result<Timed<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let operation = Arc::new(operation);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (operation, next) = (Arc::clone(&operation), Arc::clone(&next));
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let number = next.fetch_add(1, Ordering::Relaxed);
                    if number >= count {
                        return Ok(done);
                    }
                    let begun = Instant::now();
                    match operation(number).await {
                        Ok(output) => done.push((begun.elapsed(), output)),
                        Err(error) => {
                            next.store(count, Ordering::Relaxed);
                            return Err(error.context(format!("operation {number}")));
                        }
                    }
                }
            })
        })
        .collect();
    let mut results = Vec::with_capacity(count);
    for handle in handles {
        results.extend(handle.await??);
    }
    let elapsed = started.elapsed();
    let (latencies, outputs) = results.into_iter().unzip();
    Ok(Timed { elapsed, latencies, outputs })
}

/// Nearest-rank percentile of sorted latencies.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn tasks_label(tasks: usize) -> String {
    if tasks == 1 {
        "1 task".into()
    } else {
        format!("{tasks} tasks")
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn print_summary(summary: &[Figures], settings: &Settings) {
    let tasks = tasks_label(settings.tasks);
    println!("\n== Summary (per second; p50 / p99 latency per operation)");
    println!("| backend | registrations, 1 task | registrations, {tasks} | confirmations, {tasks} |");
    println!("|---|---:|---:|---:|");
    for figures in summary {
        let cell = |rate: &Rate| format!("{:.0}/s ({} / {})", rate.per_second, ms(rate.p50), ms(rate.p99));
        println!(
            "| {} | {} | {} | {} |",
            figures.backend,
            cell(&figures.register_one),
            cell(&figures.register_many),
            cell(&figures.confirm)
        );
    }
}

/// What other processes used of the CPU over `window`: a busy machine lowers every figure.
async fn other_cpu_during(window: Duration) -> Option<f64> {
    let before = CpuTimes::now()?;
    tokio::time::sleep(window).await;
    Some(CpuTimes::now()?.others_since(&before))
}
