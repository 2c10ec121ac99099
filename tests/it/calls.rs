//! Open calls to join the network, stored on SQLite and PostgreSQL: the programme office
//! opens and edits them, nobody else may, and the public list holds open and upcoming ones.

use chrono::{Duration, Utc};
use oogst::actor::{Actor, Role};
use oogst::calls::{self, CallInput, CallKind, Phase, Question};
use oogst::dutch_time::local_input;
use oogst::validation::EditError;

use crate::common::{hidden_field, Backend, TestApp, TestEnv};
use crate::editing::logged_in;
use crate::smtp::TestSmtp;
use crate::storage_test;

fn actor(role: Role) -> Actor {
    Actor {
        user_id: 1,
        name: "Programmabureau".into(),
        email: "bureau@oogst.test".into(),
        role,
        organisation_id: None,
        session_id: String::new(),
    }
}

fn call(kind: CallKind, title: &str, opens_in: Duration, closes_in: Option<Duration>) -> CallInput {
    let now = Utc::now();
    CallInput {
        kind,
        title: title.into(),
        introduction: "Meld u aan als inspiratieregio.".into(),
        opens_at: local_input(now + opens_in),
        closes_at: closes_in.map(|closes| local_input(now + closes)).unwrap_or_default(),
        places: Some(10),
        decision_on: String::new(),
        questions: Vec::new(),
        word_limit: None,
        attachments_allowed: true,
        criteria: Vec::new(),
        scale_max: None,
        tranche: None,
    }
}

async fn the_office_opens_and_edits_calls(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let db = oogst::startup::connect(&env.config()).await.unwrap();
    let office = oogst::accounts::create(
        &db,
        &oogst::accounts::NewUser {
            email: "bureau@oogst.test".into(),
            name: "Programmabureau".into(),
            role: Role::Beheerder,
            organisation_id: None,
            job_title: String::new(),
        },
        true,
    )
    .await
    .unwrap();
    let office = Actor { user_id: office.id, ..actor(Role::Beheerder) };
    let day = Duration::days(1);
    let open = call(CallKind::Inspiratieregio, "Tranche 3", -day, Some(day * 14));
    let member = calls::create(&db, &actor(Role::Lid), open.clone()).await;
    assert!(matches!(member, Err(EditError::Forbidden)), "{member:?}");

    let tranche = calls::create(&db, &office, open.clone()).await.unwrap();
    assert_eq!(tranche.slug, "tranche-3");
    assert_eq!(calls::questions(&tranche).len(), 8);
    let again = calls::create(&db, &office, open).await.unwrap();
    assert_eq!(again.slug, "tranche-3-2");
    let all_year =
        calls::create(&db, &office, call(CallKind::Aandeelhouder, "Aandeelhouder worden", -day, None)).await.unwrap();
    let closed =
        calls::create(&db, &office, call(CallKind::Inspiratieregio, "Tranche 2", -day * 60, Some(-day))).await.unwrap();
    let upcoming = calls::create(&db, &office, call(CallKind::Inspiratieregio, "Tranche 4", day * 30, Some(day * 60)))
        .await
        .unwrap();
    assert_eq!(calls::phase(&closed, Utc::now()), Phase::Closed);

    let current: Vec<String> =
        calls::current(&db, Utc::now()).await.unwrap().into_iter().map(|call| call.slug).collect();
    assert_eq!(current, [tranche.slug.as_str(), "tranche-3-2", all_year.slug.as_str(), upcoming.slug.as_str()]);

    let mut edited = calls::input_of(&tranche);
    edited.questions =
        vec![Question { key: "leervraag".into(), title: "Wat wilt u leren?".into(), help: "Kort.".into() }];
    edited.word_limit = Some(900);
    let updated = calls::update(&db, &office, &tranche.slug, edited).await.unwrap();
    assert_eq!((updated.slug.as_str(), updated.word_limit), ("tranche-3", Some(900)));
    assert_eq!(calls::questions(&updated)[0].title, "Wat wilt u leren?");
    let stored = calls::find(&db, "tranche-3").await.unwrap().unwrap();
    assert_eq!(stored, updated);

    let mut bad = calls::input_of(&stored);
    bad.title = "Tranche\u{7}".into();
    let refused = calls::update(&db, &office, "tranche-3", bad).await;
    assert!(matches!(refused, Err(EditError::Invalid(_))), "{refused:?}");
    assert_eq!(calls::find(&db, "tranche-3").await.unwrap().unwrap(), stored);
    env.finish().await;
}
storage_test!(the_office_opens_and_edits_calls);

/// The office's form for a call for inspiratieregio's, as a browser posts it.
fn call_form<'a>(title: &'a str, places: &'a str, opens: &'a str, closes: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", "inspiratieregio"),
        ("title", title),
        ("introduction", "Meld u aan als **inspiratieregio**."),
        ("opens_at", opens),
        ("closes_at", closes),
        ("places", places),
        ("decision_on", ""),
        ("questions", "hoofdvraag | Wat wilt u leren, wat heeft u nodig en wat brengt u in?\nouders | Hoe zijn ouders betrokken? | Kort"),
        ("word_limit", "1500"),
        ("attachments_allowed", "ja"),
    ]
}

