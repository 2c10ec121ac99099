//! Flows in a real headless Chromium through the real server: each asserts what a person
//! sees, and every page on the way is checked with axe-core (WCAG 2.1 A/AA, at 1280 and 390
//! pixels) and the Nu HTML checker. They run on SQLite only: they test pages, not storage,
//! which the other integration tests cover on both databases.
//!
//! Without Chromium, chromedriver, Java or the checkers (`npm ci --prefix tests/browser`) each
//! test prints a notice and returns; with `CI=true` it fails instead.

mod harness;

use harness::Browser;
use oogst::actor::Role;
use oogst::config::Config;

use crate::common::{invite, Backend, TestApp, TestEnv, PASSWORD};
use crate::smtp::TestSmtp;

/// The demo site (its test configuration changed by `adjust`) and a browser on it, or `None`
/// where the browser tools are missing.
async fn demo_site(adjust: impl FnOnce(&mut Config)) -> Option<(TestEnv, TestApp, Browser)> {
    let tools = harness::tools_or_skip()?;
    let env = TestEnv::new(Backend::Sqlite).await;
    let mut config = env.config();
    adjust(&mut config);
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
    let Some((env, app, mut browser)) = demo_site(|_| {}).await else { return };

    browser.goto("/").await;
    browser.check("home").await;
    browser.capture("home").await;
    browser.type_into(".big-search input[type=search]", "school").await;
    browser.open_by(".big-search button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Zoeken");
    let unfiltered = browser.text("#results-title").await;

    // On a phone the results come first and the filters fold away behind a control. (At 1280
    // pixels they stand open, but chromedriver takes the content of a closed <details> for
    // hidden whatever its style.)
    browser.resize(390).await;
    let results_first: bool = browser
        .eval(
            "const results = document.querySelector('.results'), filters = document.querySelector('details.facets');
               return results.getBoundingClientRect().bottom <= filters.getBoundingClientRect().top
                   && !!(results.compareDocumentPosition(filters) & Node.DOCUMENT_POSITION_FOLLOWING);",
        )
        .await;
    assert!(results_first, "on a phone the results stand above the filters and come first when read aloud");
    // The header (skip link, name, eight links, search) and the page's search box come first.
    let on_the_way = browser.tab_to("ol.hits li:first-child h3 a", 15).await;
    assert!(!on_the_way.iter().any(|focused| focused.starts_with("input[checkbox]")), "{on_the_way:#?}");
    let first_filter = "details.facets .facet-option input";
    assert!(!browser.find(first_filter).await.is_displayed().await.unwrap(), "the filters start folded away");
    browser.click("details.facets summary").await;
    assert!(browser.find(first_filter).await.is_displayed().await.unwrap(), "the Filters control shows them");
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
    let Some((env, app, mut browser)) = demo_site(|_| {}).await else { return };
    create_account(&app, "redacteur@example.nl", Role::Redacteur, Some("gemeente-tilburg")).await;

    browser.goto("/praktijken/nieuw").await;
    assert!(browser.path().await.starts_with("/inloggen?next="), "sent to the login page first");
    browser.check("login").await;

    browser.type_into("#email", "redacteur@example.nl").await;
    browser.type_into("#password", "niet het wachtwoord").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert!(browser.path().await.starts_with("/inloggen"), "a wrong password keeps the login page");
    assert!(!browser.text(".alert").await.is_empty(), "the login page says what went wrong");
    assert!(browser.focus_is_on(".error-summary").await, "the error is read out first");
    browser.check("login-error").await;

    browser.type_into("#password", PASSWORD).await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_eq!(browser.path().await, "/praktijken/nieuw", "back where the person wanted to go");
    browser.check("editor").await;
    browser.capture("editor").await;

    // A link that is no web address: the form comes back with the fault marked.
    browser.type_into("#title", LONG_TITLE).await;
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
    assert_eq!(browser.text("h1").await, LONG_TITLE);
    assert!(browser.text("main").await.contains("Vrijwilligers helpen elke dinsdag."));
    browser.resize(390).await;
    let page_width: u32 = browser.eval("return document.documentElement.scrollWidth;").await;
    assert!(page_width <= 390, "the long title wraps on a phone: the page is {page_width} pixels wide");
    browser.check("published-practice").await;

    close(env, app, browser).await;
}

/// A title with a long Dutch compound, which has to break to fit on a phone.
const LONG_TITLE: &str = "Huiswerkbegeleidingsvrijwilligersprogramma in de bibliotheek";

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
    let Some((env, app, mut browser)) = demo_site(|config| config.smtp_url = smtp.url()).await else { return };

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
    let Some((env, app, mut browser)) = demo_site(|_| {}).await else { return };
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

