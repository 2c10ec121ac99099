//! The question desk as askers and the programme office meet it: asking without an account
//! and confirming from the mail of a real SMTP server, members asking with one click, the
//! office entering questions on someone's behalf (page and API), bad input, who may see the
//! queue, and the queue's filters and search.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::common::{api, hidden_field, token_for, Backend, TestApp, TestEnv, PASSWORD};
use crate::smtp::TestSmtp;
use crate::storage_test;
use entity::question;
use oogst::actor::Role;

pub(crate) async fn app_with_mail(env: &TestEnv) -> (TestApp, TestSmtp) {
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), mail_retry_seconds: 1, ..env.config() };
    (env.spawn_with(config, false).await, smtp)
}

pub(crate) fn asker(email: &str, question: &str) -> Value {
    json!({
        "name": "Anouk de Vries",
        "email": email,
        "organisation": "SWV Drechtsteden",
        "role": "Intern begeleider",
        "province": "Zuid-Holland",
        "municipality": "Dordrecht",
        "question": question,
        "context": "Een leerling van 14 zit al een half jaar thuis.",
        "tried": "Gesprekken met ouders en de leerplichtambtenaar.",
        "needed_by": "2099-03-01",
        "share_anonymised": true,
    })
}

pub(crate) async fn ask_anonymously(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.client.post(format!("{}/api/v1/questions", app.address)).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A browser signed in as `email` (an account made with `token_for`).
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let browser = app.browser();
    let login = app.submit_form(&browser, "/inloggen", "/inloggen", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(login.status(), 303, "login of {email}");
    browser
}

pub(crate) async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Confirms by the link in the mail, as a browser does: the page, then its button.
pub(crate) async fn confirm(app: &TestApp, path: &str) -> reqwest::Response {
    let browser = app.browser();
    app.submit_form(&browser, path, path, &[]).await
}

async fn queue_ids(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (status, body) = api(app, reqwest::Method::GET, &format!("/api/v1/questions{query}"), token, None).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect()
}

async fn anonymous_question_is_confirmed_by_mail_once(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;

    let (status, body) =
        ask_anonymously(&app, asker("anouk@vrager.test", "Hoe krijgen we thuiszitters weer naar school?")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["confirmed"], false);
    let id = body["id"].as_i64().unwrap();
    // Unconfirmed, it is not in the queue, nor to be opened.
    assert!(queue_ids(&app, &bureau, "").await.is_empty());
    let (status, _) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &bureau, None).await;
    assert_eq!(status, 404);

    let mail = &smtp.wait_for("anouk@vrager.test", 1).await[0];
    assert!(mail.header("Subject").contains("Bevestig uw vraag"), "{}", mail.header("Subject"));
    let link = mail.link("/vraag-stellen/bevestigen/");
    let path = format!("/vraag-stellen/bevestigen/{}", link.rsplit('/').next().unwrap());
    let opened = app.browser().get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let confirmed = confirm(&app, &path).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(confirmed.headers()["location"], "/vraag-stellen/verstuurd?bevestigd=ja");

    // Now it is in the queue, and the asker has a receipt.
    assert_eq!(queue_ids(&app, &bureau, "").await, [id]);
    let (status, detail) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &bureau, None).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["status"], "nieuw");
    assert_eq!(detail["province"], "Zuid-Holland");
    assert_eq!(detail["needed_by"], "2099-03-01");
    assert_eq!(detail["source"], "api");
    let receipt = &smtp.wait_for("anouk@vrager.test", 2).await[1];
    assert!(receipt.header("Subject").contains("ontvangen"), "{}", receipt.header("Subject"));

    // A link works once.
    let again = confirm(&app, &path).await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("verlopen of al gebruikt"));
    env.finish().await;
}
storage_test!(anonymous_question_is_confirmed_by_mail_once);

async fn expired_links_are_refused_and_purged(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let (status, body) =
        ask_anonymously(&app, asker("laat@vrager.test", "Wie weet iets van onderwijszorgarrangementen?")).await;
    assert_eq!(status, 201, "{body}");
    let mail = &smtp.wait_for("laat@vrager.test", 1).await[0];
    let path =
        format!("/vraag-stellen/bevestigen/{}", mail.link("/vraag-stellen/bevestigen/").rsplit('/').next().unwrap());
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let expired = chrono::Utc::now() - chrono::Duration::hours(1);
    question::Entity::update_many()
        .set(question::ActiveModel { confirm_expires_at: Set(Some(expired)), ..Default::default() })
        .exec(&db)
        .await
        .unwrap();
    let late = confirm(&app, &path).await;
    assert_eq!(late.status(), 410);
    assert!(late.text().await.unwrap().contains("Stel haar dan opnieuw"));
    assert_eq!(oogst::questions::purge_unconfirmed(&db).await.unwrap(), 1);
    assert_eq!(question::Entity::find().count(&db).await.unwrap(), 0);
    env.finish().await;
}
storage_test!(expired_links_are_refused_and_purged);