/// The office opens a call in the browser; visitors see it at `/meedoen` with its deadline,
/// countdown and questions; bad input is explained; members cannot open calls; a call past
/// its deadline says so.
async fn calls_in_the_browser(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let office = logged_in(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let now = Utc::now();
    let (opens, closes) =
        (local_input(now - Duration::days(1)), local_input(now + Duration::days(13) + Duration::minutes(5 * 60 + 30)));
    let fields = |title: &'static str, places: &'static str| call_form(title, places, &opens, &closes);
    let refused =
        app.submit_form(&office, "/beheer/oproepen/nieuw", "/beheer/oproepen", &fields("Tranche 3", "tien")).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Vul een heel getal in.") && html.contains("value=\"Tranche 3\""), "{html}");

    let saved =
        app.submit_form(&office, "/beheer/oproepen/nieuw", "/beheer/oproepen", &fields("Tranche 3", "10")).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], "/meedoen/tranche-3");

    let html = app.get("/meedoen").await.text().await.unwrap();
    assert!(html.contains("Tranche 3") && html.contains("nog 13 dagen en 5 uur"), "{html}");
    let html = app.get("/meedoen/tranche-3").await.text().await.unwrap();
    assert!(html.contains("<strong>inspiratieregio</strong>") && html.contains("Hoe zijn ouders betrokken?"), "{html}");
    assert!(!html.contains("aanmelden kan niet meer"), "{html}");

    let missing = app.get("/meedoen/bestaat-niet").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Deze oproep bestaat niet."));
    let long_title = "Oproep ".repeat(40);
    let refused = app
        .submit_form(
            &office,
            "/beheer/oproepen/nieuw",
            "/beheer/oproepen",
            &call_form(&long_title, "10", &opens, &closes),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("hoogstens 200 tekens"));

    let edit = app.get("/beheer/oproepen/tranche-3").await;
    assert_ne!(edit.status(), 200, "the office's form is not public");
    let member = logged_in(&app, "lid@oogst.test", Role::Lid, None).await;
    let response = member.get(format!("{}/beheer/oproepen", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 403);

    let past = local_input(now - Duration::minutes(1));
    let mut closing = fields("Tranche 3", "10");
    closing[4] = ("closes_at", past.as_str());
    let saved = app.submit_form(&office, "/beheer/oproepen/tranche-3", "/beheer/oproepen/tranche-3", &closing).await;
    assert_eq!(saved.status(), 303);
    let html = app.get("/meedoen/tranche-3").await.text().await.unwrap();
    assert!(html.contains("aanmelden kan niet meer"), "{html}");
    let html = app.get("/meedoen").await.text().await.unwrap();
    assert!(html.contains("Er is op dit moment geen open oproep."), "{html}");
    app.stop().await;
    env.finish().await;
}
storage_test!(calls_in_the_browser);