/// Pages of the menu and the footer that no flow above passes through.
const VISITOR_PAGES: [&str; 18] = [
    "/vraag-stellen",
    "/vragen",
    "/praktijken",
    "/leden",
    "/leden?q=thuiszitters&province=Utrecht",
    "/zoeken?q=thuiszitters&kind=person",
    "/leden/pieter-hoekstra",
    "/leden/pieter-hoekstra/contact",
    "/praktijken/kinderogen-jeugdhulp-sbo-vso/contact",
    "/organisaties",
    "/themas",
    "/nieuws",
    "/agenda?periode=voorbij",
    "/contact",
    "/toegankelijkheid",
    "/privacy",
    "/wachtwoord-vergeten",
    "/aanmelden",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_a_visitor_reaches_passes_the_checkers() {
    let Some((env, app, mut browser)) = demo_site(|config| config.self_signup = true).await else { return };

    check_pages(&mut browser, &VISITOR_PAGES).await;
    for (list, item) in [("/organisaties", ".org-list a"), ("/themas", ".theme-list a")] {
        browser.goto(list).await;
        browser.open_by(item).await;
        browser.check(&page_name(&browser.path().await)).await;
    }
    browser.goto("/bestaat-niet").await;
    assert_eq!(browser.text("h1").await, "Pagina niet gevonden");
    browser.check("not-found").await;
    // A quoted phrase that occurs nowhere: the results of its words, and a notice saying so.
    browser.goto("/zoeken?q=%22thuiszitters+kinderopvang+Zeeland%22").await;
    assert!(browser.text(".widened").await.contains("wel met een deel ervan"));
    browser.check("search-widened").await;

    browser.goto("/aanmelden").await;
    browser.type_into("#name", " ").await;
    browser.type_into("#email", "nieuw-lid@example.nl").await;
    browser.type_into("#password", PASSWORD).await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(&browser, "#name-error").await;
    browser.check("signup-errors").await;

    let token = invite(&app, "uitgenodigd@example.nl", Role::Lid, None).await;
    browser.goto(&oogst::accounts::set_password_path(&token)).await;
    browser.check("set-password").await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#password_again", "een ander wachtwoord").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(&browser, "#password-error").await;
    browser.check("set-password-errors").await;

    close(env, app, browser).await;
}

/// What the programme office reaches from "Beheer" and the menu, besides the editor.
const PROGRAMME_OFFICE_PAGES: [&str; 27] = [
    "/beheer/vragen",
    "/beheer/vragen/nieuw",
    "/account",
    "/profiel",
    "/profiel/verwijderen",
    "/beheer/leden",
    "/beheer/leden/bas-willems",
    "/beheer/leden/bas-willems/verwijderen",
    "/beheer/leden/importeren",
    "/leden/bas-willems",
    "/leden/bas-willems/contact",
    "/beheer",
    "/beheer/mensen",
    "/uitnodigen",
    "/beheer/organisaties",
    "/beheer/organisaties/nieuw",
    "/beheer/organisaties/gemeente-tilburg",
    "/beheer/themas",
    "/beheer/paginas",
    "/beheer/mail",
    "/beheer/logboek",
    "/mijn-praktijken",
    "/nieuws/nieuw",
    "/agenda/nieuw",
    "/agenda/werksessie-thuiszitters-en-schoolaanwezigheid/aanmeldingen",
    "/agenda/werksessie-thuiszitters-en-schoolaanwezigheid/bewerken",
    "/uitloggen",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_the_programme_office_passes_the_checkers() {
    let Some((env, app, mut browser)) = demo_site(|_| {}).await else { return };
    log_in_as(&app, &browser, "beheerder@example.nl", Role::Beheerder, None).await;

    let header_row: bool = browser
        .eval(
            "const nav = document.querySelector('nav[aria-label=Hoofdmenu]').getBoundingClientRect();
               const search = document.querySelector('.header-search').getBoundingClientRect();
               return search.top < nav.bottom && nav.top < search.bottom;",
        )
        .await;
    assert!(header_row, "logged in at 1280 pixels, the menu and the search box share one row");

    check_pages(&mut browser, &PROGRAMME_OFFICE_PAGES).await;
    browser.goto("/beheer/themas").await;
    browser.open_by("main .plain a").await;
    browser.check("theme-edit").await;
    // Published twice, a practice has an earlier version to look at and to put back.
    browser.goto("/mijn-praktijken").await;
    browser.open_by("table.list a").await;
    browser.check("practice-edit").await;
    browser.open_by("button[value=publiceren]").await;
    browser.open_by("button[value=publiceren]").await;
    let versions = browser.path().await.replace("/bewerken", "/versies");
    browser.goto(&versions).await;
    browser.check("versions").await;
    browser.open_by("table a").await;
    browser.check("version").await;

    edit_a_site_page(&mut browser).await;
    failed_forms_of_the_programme_office(&mut browser).await;

    close(env, app, browser).await;
}

/// The question desk from three sides: the office enters a question and asks an expert, the
/// expert answers from the link in the mail, the asker says whether it helped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_question_desk_passes_the_checkers() {
    let smtp = TestSmtp::start();
    let Some((env, app, mut browser)) = demo_site(|config| {
        config.smtp_url = smtp.url();
        config.followup_days = 0;
    })
    .await
    else {
        return;
    };
    log_in_as(&app, &browser, "beheerder@example.nl", Role::Beheerder, None).await;
    browser.goto("/beheer/vragen/nieuw").await;
    browser.type_into("#name", "Anouk de Vries").await;
    browser.type_into("#email", "anouk@example.nl").await;
    browser.type_into("#question", "Hoe krijgen we thuiszitters weer naar school, samen met het SWV?").await;
    // As the question is typed, themes are ticked and practices that may help appear.
    let started = std::time::Instant::now();
    while browser.eval::<bool>("return document.getElementById('hints').hidden;").await {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "no hints while typing");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!browser.text("#hints-list").await.is_empty());
    let ticked: bool = browser.eval("return document.querySelectorAll('input[name=themes]:checked').length > 0;").await;
    assert!(ticked, "a theme is ticked from the text");
    browser.check("question-form-hints").await;
    browser.click("#share_anonymised").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert!(browser.text("h1").await.starts_with("Vraag "));
    let question_page = browser.path().await;
    browser.check("question").await;
    browser.open_by("form[action$='/experts'] button[type=submit]").await;
    assert_shown_again_with_errors(&browser, "#experts-error").await;
    browser.check("question-experts-errors").await;
    browser.click("#experts input[type=checkbox]").await;
    browser.open_by("form[action$='/experts'] button[type=submit]").await;
    browser.check("question-expert-asked").await;

    let request = smtp.wait_for("@", 2).await.into_iter().find(|mail| mail.header("Subject").contains("Wilt u helpen"));
    let link = request.expect("a request mail").link("antwoord=nee");
    let path = &link[link.find("/vraag/").unwrap()..];
    browser.goto(path).await;
    browser.check("request-declining").await;
    browser.goto(path.split('?').next().unwrap()).await;
    browser.check("request").await;
    browser.open_by("#accept button").await;
    assert!(browser.text(".lead").await.contains("Geaccepteerd"));
    browser.check("request-accepted").await;

    let db = oogst::startup::connect(&app.config).await.unwrap();
    let secret = oogst::accounts::secret::load_or_create(&app.config).unwrap();
    let settings = oogst::mail::MailSettings::from_config(&app.config, &secret).unwrap();
    oogst::questions::followup::send_due(&db, &settings).await.unwrap();
    let mails = smtp.wait_for("anouk@example.nl", 3).await;
    let followup = mails.iter().find(|mail| mail.header("Subject").contains("geholpen")).expect("a follow-up");
    let link = followup.link("cijfer=5");
    browser.goto(&link[link.find("/vraag/").unwrap()..]).await;
    browser.check("followup").await;
    browser.open_by("#score-form button").await;
    assert!(browser.text(".lead").await.contains("Dank u wel"));
    browser.check("followup-answered").await;

    // Matched, the question can join the archive: without a title the form comes back.
    browser.goto(&question_page).await;
    browser.type_into("#title", " ").await;
    browser.type_into("#answer", " ").await;
    browser.open_by("button[value=publiceren]").await;
    assert_shown_again_with_errors(&browser, "#title-error").await;
    browser.check("question-archive-errors").await;
    browser.type_into("#title", "Thuiszitters terug naar school").await;
    browser.type_into("#answer", "Een expert bracht school, leerplicht en jeugdhulp samen aan tafel.").await;
    browser.open_by("button[value=publiceren]").await;
    browser.goto(&question_page.replace("/beheer/vragen/", "/vragen/")).await;
    assert_eq!(browser.text("h1").await, "Thuiszitters terug naar school");
    browser.check("archived-question").await;
    browser.goto("/beheer/vragen/cijfers").await;
    browser.check("question-figures").await;

    close(env, app, browser).await;
}