async fn members_ask_with_one_click_and_the_office_on_behalf(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    token_for(&app, "lid@oogst.test", Role::Lid, None).await;

    // A member's form comes filled in; sending it is enough.
    let member = signed_in(&app, "lid@oogst.test").await;
    let (status, form) = page(&app, &member, "/vraag-stellen").await;
    assert_eq!(status, 200);
    assert!(form.contains("lid@oogst.test"), "the account's address is shown");
    let csrf = hidden_field(&form, "csrf");
    let sent = member
        .post(format!("{}/vraag-stellen", app.address))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "lid@oogst.test"),
            ("question", "Hoe zetten we een zorgteam in de school op?"),
            ("themes", "thuiszitters"),
            ("province", "Utrecht"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"], "/vraag-stellen/verstuurd?bevestigd=ja");
    let receipt = &smtp.wait_for("lid@oogst.test", 1).await[0];
    assert!(receipt.header("Subject").contains("ontvangen"));
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let asked = question::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(asked.confirmed_at.is_some() && asked.asker_user_id.is_some());
    assert_eq!(asked.source, "member");

    // The office enters a phoned-in question on its page: confirmed, no confirmation mail.
    let office = signed_in(&app, "bureau@oogst.test").await;
    let entered = app
        .submit_form(
            &office,
            "/beheer/vragen/nieuw",
            "/beheer/vragen/nieuw",
            &[
                ("name", "Pieter Bakker"),
                ("email", "pieter@vrager.test"),
                ("question", "Welke gemeenten financieren onderwijszorgarrangementen samen?"),
            ],
        )
        .await;
    assert_eq!(entered.status(), 303);
    let location = entered.headers()["location"].to_str().unwrap().to_string();
    let (status, shown) = page(&app, &office, &location).await;
    assert_eq!(status, 200);
    assert!(shown.contains("Pieter Bakker") && shown.contains("Ingevoerd door het programmabureau"), "{shown}");

    // And through the API with its token.
    let (status, body) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/questions",
        &bureau,
        Some(asker("mail@vrager.test", "Hoe betrekken we ouders bij het ontwikkelingsperspectief?")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["confirmed"], true);
    let received = smtp.wait_for("pieter@vrager.test", 1).await;
    assert!(received[0].header("Subject").contains("ontvangen"));
    let to_mail = smtp.wait_for("mail@vrager.test", 1).await;
    assert!(to_mail.iter().all(|mail| !mail.header("Subject").contains("Bevestig")));
    assert_eq!(queue_ids(&app, &bureau, "").await.len(), 3);
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::EntityKind.eq("vraag"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(audit, 2);
    env.finish().await;
}
storage_test!(members_ask_with_one_click_and_the_office_on_behalf);

async fn bad_input_is_explained_in_dutch_and_nothing_is_stored(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let mut bad = asker("geen-adres", "Te kort");
    bad["province"] = json!("Vlaanderen");
    bad["needed_by"] = json!("2001-01-01");
    let (status, body) = ask_anonymously(&app, bad).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["email"][0].as_str().unwrap().contains("geen geldig e-mailadres"), "{body}");
    assert!(body["fields"]["question"][0].as_str().unwrap().contains("minstens"), "{body}");
    assert!(body["fields"]["province"][0].as_str().unwrap().contains("Kies een provincie"), "{body}");
    assert!(body["fields"]["needed_by"][0].as_str().unwrap().contains("voorbij"), "{body}");
    let (status, _) = ask_anonymously(&app, json!({"question": "x", "telefoon": "06"})).await;
    assert_eq!(status, 400, "unknown fields are refused");

    // The form comes back with the messages at their fields, not cached.
    let browser = app.browser();
    let again = app
        .submit_form(
            &browser,
            "/vraag-stellen",
            "/vraag-stellen",
            &[("name", ""), ("email", "x"), ("question", "kort")],
        )
        .await;
    assert_eq!(again.status(), 422);
    assert_eq!(again.headers()["cache-control"], "no-store");
    let html = again.text().await.unwrap();
    assert!(
        html.contains("<title>Fout:") && html.contains("Vul uw naam in.") && html.contains("id=\"question-error\"")
    );

    let db = oogst::startup::connect(&app.config).await.unwrap();
    assert_eq!(question::Entity::find().count(&db).await.unwrap(), 0);
    assert!(smtp.received().is_empty());
    env.finish().await;
}
storage_test!(bad_input_is_explained_in_dutch_and_nothing_is_stored);