/// An applicant asks for a link by mail, opens the application with it, saves a draft and
/// comes back to it; asking again mails a new link to the same application; after the
/// deadline nothing changes any more.
async fn applying_with_a_private_link(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = env.spawn_with(oogst::config::Config { smtp_url: smtp.url(), ..env.config() }, false).await;
    let office = logged_in(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let now = Utc::now();
    let (opens, closes) = (local_input(now - Duration::days(1)), local_input(now + Duration::days(14)));
    let saved = app
        .submit_form(
            &office,
            "/beheer/oproepen/nieuw",
            "/beheer/oproepen",
            &call_form("Tranche 3", "10", &opens, &closes),
        )
        .await;
    assert_eq!(saved.status(), 303);

    let applicant = app.browser();
    let refused =
        app.submit_form(&applicant, "/meedoen/tranche-3", "/meedoen/tranche-3", &[("email", "geen adres")]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Vul een geldig e-mailadres in"));
    let asked = app
        .submit_form(&applicant, "/meedoen/tranche-3", "/meedoen/tranche-3", &[("email", "Wethouder@Gorinchem.nl")])
        .await;
    assert_eq!(asked.status(), 303);
    let page = applicant.get(format!("{}/meedoen/tranche-3", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("persoonlijke link naar uw aanmelding"), "{page}");

    let mail = &smtp.wait_for("wethouder@gorinchem.nl", 1).await[0];
    assert!(mail.header("Subject").contains("Tranche 3"));
    let link = mail.link("/meedoen/aanmelding/");
    let path = format!("/meedoen/aanmelding/{}", link.rsplit('/').next().unwrap());
    let opened = applicant.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["cache-control"], "no-store");
    assert!(opened.text().await.unwrap().contains("Hoe zijn ouders betrokken?"));

    assert_eq!(app.get("/meedoen/aanmelding/onbekend").await.status(), 404);
    let control = app.submit_form(&applicant, &path, &path, &[("contact_name", "Anna\u{1b}[31m")]).await;
    assert_eq!(control.status(), 400, "refused at the door (input_guard)");

    let answer = "Wij willen leren hoe onderwijs en jeugdhulp samen één plan maken.";
    let bad = app
        .submit_form(
            &applicant,
            &path,
            &path,
            &[("organisation", "Gemeente Gorinchem"), ("inhabitants", "veel"), ("answer_hoofdvraag", answer)],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Vul het aantal inwoners in als getal") && html.contains(answer), "{html}");
    let draft = app
        .submit_form(
            &applicant,
            &path,
            &path,
            &[("organisation", "Gemeente Gorinchem"), ("inhabitants", "37.000"), ("answer_hoofdvraag", answer)],
        )
        .await;
    assert_eq!(draft.status(), 303);
    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Uw concept is opgeslagen") && html.contains(answer), "{html}");
    assert!(html.contains("Samen 11 woorden van de hoogstens 1500"), "{html}");

    // A second request: a new link to the same draft; the first link no longer works.
    let again = app
        .submit_form(&applicant, "/meedoen/tranche-3", "/meedoen/tranche-3", &[("email", "wethouder@gorinchem.nl")])
        .await;
    assert_eq!(again.status(), 303);
    let mail = &smtp.wait_for("wethouder@gorinchem.nl", 2).await[1];
    let second = format!("/meedoen/aanmelding/{}", mail.link("/meedoen/aanmelding/").rsplit('/').next().unwrap());
    assert_eq!(app.get(&path).await.status(), 404);
    assert!(app.get(&second).await.text().await.unwrap().contains(answer));

    // After the deadline: no new links, and the draft stays as it was.
    let past = local_input(now - Duration::minutes(1));
    let closing = call_form("Tranche 3", "10", &opens, &past);
    let saved = app.submit_form(&office, "/beheer/oproepen/tranche-3", "/beheer/oproepen/tranche-3", &closing).await;
    assert_eq!(saved.status(), 303);
    // The call page no longer has the form; the application page's token serves to try.
    let late = app.submit_form(&applicant, &second, "/meedoen/tranche-3", &[("email", "laat@gorinchem.nl")]).await;
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("aanmelden kan niet meer"));
    let html = applicant.get(format!("{}{second}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("uw aanmelding kan niet meer veranderen") && html.contains(answer), "{html}");
    app.stop().await;
    env.finish().await;
}
storage_test!(applying_with_a_private_link);

/// What a complete application to the call of `call_form` holds, as the form posts it.
const COMPLETE: [(&str, &str); 8] = [
    ("organisation", "Gemeente Gorinchem"),
    ("municipalities", "Gorinchem, Molenlanden"),
    ("province", "Zuid-Holland"),
    ("inhabitants", "37.000"),
    ("area_km2", "21,9"),
    ("contact_name", "Anna de Vries"),
    ("answer_hoofdvraag", "Wij willen leren hoe onderwijs en jeugdhulp samen één plan maken."),
    ("answer_ouders", "Ouders zitten aan tafel bij elk overleg."),
];

/// The office's call "Tranche 3", open for two weeks; the office's browser.
pub async fn open_tranche(app: &TestApp) -> reqwest::Client {
    let office = logged_in(app, "bureau@oogst.test", Role::Beheerder, None).await;
    let now = Utc::now();
    let (opens, closes) = (local_input(now - Duration::days(1)), local_input(now + Duration::days(14)));
    let saved = app
        .submit_form(
            &office,
            "/beheer/oproepen/nieuw",
            "/beheer/oproepen",
            &call_form("Tranche 3", "10", &opens, &closes),
        )
        .await;
    assert_eq!(saved.status(), 303);
    office
}

/// Asks for a private link for `email` in a new browser; the path it leads to, and the browser.
async fn private_link(app: &TestApp, smtp: &TestSmtp, email: &str) -> (String, reqwest::Client) {
    let applicant = app.browser();
    let asked = app.submit_form(&applicant, "/meedoen/tranche-3", "/meedoen/tranche-3", &[("email", email)]).await;
    assert_eq!(asked.status(), 303);
    let mail = smtp.wait_for(email, 1).await.pop().unwrap();
    let link = mail.link("/meedoen/aanmelding/");
    (format!("/meedoen/aanmelding/{}", link.rsplit('/').next().unwrap()), applicant)
}

/// Posts the application form with `fields` and the button `action` ("save" or "submit").
async fn post_application(
    app: &TestApp,
    applicant: &reqwest::Client,
    path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("action", action));
    app.submit_form(applicant, path, path, &form).await
}

/// An incomplete or too long application is not submitted but kept; a complete one is, with
/// a confirmation holding a copy; then it no longer changes, and it can be withdrawn once.
async fn submitting_and_withdrawing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = env.spawn_with(oogst::config::Config { smtp_url: smtp.url(), ..env.config() }, false).await;
    open_tranche(&app).await;
    let (path, applicant) = private_link(&app, &smtp, "wethouder@gorinchem.nl").await;

    let partial = [("organisation", "Gemeente Gorinchem"), ("answer_hoofdvraag", "Samen één plan.")];
    let incomplete = post_application(&app, &applicant, &path, "submit", &partial).await;
    assert_eq!(incomplete.status(), 422);
    let html = incomplete.text().await.unwrap();
    assert!(html.contains("Beantwoord deze vraag voordat u indient.") && html.contains("Kies de provincie."), "{html}");
    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Samen één plan.") && !html.contains("ingediend op"), "the draft is kept: {html}");

    let long = "woord ".repeat(1_501);
    let mut too_long = COMPLETE.to_vec();
    too_long[6] = ("answer_hoofdvraag", long.as_str());
    let refused = post_application(&app, &applicant, &path, "submit", &too_long).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("meer dan de 1500 die de oproep toestaat"));

    let submitted = post_application(&app, &applicant, &path, "submit", &COMPLETE).await;
    assert_eq!(submitted.status(), 303);
    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Uw aanmelding is ingediend.") && html.contains("ingediend op"), "{html}");
    assert!(html.contains("Aanmelding intrekken") && !html.contains("Aanmelding indienen"), "{html}");

    let mails = smtp.wait_for("wethouder@gorinchem.nl", 2).await;
    let confirmation = &mails[1];
    assert!(confirmation.header("Subject").starts_with("Bevestiging: uw aanmelding voor Tranche 3"));
    let text = confirmation.part("text/plain");
    for expected in ["Gemeente of regio: Gemeente Gorinchem", "Provincie: Zuid-Holland", "Ouders zitten aan tafel"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(confirmation.part("text/html").contains("één plan maken"));

    for action in ["save", "submit"] {
        let changed = post_application(&app, &applicant, &path, action, &partial).await;
        assert_eq!(changed.status(), 409, "{action}");
        assert!(changed.text().await.unwrap().contains("kan niet meer veranderen"));
    }

    let withdraw = format!("{path}/intrekken");
    let confirm = applicant.get(format!("{}{withdraw}", app.address)).send().await.unwrap();
    assert_eq!((confirm.status().as_u16(), confirm.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
    let withdrawn = app.submit_form(&applicant, &withdraw, &withdraw, &[]).await;
    assert_eq!(withdrawn.status(), 303);
    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Deze aanmelding is ingetrokken."), "{html}");
    let mails = smtp.wait_for("wethouder@gorinchem.nl", 3).await;
    assert!(mails[2].header("Subject").contains("is ingetrokken"));
    assert_eq!(applicant.get(format!("{}{withdraw}", app.address)).send().await.unwrap().status(), 409);

    // A draft cannot be withdrawn; a guessed link finds nothing.
    let (draft, other) = private_link(&app, &smtp, "bestuurder@molenlanden.nl").await;
    assert_eq!(other.get(format!("{}{draft}/intrekken", app.address)).send().await.unwrap().status(), 409);
    assert_eq!(app.get(&format!("/meedoen/aanmelding/{}/intrekken", "0".repeat(64))).await.status(), 404);
    app.stop().await;
    env.finish().await;
}
storage_test!(submitting_and_withdrawing);

/// Moves the deadline of "Tranche 3" to `at`, to the second, as no form can.
async fn move_deadline(config: &oogst::config::Config, at: chrono::DateTime<Utc>) {
    use sea_orm::{ActiveModelTrait, Set};
    let db = oogst::startup::connect(config).await.unwrap();
    let found = calls::find(&db, "tranche-3").await.unwrap().unwrap();
    let mut model: entity::call::ActiveModel = found.into();
    model.closes_at = Set(Some(at));
    model.update(&db).await.unwrap();
}

/// The stored application of `email`.
async fn stored(config: &oogst::config::Config, email: &str) -> entity::application::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = oogst::startup::connect(config).await.unwrap();
    let found = entity::application::Entity::find().filter(entity::application::Column::Email.eq(email));
    found.one(&db).await.unwrap().unwrap()
}

/// Posts a complete application whose main answer is `answer`, with a CSRF token fetched
/// beforehand, so the post itself can be timed.
struct Ready {
    browser: reqwest::Client,
    url: String,
    csrf: String,
}

impl Ready {
    async fn new(app: &TestApp, smtp: &TestSmtp, email: &str) -> Ready {
        let (path, browser) = private_link(app, smtp, email).await;
        let html = browser.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
        Ready { csrf: hidden_field(&html, "csrf"), browser, url: format!("{}{path}", app.address) }
    }

    async fn submit(&self, answer: &str) -> reqwest::Response {
        let mut form = COMPLETE.to_vec();
        form[6] = ("answer_hoofdvraag", answer);
        form.extend([("action", "submit"), ("csrf", self.csrf.as_str())]);
        self.browser.post(&self.url).form(&form).send().await.unwrap()
    }
}

/// A submission in the last seconds before the deadline counts; one after it is refused
/// with a clear message and keeps what was typed; submissions racing the deadline are each
/// either submitted before it (and confirmed by mail) or refused and kept as a draft.
async fn submitting_at_the_deadline(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), ..env.config() };
    let app = env.spawn_with(config.clone(), false).await;
    open_tranche(&app).await;
    let just_in_time = Ready::new(&app, &smtp, "op-tijd@gemeente.nl").await;
    let late = Ready::new(&app, &smtp, "te-laat@gemeente.nl").await;
    let racing: Vec<(String, Ready)> = futures_util::future::join_all((0..6).map(|number| {
        let (app, smtp) = (&app, &smtp);
        async move {
            let email = format!("racer{number}@gemeente.nl");
            let ready = Ready::new(app, smtp, &email).await;
            (email, ready)
        }
    }))
    .await;

    let deadline = Utc::now() + Duration::seconds(3);
    move_deadline(&config, deadline).await;
    assert_eq!(just_in_time.submit("Net op tijd.").await.status(), 303);
    let submitted = stored(&config, "op-tijd@gemeente.nl").await;
    assert!(submitted.status == "submitted" && submitted.submitted_at.unwrap() < deadline, "{submitted:?}");

    let wait = (deadline - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(100);
    tokio::time::sleep(wait).await;
    let refused = late.submit("Te laat, maar niet verloren.").await;
    assert_eq!(refused.status(), 409);
    let html = refused.text().await.unwrap();
    assert!(html.contains("De deadline van deze oproep is verstreken"), "{html}");
    assert!(html.contains("Te laat, maar niet verloren."), "what was typed is shown: {html}");
    let kept = stored(&config, "te-laat@gemeente.nl").await;
    assert_eq!((kept.status.as_str(), kept.submitted_at), ("draft", None));
    assert_eq!(kept.answers["hoofdvraag"], "Te laat, maar niet verloren.");

    // Six submissions spread from 300 ms before to 300 ms after a new deadline.
    let deadline = Utc::now() + Duration::milliseconds(1_500);
    move_deadline(&config, deadline).await;
    let answers = futures_util::future::join_all(racing.iter().enumerate().map(|(number, (_, ready))| async move {
        let at = deadline + Duration::milliseconds(number as i64 * 120 - 300);
        tokio::time::sleep((at - Utc::now()).to_std().unwrap_or_default()).await;
        ready.submit(&format!("Antwoord {number}.")).await.status().as_u16()
    }))
    .await;
    let mut accepted = 0;
    for ((email, _), status) in racing.iter().zip(answers) {
        let found = stored(&config, email).await;
        assert!(found.answers["hoofdvraag"].as_str().unwrap().starts_with("Antwoord"), "{found:?}");
        match status {
            303 => {
                assert!(found.submitted_at.is_some_and(|at| at < deadline), "{found:?}");
                accepted += 1;
                assert_eq!(smtp.wait_for(email, 2).await.len(), 2, "{email} is confirmed");
            }
            409 => assert_eq!((found.status.as_str(), found.submitted_at), ("draft", None)),
            other => panic!("{email}: {other}"),
        }
    }
    assert!(accepted < racing.len(), "a post 300 ms after the deadline was accepted");
    app.stop().await;
    env.finish().await;
}
storage_test!(submitting_at_the_deadline);

/// Posts a file to the application behind `path` as its attachment form does.
async fn attach(
    app: &TestApp,
    applicant: &reqwest::Client,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let page = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden_field(&page, "csrf"))
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    applicant.post(format!("{}{path}/bijlagen", app.address)).multipart(form).send().await.unwrap()
}

/// The attachment links on an application page, in order.
fn attachment_links(html: &str, path: &str) -> Vec<String> {
    let prefix = format!("href=\"{path}/bijlagen/");
    html.match_indices(&prefix)
        .map(|(at, _)| {
            let rest = &html[at + 6..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Applicants attach files that pass the document upload checks, at most five; only their
/// own link reaches them; a removed attachment's file is deleted; the confirmation lists
/// them; a call without attachments takes none.
async fn attachments_to_an_application(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = env.spawn_with(oogst::config::Config { smtp_url: smtp.url(), ..env.config() }, false).await;
    let office = open_tranche(&app).await;
    let (path, applicant) = private_link(&app, &smtp, "wethouder@gorinchem.nl").await;
    let (other, stranger) = private_link(&app, &smtp, "iemand@elders.nl").await;

    let pdf = std::fs::read(crate::common::fixtures("files").join("werksessie.pdf")).unwrap();
    assert_eq!(attach(&app, &applicant, &path, "werksessie.pdf", pdf.clone()).await.status(), 303);
    let disguised = attach(&app, &applicant, &path, "plan.pdf", b"MZ\x90\x00 not a pdf at all".to_vec()).await;
    assert_eq!(disguised.status(), 422);
    assert!(disguised.text().await.unwrap().contains("id=\"file-error\""));

    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    let links = attachment_links(&html, &path);
    assert_eq!(links.len(), 1, "{html}");
    let download = applicant.get(format!("{}{}", app.address, links[0])).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["cache-control"], "no-store");
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
    let id = links[0].rsplit('/').next().unwrap();
    let foreign = stranger.get(format!("{}{other}/bijlagen/{id}", app.address)).send().await.unwrap();
    assert_eq!(foreign.status(), 404, "another applicant's link does not reach it");

    for number in 1..=4 {
        let note = format!("Notulen {number} van de werksessie.");
        let added = attach(&app, &applicant, &path, &format!("notulen-{number}.txt"), note.into_bytes()).await;
        assert_eq!(added.status(), 303);
    }
    let sixth = attach(&app, &applicant, &path, "teveel.txt", b"Nog een.".to_vec()).await;
    assert_eq!(sixth.status(), 422);
    assert!(sixth.text().await.unwrap().contains("hoogstens 5 bijlagen"));

    // Removing the last one deletes its file, which nothing else refers to.
    let html = applicant.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    let last = attachment_links(&html, &path).pop().unwrap();
    let stored = {
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(b"Notulen 4 van de werksessie."));
        env.dir.path().join("files").join(&hash[..2]).join(&hash)
    };
    assert!(stored.exists());
    let removed = app.submit_form(&applicant, &path, &format!("{last}/verwijderen"), &[]).await;
    assert_eq!(removed.status(), 303);
    assert!(!stored.exists(), "the file is deleted with its only attachment");
    assert_eq!(applicant.get(format!("{}{last}", app.address)).send().await.unwrap().status(), 404);

    let submitted = post_application(&app, &applicant, &path, "submit", &COMPLETE).await;
    assert_eq!(submitted.status(), 303);
    let confirmation = smtp.wait_for("wethouder@gorinchem.nl", 2).await.pop().unwrap();
    assert!(confirmation.part("text/plain").contains("- werksessie.pdf ("), "{}", confirmation.part("text/plain"));
    let late = attach(&app, &applicant, &path, "nagekomen.txt", b"Nog iets.".to_vec()).await;
    assert_eq!(late.status(), 409, "a submitted application takes no more attachments");

    // The office turns attachments off: the form is gone and a post is refused.
    let now = Utc::now();
    let (opens, closes) = (local_input(now - Duration::days(1)), local_input(now + Duration::days(14)));
    let without: Vec<(&str, &str)> = call_form("Tranche 3", "10", &opens, &closes)
        .into_iter()
        .filter(|(name, _)| *name != "attachments_allowed")
        .collect();
    let saved = app.submit_form(&office, "/beheer/oproepen/tranche-3", "/beheer/oproepen/tranche-3", &without).await;
    assert_eq!(saved.status(), 303);
    let html = stranger.get(format!("{}{other}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Bijlage toevoegen"), "{html}");
    let refused = attach(&app, &stranger, &other, "plan.txt", b"Ons plan.".to_vec()).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("geen bijlagen meesturen"));
    app.stop().await;
    env.finish().await;
}
storage_test!(attachments_to_an_application);

/// Submits a complete application for `email` with some fields changed; its id.
pub async fn submitted_application(app: &TestApp, smtp: &TestSmtp, email: &str, changes: &[(&str, &str)]) -> i32 {
    let (path, applicant) = private_link(app, smtp, email).await;
    let fields: Vec<(&str, &str)> = COMPLETE
        .iter()
        .map(|(name, value)| changes.iter().find(|(changed, _)| changed == name).copied().unwrap_or((name, value)))
        .collect();
    if email.contains("tilburg") {
        let attached = attach(app, &applicant, &path, "plan.txt", b"Plan van aanpak Tilburg.".to_vec()).await;
        assert_eq!(attached.status(), 303);
    }
    assert_eq!(post_application(app, &applicant, &path, "submit", &fields).await.status(), 303);
    stored(&app.config, email).await.id
}

async fn user_id(config: &oogst::config::Config, email: &str) -> i32 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = oogst::startup::connect(config).await.unwrap();
    entity::user::Entity::find().filter(entity::user::Column::Email.eq(email)).one(&db).await.unwrap().unwrap().id
}

/// The score fields of the default criteria of an inspiratieregio call.
const SCORE_FIELDS: [&str; 5] =
    ["score_leervraag", "score_partijen", "score_doelen", "score_commitment", "score_realisme"];

/// The same score for every criterion, a remark on the first, and the button.
fn scores<'a>(score: &'a str, remark: &'a str, action: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut fields: Vec<(&'static str, &'a str)> = SCORE_FIELDS.iter().map(|field| (*field, score)).collect();
    fields.extend([("remark_leervraag", remark), ("action", action)]);
    fields
}