/// The contact page's form, previewed, then saved without a title.
async fn edit_a_site_page(browser: &mut Browser) {
    browser.goto("/beheer/paginas/contact").await;
    browser.check("page-edit").await;
    browser.type_into("#body_markdown", "## Bereikbaarheid\n\nHet programmabureau is op werkdagen bereikbaar.").await;
    browser.open_by("button[value=voorbeeld]").await;
    assert_eq!(browser.text(".preview .body h2").await, "Bereikbaarheid");
    browser.check("page-preview").await;
    browser.type_into("#title", " ").await;
    browser.open_by("button[value=opslaan]").await;
    assert_shown_again_with_errors(browser, "#title-error").await;
    browser.check("page-errors").await;
}

/// The news, event, profile, contact and invitation forms, each sent with a fault a person
/// easily makes.
async fn failed_forms_of_the_programme_office(browser: &mut Browser) {
    browser.goto("/nieuws/nieuw").await;
    browser.type_into("#title", " ").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(browser, "#title-error").await;
    browser.check("news-errors").await;
    browser.type_into("#title", "Nieuwe deelnemers in het netwerk").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Nieuwe deelnemers in het netwerk");
    browser.check("news-item").await;
    browser.goto("/nieuws").await;
    browser.check("news-with-an-item").await;

    browser.goto("/agenda/nieuw").await;
    browser.type_into("#title", "Netwerkdag jeugdhulp en onderwijs").await;
    browser.set_value("#starts_at", "2030-03-01T13:00").await;
    browser.set_value("#ends_at", "2030-03-01T10:00").await;
    browser.type_into("#capacity", "40").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(browser, "#ends_at-error").await;
    browser.check("event-errors").await;

    browser.goto("/profiel").await;
    browser.type_into("#display_name", " ").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(browser, "#display_name-error").await;
    browser.check("profile-errors").await;

    browser.goto("/leden/bas-willems/contact").await;
    browser.type_into("#subject", " ").await;
    browser.type_into("#message", "Mag ik u iets vragen over de werksessie?").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(browser, "#subject-error").await;
    browser.check("contact-errors").await;

    browser.goto("/uitnodigen").await;
    browser.type_into("#name", " ").await;
    browser.type_into("#email", "collega@example.nl").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(browser, "#name-error").await;
    browser.check("invite-errors").await;
}