async fn only_the_office_sees_the_queue(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let lid = token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let (_, body) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/questions",
        &bureau,
        Some(asker("a@vrager.test", "Een vraag over dyslexie in de keten.")),
    )
    .await;
    let id = body["id"].as_i64().unwrap();

    let visitor = app.browser();
    let member = signed_in(&app, "lid@oogst.test").await;
    for path in ["/beheer/vragen".to_string(), "/beheer/vragen/nieuw".into(), format!("/beheer/vragen/{id}")] {
        assert_eq!(page(&app, &visitor, &path).await.0, 404, "{path} for a visitor");
        assert_eq!(page(&app, &member, &path).await.0, 404, "{path} for a member");
    }
    let office = signed_in(&app, "bureau@oogst.test").await;
    assert_eq!(page(&app, &office, "/beheer/vragen").await.0, 200);

    let list = app.client.get(format!("{}/api/v1/questions", app.address)).send().await.unwrap();
    assert_eq!(list.status(), 401);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/questions", &lid, None).await.0, 403);
    assert_eq!(api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &lid, None).await.0, 404);
    env.finish().await;
}
storage_test!(only_the_office_sees_the_queue);

async fn the_queue_filters_and_searches(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let ask = |question: &'static str| {
        let (app, bureau) = (&app, &bureau);
        async move {
            let (status, body) =
                api(app, reqwest::Method::POST, "/api/v1/questions", bureau, Some(asker("q@vrager.test", question)))
                    .await;
            assert_eq!(status, 201, "{body}");
            body["id"].as_i64().unwrap()
        }
    };
    let home = ask("Hoe krijgen we THUISZITTERS weer naar school?").await;
    let oza = ask("Wie financiert een onderwijszorgarrangement (OZA) in 100% van de gevallen?").await;

    // The office takes one on: status and handler, with an audit entry.
    let office = signed_in(&app, "bureau@oogst.test").await;
    let (_, shown) = page(&app, &office, &format!("/beheer/vragen/{oza}")).await;
    let handler = shown
        .split("<option value=\"")
        .find(|value| value.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let saved = office
        .post(format!("{}/beheer/vragen/{oza}", app.address))
        .form(&[
            ("csrf", hidden_field(&shown, "csrf").as_str()),
            ("status", "in_behandeling"),
            ("handler_id", handler.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);

    assert_eq!(queue_ids(&app, &bureau, "?q=thuiszitters").await, [home]);
    assert_eq!(queue_ids(&app, &bureau, "?q=100%25").await, [oza], "a percent sign is a character, not a wildcard");
    assert_eq!(queue_ids(&app, &bureau, "?status=in_behandeling").await, [oza]);
    assert_eq!(queue_ids(&app, &bureau, "?status=nieuw").await, [home]);
    assert_eq!(queue_ids(&app, &bureau, &format!("?handler={handler}")).await, [oza]);
    assert_eq!(queue_ids(&app, &bureau, "?handler=none").await, [home]);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/questions?status=weg", &bureau, None).await.0, 400);

    // The page: filters, and an empty state that says so.
    let (_, filtered) = page(&app, &office, "/beheer/vragen?status=beantwoord").await;
    assert!(filtered.contains("Geen vragen gevonden met deze filters"), "{filtered}");
    let (_, all) = page(&app, &office, "/beheer/vragen?behandelaar=niemand").await;
    assert!(all.contains("THUISZITTERS") && !all.contains("100%"), "{all}");
    env.finish().await;
}
storage_test!(the_queue_filters_and_searches);

/// The office sees, on the question's page and through the API, the experts and practices of
/// the demo content that fit a question, each with its reasons; nobody else sees them.
async fn the_office_gets_suggestions_for_a_question(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = env.spawn_with(oogst::config::Config { smtp_url: smtp.url(), ..env.config() }, true).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let lid = token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let question = "Hoe krijgen we thuiszitters weer naar school, samen met het samenwerkingsverband?";
    let (status, body) =
        api(&app, reqwest::Method::POST, "/api/v1/questions", &bureau, Some(asker("a@vrager.test", question))).await;
    assert_eq!(status, 201, "{body}");
    let path = format!("/api/v1/questions/{}/suggestions", body["id"]);

    let (status, suggestions) = api(&app, reqwest::Method::GET, &path, &bureau, None).await;
    assert_eq!(status, 200, "{suggestions}");
    for (list, label) in [("experts", "name"), ("practices", "title")] {
        let items = suggestions[list].as_array().unwrap();
        assert!(!items.is_empty(), "{list}: {suggestions}");
        for item in items {
            assert!(item["slug"].is_string() && item[label].is_string() && item["score"].is_number(), "{item}");
            assert!(!item["reasons"].as_array().unwrap().is_empty(), "{item}");
        }
    }
    assert!(suggestions["questions"].as_array().unwrap().is_empty());

    let office = signed_in(&app, "bureau@oogst.test").await;
    let (status, html) = page(&app, &office, &format!("/beheer/vragen/{}", body["id"])).await;
    assert_eq!(status, 200);
    assert!(html.contains("Wie of wat kan helpen"), "{html}");
    let first_practice = suggestions["practices"][0]["slug"].as_str().unwrap();
    assert!(html.contains(&format!("/praktijken/{first_practice}")), "{html}");

    assert_eq!(api(&app, reqwest::Method::GET, &path, &lid, None).await.0, 404);
    let anonymous = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // Anyone writing a question gets hints: themes to tick and practices that may help.
    let hints = |text: &str| {
        let url = format!("{}/api/v1/questions/hints?text={}", app.address, urlencoding(text));
        let client = app.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let found = hints(question).await;
    assert!(found["themes"].as_array().unwrap().iter().any(|theme| theme["slug"] == "thuiszitters"), "{found}");
    let practices = found["practices"].as_array().unwrap();
    assert!(!practices.is_empty() && practices[0]["url"].as_str().unwrap().starts_with("/praktijken/"), "{found}");
    assert_eq!(hints("school").await, json!({"themes": [], "practices": [], "questions": []}), "too little to go on");
    env.finish().await;
}
storage_test!(the_office_gets_suggestions_for_a_question);

fn urlencoding(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap().trim_start_matches('=').to_string()
}

/// The asker's personal data: in their download, removed a set time after the question is
/// closed, and when they delete their account; the figures' facts stay.
async fn askers_personal_data_is_downloaded_and_removed(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let member = token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let leaving = token_for(&app, "weg@oogst.test", Role::Lid, None).await;
    let ask = |token: &str, question: &'static str| {
        let (app, token) = (&app, token.to_string());
        async move {
            let (status, body) =
                api(app, reqwest::Method::POST, "/api/v1/questions", &token, Some(asker("x@vrager.test", question)))
                    .await;
            assert_eq!(status, 201, "{body}");
            body["id"].as_i64().unwrap() as i32
        }
    };
    let kept = ask(&member, "Hoe houden we de zorg in de klas betaalbaar voor de gemeente?").await;
    let closed = ask(&member, "Welke regio heeft ervaring met een onderwijszorgarrangement?").await;
    let deleted = ask(&leaving, "Hoe betrekken we ouders bij een thuiszitterstafel?").await;

    let browser = signed_in(&app, "lid@oogst.test").await;
    let download: Value =
        browser.get(format!("{}/profiel/gegevens", app.address)).send().await.unwrap().json().await.unwrap();
    let asked: Vec<i64> = download["questions"].as_array().unwrap().iter().map(|q| q["id"].as_i64().unwrap()).collect();
    assert_eq!(asked, [kept as i64, closed as i64], "{download}");
    assert_eq!(download["questions"][0]["email"], "lid@oogst.test");

    // Closed longer ago than the retention time: the personal data goes, the facts stay.
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
    question::Entity::update_many()
        .set(question::ActiveModel {
            status: Set("afgesloten".into()),
            closed_at: Set(Some(long_ago)),
            ..Default::default()
        })
        .filter(question::Column::Id.eq(closed))
        .exec(&db)
        .await
        .unwrap();
    let keep = chrono::Duration::days(365);
    assert_eq!(oogst::questions::privacy::remove_expired(&db, keep).await.unwrap(), 1);
    assert_eq!(oogst::questions::privacy::remove_expired(&db, keep).await.unwrap(), 0);
    let row = question::Entity::find_by_id(closed).one(&db).await.unwrap().unwrap();
    assert_eq!((row.name.as_str(), row.email.as_str(), row.asker_user_id), ("", "", None));
    assert_eq!(row.question, oogst::questions::privacy::REMOVED_TEXT);
    assert_eq!((row.status.as_str(), row.province.as_deref()), ("afgesloten", Some("Zuid-Holland")));
    let office = signed_in(&app, "bureau@oogst.test").await;
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{closed}")).await;
    assert!(html.contains("De gegevens van de vrager zijn op") && !html.contains("lid@oogst.test"), "{html}");
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{kept}")).await;
    assert!(html.contains("lid@oogst.test"), "an open question keeps its asker");

    // Deleting an account removes the personal data of the questions it asked.
    let leaving_browser = signed_in(&app, "weg@oogst.test").await;
    let gone = app
        .submit_form(&leaving_browser, "/profiel/verwijderen", "/profiel/verwijderen", &[("password", PASSWORD)])
        .await;
    assert_eq!(gone.status(), 303);
    let row = question::Entity::find_by_id(deleted).one(&db).await.unwrap().unwrap();
    assert!(row.personal_data_removed_at.is_some() && row.email.is_empty() && row.name.is_empty());
    let (status, _) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{deleted}"), &bureau, None).await;
    assert_eq!(status, 200, "the question itself stays for the figures");
    env.finish().await;
}
storage_test!(askers_personal_data_is_downloaded_and_removed);