async fn page_of(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Reviewers the office assigns review the submitted applications per criterion; a
/// reviewer outside the call finds nothing; nobody reviews their own organisation or an
/// application they declared a conflict for; others' scores show only after one's own.
/// The office's selection board averages the scores, maps the selected set and exports it.
async fn reviewing_and_selecting(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = env.spawn_with(oogst::config::Config { smtp_url: smtp.url(), ..env.config() }, false).await;
    let office = open_tranche(&app).await;
    let gorinchem = submitted_application(&app, &smtp, "wethouder@gorinchem.nl", &[]).await;
    let tilburg = submitted_application(
        &app,
        &smtp,
        "wethouder@tilburg.nl",
        &[
            ("organisation", "Gemeente Tilburg"),
            ("municipalities", "Tilburg"),
            ("province", "Noord-Brabant"),
            ("inhabitants", "224.000"),
            ("area_km2", "118"),
        ],
    )
    .await;
    let achterhoek = submitted_application(
        &app,
        &smtp,
        "regio@achterhoek.nl",
        &[
            ("organisation", "Oost Achterhoek"),
            ("municipalities", "Berkelland, Oost Gelre, Winterswijk"),
            ("province", "Gelderland"),
            ("inhabitants", "85000"),
            ("area_km2", "640"),
            ("contact_name", "=SUM(1)"),
        ],
    )
    .await;
    {
        let db = oogst::startup::connect(&app.config).await.unwrap();
        oogst::organisations::find_or_create(&db, "Gemeente Gorinchem").await.unwrap();
    }
    let bea = logged_in(&app, "bea@oogst.test", Role::Beoordelaar, Some("gemeente-gorinchem")).await;
    let bob = logged_in(&app, "bob@oogst.test", Role::Beoordelaar, None).await;
    let carla = logged_in(&app, "carla@oogst.test", Role::Beoordelaar, None).await;
    let member = logged_in(&app, "lid@oogst.test", Role::Lid, None).await;
    for reviewer in ["bea@oogst.test", "bob@oogst.test"] {
        let id = user_id(&app.config, reviewer).await.to_string();
        let page = "/beheer/oproepen/tranche-3/beoordelaars";
        assert_eq!(app.submit_form(&office, page, page, &[("reviewer", &id)]).await.status(), 303);
    }
    let member_id = user_id(&app.config, "lid@oogst.test").await.to_string();
    let page = "/beheer/oproepen/tranche-3/beoordelaars";
    assert_eq!(app.submit_form(&office, page, page, &[("reviewer", &member_id)]).await.status(), 422);

    // Outside the call: the same 404 as for a call that does not exist.
    let (status, html) = page_of(&app, &carla, "/beoordelen").await;
    assert!(status == 200 && html.contains("U beoordeelt nu geen oproepen"), "{html}");
    let (outside, outside_html) = page_of(&app, &carla, "/beoordelen/tranche-3").await;
    let (missing, missing_html) = page_of(&app, &carla, "/beoordelen/bestaat-niet").await;
    assert_eq!((outside, missing), (404, 404));
    assert_eq!(outside_html, missing_html);
    assert_eq!(page_of(&app, &carla, &format!("/beoordelen/tranche-3/{tilburg}")).await.0, 404);
    assert_eq!(page_of(&app, &member, "/beoordelen").await.0, 403);
    assert_eq!(page_of(&app, &bea, "/beheer/oproepen/tranche-3/selectie").await.0, 403);

    // Bea's own organisation: listed without a link, its page refused.
    let (_, list) = page_of(&app, &bea, "/beoordelen/tranche-3").await;
    assert!(list.contains("niet door u (belang of eigen regio)"), "{list}");
    assert!(!list.contains(&format!("/beoordelen/tranche-3/{gorinchem}\"")), "{list}");
    let (status, html) = page_of(&app, &bea, &format!("/beoordelen/tranche-3/{gorinchem}")).await;
    assert!(status == 403 && html.contains("eigen organisatie"), "{html}");

    // Bob reviews Tilburg: every criterion needs a score to submit; a draft may miss some.
    let tilburg_page = format!("/beoordelen/tranche-3/{tilburg}");
    let (_, html) = page_of(&app, &bob, &tilburg_page).await;
    assert!(html.contains("Plan van aanpak Tilburg") || html.contains("plan.txt"), "{html}");
    let attachment =
        html.split(&format!("{tilburg_page}/bijlagen/")).nth(1).unwrap().split('"').next().unwrap().to_string();
    let download = format!("{tilburg_page}/bijlagen/{attachment}");
    let file = bob.get(format!("{}{download}", app.address)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.text().await.unwrap(), "Plan van aanpak Tilburg.");
    assert_eq!(page_of(&app, &carla, &download).await.0, 404);
    let partial = [("score_leervraag", "4"), ("action", "submit")];
    let refused = app.submit_form(&bob, &tilburg_page, &tilburg_page, &partial).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Geef een score voordat u indient."));
    let draft = [("score_leervraag", "4"), ("action", "save")];
    assert_eq!(app.submit_form(&bob, &tilburg_page, &tilburg_page, &draft).await.status(), 303);
    let out_of_scale = scores("6", "", "submit");
    assert_eq!(app.submit_form(&bob, &tilburg_page, &tilburg_page, &out_of_scale).await.status(), 422);
    let submitted = scores("4", "Heldere leervraag van Bob.", "submit");
    assert_eq!(app.submit_form(&bob, &tilburg_page, &tilburg_page, &submitted).await.status(), 303);
    let (_, html) = page_of(&app, &bob, &tilburg_page).await;
    assert!(html.contains("Nog geen andere beoordelaar"), "{html}");

    // Bea does not see Bob's scores until she has submitted her own.
    let (_, html) = page_of(&app, &bea, &tilburg_page).await;
    assert!(!html.contains("Heldere leervraag van Bob."), "{html}");
    let hers = scores("2", "Te breed.", "submit");
    assert_eq!(app.submit_form(&bea, &tilburg_page, &tilburg_page, &hers).await.status(), 303);
    let (_, html) = page_of(&app, &bea, &tilburg_page).await;
    assert!(html.contains("Heldere leervraag van Bob.") && html.contains("gemiddeld 4,0"), "{html}");
    // The page has no form any more; a post with a token from another page is refused.
    let achterhoek_page = format!("/beoordelen/tranche-3/{achterhoek}");
    let again = app.submit_form(&bea, &achterhoek_page, &tilburg_page, &scores("5", "", "submit")).await;
    assert_eq!(again.status(), 409, "a submitted review does not change");

    // Bea declares a conflict for the Achterhoek; Bob scores it and Gorinchem.
    let declared = app.submit_form(&bea, &achterhoek_page, &format!("{achterhoek_page}/belang"), &[]).await;
    assert_eq!(declared.status(), 303);
    let (status, html) = page_of(&app, &bea, &achterhoek_page).await;
    assert!(status == 403 && html.contains("u heeft een belang gemeld"), "{html}");
    for (id, score) in [(achterhoek, "5"), (gorinchem, "2")] {
        let path = format!("/beoordelen/tranche-3/{id}");
        assert_eq!(app.submit_form(&bob, &path, &path, &scores(score, "", "submit")).await.status(), 303);
    }

    // The board: best average first, with the spread between reviewers.
    let board = "/beheer/oproepen/tranche-3/selectie";
    let response = office.get(format!("{}{board}", app.address)).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    let order: Vec<usize> = ["Oost Achterhoek", "Gemeente Tilburg", "Gemeente Gorinchem"]
        .iter()
        .map(|name| html.find(&format!("<th scope=\"row\">{name}")).unwrap_or_else(|| panic!("{name} in {html}")))
        .collect();
    assert!(order[0] < order[1] && order[1] < order[2], "{order:?}");
    let tilburg_row = &html[order[1]..order[2]];
    assert!(tilburg_row.contains("<td>3,0</td>\n      <td>1,0</td>"), "average 3, spread 1: {tilburg_row}");
    for id in [tilburg, achterhoek] {
        let select = format!("{board}/{id}");
        assert_eq!(app.submit_form(&office, board, &select, &[("selected", "ja")]).await.status(), 303);
    }
    let html = office.get(format!("{}{board}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Geselecteerd: 2 van 10 plaatsen, uit 2 van de 12 provincies."), "{html}");
    assert!(html.contains("id=\"provincie-noord-brabant\" class=\"map-selected\""), "{html}");
    assert!(html.contains("id=\"provincie-zuid-holland\" class=\"map-applied\""), "{html}");
    assert!(html.contains("id=\"provincie-drenthe\" class=\"map-none\""), "{html}");
    let withdrawn = stored(&app.config, "wethouder@gorinchem.nl").await;
    assert_eq!(
        app.submit_form(&office, board, &format!("{board}/{}", withdrawn.id + 1000), &[("selected", "ja")])
            .await
            .status(),
        404
    );

    let csv = office.get(format!("{}/beheer/oproepen/tranche-3/selectie.csv", app.address)).send().await.unwrap();
    assert_eq!(csv.headers()["cache-control"], "no-store");
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = String::from_utf8(csv.bytes().await.unwrap().to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("Leervraag en inbreng"), "{text}");
    assert!(
        text.contains(";'=SUM(1);") && text.contains("Gemeente Tilburg;Noord-Brabant;Tilburg;224.000;118;"),
        "{text}"
    );
    app.stop().await;
    env.finish().await;
}
storage_test!(reviewing_and_selecting);