/// Opens and checks each of `paths`.
async fn check_pages(browser: &mut Browser, paths: &[&str]) {
    for path in paths {
        browser.goto(path).await;
        assert_eq!(browser.path().await, *path, "{path} opens as itself");
        browser.check(&page_name(path)).await;
    }
}

/// A file name for the page at `path`.
fn page_name(path: &str) -> String {
    path.trim_start_matches('/').replace(['/', '?', '='], "-")
}

/// A form shown again after a failed submit: the title says so, the fault shows at its field
/// and the summary of the errors has the focus, so it is read first.
async fn assert_shown_again_with_errors(browser: &Browser, field_error: &str) {
    let title: String = browser.eval("return document.title;").await;
    assert!(title.starts_with("Fout: "), "page title {title:?}");
    assert!(!browser.text(field_error).await.is_empty(), "{field_error} shown");
    assert!(browser.focus_is_on(".error-summary").await, "the error summary has the focus");
}

/// The office opens a call in the browser; the call page and `/meedoen` as visitors see them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_pass_the_checkers() {
    let smtp = TestSmtp::start();
    let Some((env, app, mut browser)) = demo_site(|config| config.smtp_url = smtp.url()).await else { return };
    browser.goto("/meedoen").await;
    browser.check("calls-none").await;
    log_in_as(&app, &browser, "beheerder@example.nl", Role::Beheerder, None).await;
    browser.goto("/beheer/oproepen").await;
    browser.check("calls-office-none").await;
    browser.goto("/beheer/oproepen/nieuw").await;
    browser.check("call-new").await;
    let now = chrono::Utc::now();
    browser.type_into("#title", "Inspiratieregio's tranche 3").await;
    browser.set_value("#opens_at", &oogst::dutch_time::local_input(now - chrono::Duration::days(1))).await;
    browser.set_value("#closes_at", &oogst::dutch_time::local_input(now + chrono::Duration::days(14))).await;
    browser.type_into("#places", "tien").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(&browser, "#places-error").await;
    browser.check("call-errors").await;
    browser.type_into("#places", "10").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Inspiratieregio's tranche 3");
    let call_path = browser.path().await;
    browser.check("call").await;
    browser.goto("/beheer/oproepen").await;
    browser.check("calls-office").await;
    browser.goto("/meedoen").await;
    browser.check("calls").await;

    // An applicant asks for the link, opens it and saves a draft with a mistake in it.
    browser.goto("/uitloggen").await;
    browser.open_by("main form[action='/uitloggen'] button").await;
    browser.goto(&call_path).await;
    browser.type_into("#email", "wethouder@gorinchem.nl").await;
    browser.open_by("form.stacked button[type=submit]").await;
    browser.check("call-link-sent").await;
    let mail = &smtp.wait_for("wethouder@gorinchem.nl", 1).await[0];
    browser.goto(&link_path(mail, "/meedoen/aanmelding/")).await;
    browser.check("application").await;
    browser.type_into("#organisation", "Gemeente Gorinchem").await;
    browser.type_into("#inhabitants", "veel").await;
    browser.type_into("#answer_hoofdvraag", "Wij willen leren van andere regio's.").await;
    browser.open_by("form.stacked button[type=submit]").await;
    assert_shown_again_with_errors(&browser, "#inhabitants-error").await;
    browser.check("application-errors").await;

    // The same applicant completes and submits it, and goes to withdraw it.
    for (field, text) in [("#inhabitants", "37.000"), ("#municipalities", "Gorinchem"), ("#area_km2", "21,9")] {
        browser.type_into(field, text).await;
    }
    browser.type_into("#contact_name", "Anna de Vries").await;
    browser.set_value("#province", "Zuid-Holland").await;
    let keys: Vec<String> = browser.eval("return [...document.querySelectorAll('textarea')].map(t => t.id);").await;
    for key in keys.iter().filter(|key| *key != "answer_hoofdvraag") {
        browser.type_into(&format!("#{key}"), "Samen met ouders en scholen.").await;
    }
    browser.open_by("button[value=submit]").await;
    assert!(browser.text("main").await.contains("Uw aanmelding is ingediend."));
    browser.check("application-submitted").await;
    browser.open_by("a[href$='/intrekken']").await;
    browser.check("application-withdraw").await;
    close(env, app, browser).await;
}

