//! Open calls to join the network, stored on SQLite and PostgreSQL: the programme office
//! opens and edits them, nobody else may, and the public list holds open and upcoming ones.

use chrono::{Duration, Utc};
use oogst::actor::{Actor, Role};
use oogst::calls::{self, CallInput, CallKind, Phase, Question};
use oogst::dutch_time::local_input;
use oogst::validation::EditError;

use crate::common::{Backend, TestEnv};
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
