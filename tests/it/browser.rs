//! Flows in a real headless Chromium through the real server: each asserts what a person
//! sees, and every page on the way is checked with axe-core (WCAG 2.1 A/AA, at 1280 and 390
//! pixels) and the Nu HTML checker. They run on SQLite only: they test pages, not storage,
//! which the other integration tests cover on both databases.
//!
//! Without Chromium, chromedriver, Java or the checkers (`npm ci --prefix tests/browser`) each
//! test prints a notice and returns; with `CI=true` it fails instead.

mod harness;

use harness::Browser;
use oogst::accounts::Role;

use crate::common::{invite, Backend, TestApp, TestEnv, PASSWORD};
use crate::smtp::TestSmtp;

/// The demo site (mailing to `smtp`, if given) and a browser on it, or `None` where the
/// browser tools are missing.
async fn demo_site(smtp: Option<&TestSmtp>) -> Option<(TestEnv, TestApp, Browser)> {
    let tools = harness::tools_or_skip()?;
    let env = TestEnv::new(Backend::Sqlite).await;
    let config = match smtp {
        Some(smtp) => oogst::config::Config { smtp_url: smtp.url(), ..env.config() },
        None => env.config(),
    };
    let app = env.spawn_with(config, true).await;
    let browser = Browser::open(tools, &app.address).await;
    Some((env, app, browser))
}