/// The office assigns a reviewer, reviews an application (a mistake first) and marks it
/// selected on the board with its map; every page passes the checkers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_pass_the_checkers() {
    let smtp = TestSmtp::start();
    let Some((env, app, mut browser)) = demo_site(|config| config.smtp_url = smtp.url()).await else { return };
    crate::calls::open_tranche(&app).await;
    let id = crate::calls::submitted_application(&app, &smtp, "wethouder@gorinchem.nl", &[]).await;
    crate::calls::submitted_application(&app, &smtp, "wethouder@tilburg.nl", &[("province", "Noord-Brabant")]).await;
    create_account(&app, "beoordelaar@example.nl", Role::Beoordelaar, None).await;
    log_in_as(&app, &browser, "beheerder@example.nl", Role::Beheerder, None).await;

    browser.goto("/beheer/oproepen").await;
    browser.check("calls-office-with-links").await;
    browser.goto("/beheer/oproepen/tranche-3/beoordelaars").await;
    browser.check("call-reviewers-none").await;
    browser.open_by("form.stacked button[type=submit]").await;
    browser.check("call-reviewers").await;

    browser.goto("/beoordelen").await;
    browser.check("reviews-calls").await;
    browser.goto("/beoordelen/tranche-3").await;
    browser.check("reviews-list").await;
    browser.goto(&format!("/beoordelen/tranche-3/{id}")).await;
    browser.check("review").await;
    browser.click("input[name=score_leervraag][value='4']").await;
    browser.open_by("button[value=submit]").await;
    assert_shown_again_with_errors(&browser, "#score_partijen-error").await;
    browser.check("review-errors").await;
    for key in ["leervraag", "partijen", "doelen", "commitment", "realisme"] {
        browser.click(&format!("input[name=score_{key}][value='4']")).await;
    }
    browser.type_into("#remark_leervraag", "Een heldere leervraag.").await;
    browser.open_by("button[value=submit]").await;
    assert!(browser.text("main").await.contains("Uw beoordeling is ingediend."));
    browser.check("review-submitted").await;

    browser.goto("/beheer/oproepen/tranche-3/selectie").await;
    browser.check("selection-board-empty-selection").await;
    browser.open_by(&format!("#aanmelding-{id} button")).await;
    assert!(browser.text("main").await.contains("Geselecteerd: 1 van 10 plaatsen"));
    browser.check("selection-board").await;
    close(env, app, browser).await;
}