async fn close(env: TestEnv, app: TestApp, browser: Browser) {
    browser.finish().await;
    app.stop().await;
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_with_a_facet_then_a_similar_initiative() {
    let Some((env, app, mut browser)) = demo_site(None).await else { return };

    browser.goto("/").await;
    browser.check("home").await;
    browser.capture("home").await;
    browser.type_into(".big-search input[type=search]", "school").await;
    browser.open_by(".big-search button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Zoeken");
    let unfiltered = browser.text("#results-title").await;

    // On a phone the filters fold away behind a control. (At 1280 pixels they stand open, but
    // chromedriver takes the content of a closed <details> for hidden whatever its style.)
    browser.resize(390).await;
    browser.click("details.facets summary").await;
    let facet_label = browser.text("details.facets .facet-option label").await;
    browser.click("details.facets .facet-option label").await;
    browser.open_by(".facet-actions button[type=submit]").await;
    let chosen = browser.text("ul.chips li:first-child a").await;
    let facet_name = facet_label.rsplit_once(" (").map(|(name, _)| name).unwrap_or(&facet_label);
    assert!(chosen.contains(facet_name), "chip {chosen:?} for the chosen filter {facet_label:?}");
    assert_ne!(browser.text("#results-title").await, unfiltered, "the filter narrows the results");
    browser.check("search").await;
    browser.capture("search").await;

    let first_hit = browser.text("ol.hits li:first-child h3 a").await;
    browser.open_by("ol.hits li:first-child h3 a").await;
    assert_eq!(browser.text("h1").await, first_hit);
    browser.check("practice").await;
    browser.capture("practice").await;

    let similar = browser.text(".similar li:first-child a").await;
    browser.open_by(".similar li:first-child a").await;
    assert_eq!(browser.text("h1").await, similar);
    assert_ne!(similar, first_hit);
    browser.check("similar-practice").await;

    close(env, app, browser).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_redirects_back_to_the_editor_where_a_practice_is_previewed_and_published() {
    let Some((env, app, mut browser)) = demo_site(None).await else { return };
    create_account(&app, "redacteur@example.nl", Role::Redacteur, Some("gemeente-tilburg")).await;

    browser.goto("/praktijken/nieuw").await;
    assert!(browser.path().await.starts_with("/inloggen?next="), "sent to the login page first");
    browser.check("login").await;

    browser.type_into("#email", "redacteur@example.nl").await;
    browser.type_into("#password", "niet het wachtwoord").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert!(browser.path().await.starts_with("/inloggen"), "a wrong password keeps the login page");
    assert!(!browser.text(".alert").await.is_empty(), "the login page says what went wrong");
    browser.check("login-error").await;

    browser.type_into("#password", PASSWORD).await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_eq!(browser.path().await, "/praktijken/nieuw", "back where the person wanted to go");
    browser.check("editor").await;
    browser.capture("editor").await;

    // A link that is no web address: the form comes back with the fault marked.
    browser.type_into("#title", "Huiswerkklas in de bibliotheek").await;
    browser.type_into("#links", "geen webadres").await;
    browser.open_by("button[value=publiceren]").await;
    assert!(!browser.text("#links-error").await.is_empty(), "the fault is shown at the field");
    browser.check("editor-errors").await;

    browser.type_into("#links", "").await;
    browser.type_into("#summary", "Kinderen maken hun huiswerk samen in de bibliotheek.").await;
    browser.type_into("#body", "## Aanpak\n\nVrijwilligers helpen **elke dinsdag**.").await;
    browser.open_by("button[value=voorbeeld]").await;
    assert_eq!(browser.text(".preview .body h2").await, "Aanpak");
    browser.check("editor-preview").await;

    browser.open_by("button[value=publiceren]").await;
    assert!(!browser.text(".notice").await.is_empty(), "the editor says what happened");
    assert!(browser.text("p.meta").await.contains("Gepubliceerd"), "{}", browser.text("p.meta").await);
    browser.check("editor-published").await;
    browser.open_by("p.meta a[href^='/praktijken/']").await;
    assert_eq!(browser.text("h1").await, "Huiswerkklas in de bibliotheek");
    assert!(browser.text("main").await.contains("Vrijwilligers helpen elke dinsdag."));
    browser.check("published-practice").await;

    close(env, app, browser).await;
}

/// An account with `role` that has set its password.
async fn create_account(app: &TestApp, email: &str, role: Role, organisation: Option<&str>) {
    let link = invite(app, email, role, organisation).await;
    let db = oogst::startup::connect(&app.config).await.unwrap();
    oogst::accounts::accept_invitation(&db, &link, PASSWORD).await.unwrap();
}

/// Logs a new account with `role` in through the login page.
async fn log_in_as(app: &TestApp, browser: &Browser, email: &str, role: Role, organisation: Option<&str>) {
    create_account(app, email, role, organisation).await;
    browser.goto("/inloggen").await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.open_by("form.stacked button[type=submit]").await;
}

/// The path of the link in `mail` to `prefix` (its address is the configured public one).
fn link_path(mail: &crate::smtp::ReceivedMail, prefix: &str) -> String {
    let link = mail.link(prefix);
    link[link.find(prefix).expect("the link has the path")..].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_registration_confirmed_then_cancelled_from_the_first_mail() {
    let smtp = TestSmtp::start();
    let Some((env, app, mut browser)) = demo_site(Some(&smtp)).await else { return };

    browser.goto("/agenda").await;
    browser.check("agenda").await;
    browser.open_by("a[href='/agenda/werksessie-thuiszitters-en-schoolaanwezigheid']").await;
    assert_eq!(browser.text("h1").await, "Werksessie: thuiszitters en schoolaanwezigheid");
    browser.check("event").await;
    browser.capture("event").await;

    browser.type_into("#name", "Fatima de Vries").await;
    browser.type_into("#email", "fatima@deelnemer.test").await;
    browser.click("form.stacked input[type=radio] + label").await;
    browser.open_by("form.stacked button[type=submit]").await;
    browser.check("event-registered").await;

    let first = smtp.wait_for("fatima@deelnemer.test", 1).await.remove(0);
    assert!(first.header("Subject").starts_with("Bevestig uw aanmelding"));
    browser.goto(&link_path(&first, "/aanmelding/bevestigen/")).await;
    browser.check("confirm").await;
    browser.open_by("main form button[type=submit]").await;
    assert!(browser.text("main").await.contains("U bent aangemeld"), "{}", browser.text("main").await);
    browser.check("confirmed").await;

    browser.goto(&link_path(&first, "/aanmelding/annuleren/")).await;
    assert!(browser.text("main").await.contains("Fatima de Vries"));
    browser.check("cancel").await;
    browser.open_by("main form button[type=submit]").await;
    assert!(browser.text("main").await.contains("U bent afgemeld"), "{}", browser.text("main").await);
    browser.check("cancelled").await;

    close(env, app, browser).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_document_is_found_by_a_phrase_inside_it() {
    let Some((env, app, mut browser)) = demo_site(None).await else { return };
    log_in_as(&app, &browser, "beheerder@example.nl", Role::Beheerder, None).await;
    let pdf = env.dir.path().join("zwemles.pdf");
    std::fs::write(&pdf, crate::files::pdf(&[&["Verslag van de pilot.", "Zwemles voor nieuwkomers in groep vijf."]]))
        .unwrap();

    browser.goto("/documenten/nieuw").await;
    browser.check("upload").await;
    browser.find("#file").await.send_keys(&pdf.display().to_string()).await.expect("file chosen");
    browser.type_into("#title", "Verslag zwemlespilot").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Verslag zwemlespilot");
    browser.check("document").await;

    // The index picks the upload up in the background: search until it is there.
    let started = std::time::Instant::now();
    loop {
        browser.goto("/zoeken?q=%22zwemles+voor+nieuwkomers%22").await;
        if browser.text("#results-title").await.starts_with("1 ") {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the upload is not found");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(browser.text("ol.hits li:first-child h3 a").await, "Verslag zwemlespilot");
    assert!(browser.text("ol.hits li:first-child .snippet").await.contains("nieuwkomers"));
    browser.check("document-found").await;

    close(env, app, browser).await;
}
