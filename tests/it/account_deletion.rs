//! Deleting an account (AVG article 17), as people do it: a member deletes their own account
//! and afterwards nothing personal is left in any table, the search index or the mail outbox,
//! while their practice and its document stay with the organisation; the programme office
//! deletes another member on request; the last beheerder cannot delete themselves.

use std::time::Duration;

use reqwest::Method;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};
use serde_json::{json, Value};

use crate::common::{api, hidden_field, token_for, Backend, TestApp, TestEnv, PASSWORD};
use crate::smtp::TestSmtp;
use crate::storage_test;
use oogst::actor::Role;

const EMAIL: &str = "wilhelmina.zonderland@example.nl";
const NAME: &str = "Wilhelmina Zonderland";
/// Words only the member's own data holds: bio, keywords and registration remarks.
const OWN_WORDS: [&str; 3] = ["kwispelsnoor", "zeldzaamheidsleer", "pindakaasvrij"];

pub async fn app_with_mail(env: &TestEnv) -> (TestApp, TestSmtp) {
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), ..env.config() };
    (env.spawn_with(config, false).await, smtp)
}

/// A person with a name of their own, signed in: their browser and a Bearer token.
pub async fn person(
    app: &TestApp,
    email: &str,
    name: &str,
    role: Role,
    organisation: Option<&str>,
) -> (reqwest::Client, String) {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let organisation_id = match organisation {
        Some(slug) => Some(oogst::organisations::find_by_slug(&db, slug).await.unwrap().unwrap().id),
        None => None,
    };
    let new = oogst::accounts::NewUser {
        email: email.into(),
        name: name.into(),
        role,
        organisation_id,
        job_title: String::new(),
    };
    let (_, link) = oogst::accounts::create_with_link(&db, &new).await.unwrap();
    oogst::accounts::accept_invitation(&db, &link, PASSWORD).await.unwrap();
    let browser = app.browser();
    let login = app.submit_form(&browser, "/inloggen", "/inloggen", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(login.status(), 303);
    (browser, app.token(email, PASSWORD).await)
}

/// Every text of every row of every table, one string per row, lower-cased.
async fn every_row(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let tables_sql = match backend {
        DbBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table'",
        _ => "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public'",
    };
    let tables: Vec<String> = db
        .query_all(Statement::from_string(backend, tables_sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "t").unwrap())
        .collect();
    assert!(tables.iter().any(|table| table == "users") && tables.iter().any(|table| table == "audit_log"));
    let mut rows = Vec::new();
    for table in tables {
        let row_sql = match backend {
            DbBackend::Sqlite => {
                let columns = db
                    .query_all(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .unwrap();
                let texts: Vec<String> = columns
                    .iter()
                    .map(|column| {
                        format!("coalesce(CAST(\"{}\" AS TEXT), '')", column.try_get::<String>("", "name").unwrap())
                    })
                    .collect();
                format!("SELECT {} AS r FROM \"{table}\"", texts.join(" || '|' || "))
            }
            _ => format!("SELECT t::text AS r FROM \"{table}\" t"),
        };
        for row in db.query_all(Statement::from_string(backend, row_sql)).await.unwrap() {
            rows.push((table.clone(), row.try_get::<String>("", "r").unwrap().to_lowercase()));
        }
    }
    rows
}

/// The rows, anywhere in the database, that hold one of `needles`.
async fn rows_holding(db: &DatabaseConnection, needles: &[&str]) -> Vec<(String, String)> {
    every_row(db)
        .await
        .into_iter()
        .filter(|(_, row)| needles.iter().any(|needle| row.contains(&needle.to_lowercase())))
        .collect()
}

async fn member_deletes_their_account_and_nothing_personal_remains(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    crate::profiles::setup(&app).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let (browser, token) = person(&app, EMAIL, NAME, Role::Redacteur, Some("gemeente-zutphen")).await;

    // A profile in the directory, with words nobody else uses.
    let profile = json!({
        "display_name": NAME,
        "job_title": "Kwartiermaker",
        "keywords": ["zeldzaamheidsleer"],
        "bio": "Ik verzamel kwispelsnoor-verhalen.",
        "listed": true,
    });
    assert_eq!(api(&app, Method::PUT, "/api/v1/me/profile", &token, Some(profile)).await.0, 200);
    let (_, own) = api(&app, Method::GET, "/api/v1/me/profile", &token, None).await;
    let slug = own["slug"].as_str().unwrap().to_string();

    // A practice of the organisation, saved twice (two versions, two audit entries), and a
    // document attached to it.
    let practice = json!({
        "title": "Thuiszitterstafel Zutphen",
        "summary": "Iedere maand een tafel voor thuiszitters.",
        "body": "Leerplicht, school en jeugdhulp aan één tafel.",
        "contact": {"name": "Femke Hoogendoorn", "email": "f.hoogendoorn@gemeente-zutphen.example.nl"},
        "status": "concept",
    });
    let (status, created) = api(&app, Method::POST, "/api/v1/practices", &token, Some(practice.clone())).await;
    assert_eq!(status, 201, "{created}");
    let practice_slug = created["slug"].as_str().unwrap().to_string();
    let mut published = practice.clone();
    published["status"] = json!("gepubliceerd");
    let (status, body) =
        api(&app, Method::PUT, &format!("/api/v1/practices/{practice_slug}"), &token, Some(published)).await;
    assert_eq!(status, 200, "{body}");
    let form = reqwest::multipart::Form::new()
        .text("practice", practice_slug.clone())
        .text("title", "Verslag van de thuiszitterstafel")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"Verslag\nDe tafel kwam bijeen.".to_vec()).file_name("verslag.txt"),
        );
    let uploaded = app
        .client
        .post(format!("{}/api/v1/documents", app.address))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let document: Value = uploaded.json().await.unwrap();
    let document_slug = document["slug"].as_str().unwrap().to_string();

    // A place at an event still to come, with remarks of their own.
    let event = json!({
        "title": "Heidag thuiszitters", "kind": "heidag", "starts_at": "2030-05-11T09:30",
        "ends_at": "2030-05-11T16:00", "location": "De Hanzehof", "address": "Coehoornsingel 3, Zutphen",
        "capacity": 10,
    });
    let (status, event) = api(&app, Method::POST, "/api/v1/events", &bureau, Some(event)).await;
    assert_eq!(status, 201, "{event}");
    let event_slug = event["slug"].as_str().unwrap().to_string();
    let registration = json!({"name": NAME, "email": EMAIL, "remarks": "Graag pindakaasvrij.", "choices": []});
    let (status, outcome) =
        api(&app, Method::POST, &format!("/api/v1/events/{event_slug}/registrations"), &token, Some(registration))
            .await;
    assert_eq!(status, 201, "{outcome}");
    assert_eq!(outcome["status"], "confirmed");
    let (_, taken) = app.get_json(&format!("/api/v1/events/{event_slug}")).await;
    assert_eq!(taken["event"]["places_left"], 9);
    smtp.wait_for(EMAIL, 1).await;
    // Messages through the relay, to and from the member.
    let bureau_profile = json!({"display_name": "Programmabureau", "listed": true});
    assert_eq!(api(&app, Method::PUT, "/api/v1/me/profile", &bureau, Some(bureau_profile)).await.0, 200);
    let (_, bureau_own) = api(&app, Method::GET, "/api/v1/me/profile", &bureau, None).await;
    let bureau_slug = bureau_own["slug"].as_str().unwrap().to_string();
    app.wait_for_outbox().await;
    let message = json!({"subject": "Vraag over de tafel", "message": "Mag ik eens aanschuiven?"});
    for (from, to) in [(&token, &bureau_slug), (&bureau, &slug)] {
        let (status, body) =
            api(&app, Method::POST, &format!("/api/v1/people/{to}/contact"), from, Some(message.clone())).await;
        assert_eq!(status, 202, "{body}");
    }
    // And a mail still to be sent, most likely (the worker may be quick).
    let forgot =
        app.submit_form(&app.browser(), "/wachtwoord-vergeten", "/wachtwoord-vergeten", &[("email", EMAIL)]).await;
    assert!(forgot.status().is_redirection() || forgot.status().is_success());

    // The programme office finds the person in the search, by a word of their own.
    app.wait_for_outbox().await;
    let people_found = |query: &'static str| {
        let (app, bureau) = (&app, &bureau);
        async move {
            let (status, body) =
                api(app, Method::GET, &format!("/api/v1/search?kind=person&q={query}"), bureau, None).await;
            assert_eq!(status, 200, "{body}");
            body["total"].as_u64().unwrap()
        }
    };
    assert_eq!(people_found(OWN_WORDS[0]).await, 1, "the office finds the person before");

    let db = oogst::startup::connect(&app.config).await.unwrap();
    let mut needles = vec![EMAIL, NAME, slug.as_str()];
    needles.extend(OWN_WORDS);
    let before = rows_holding(&db, &needles).await;
    for table in ["users", "profiles", "registrations", "mail_outbox", "audit_log", "practice_versions"] {
        assert!(before.iter().any(|(found, _)| found == table), "before: nothing of the member in {table}");
    }

    let user_id = oogst::accounts::find_by_email(&db, EMAIL).await.unwrap().unwrap().id;
    let sessions_of = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            let sessions = entity::session::Entity::find()
                .filter(entity::session::Column::UserId.eq(user_id))
                .count(&db)
                .await
                .unwrap();
            let links = entity::one_time_token::Entity::find()
                .filter(entity::one_time_token::Column::UserId.eq(user_id))
                .count(&db)
                .await
                .unwrap();
            (sessions, links)
        }
    };
    let (sessions, links) = sessions_of(&db).await;
    assert!(sessions >= 2 && links >= 1, "sessions {sessions}, links {links}");

    // The page says what goes and what stays; a wrong password deletes nothing.
    let page = browser.get(format!("{}/profiel/verwijderen", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Wat verdwijnt") && html.contains("Wat blijft"), "{html}");
    let wrong = browser
        .post(format!("{}/profiel/verwijderen", app.address))
        .form(&[("csrf", hidden_field(&html, "csrf").as_str()), ("password", "niet mijn wachtwoord")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("Dit is niet uw wachtwoord"));
    assert!(oogst::accounts::find_by_email(&db, EMAIL).await.unwrap().is_some());

    let deleted =
        app.submit_form(&browser, "/profiel/verwijderen", "/profiel/verwijderen", &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(deleted.headers()["location"], "/");
    let home = browser.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Uw account en profiel zijn verwijderd"), "the home page says so");
    assert!(!home.contains(NAME), "signed out");

    // Nothing personal anywhere in the database or the search index.
    app.wait_for_outbox().await;
    assert_eq!(people_found(OWN_WORDS[0]).await, 0, "the search no longer holds the person");
    let left = rows_holding(&db, &needles).await;
    assert!(left.is_empty(), "personal data left: {left:#?}");
    assert_eq!(sessions_of(&db).await, (0, 0), "no session or link of the account is left");
    // The traces carry a pseudonym.
    let versions = entity::practice_version::Entity::find().all(&db).await.unwrap();
    assert_eq!(versions.len(), 2);
    for version in &versions {
        assert!(version.author_name.starts_with("Verwijderd account #"), "{}", version.author_name);
        assert_eq!(version.author_id, None);
    }
    let own_entries: Vec<_> = entity::audit_log::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.actor_name == versions[0].author_name)
        .collect();
    assert!(own_entries.len() >= 3, "the practice saves and the deletion itself: {own_entries:?}");
    assert!(own_entries.iter().all(|entry| entry.actor_id.is_none()));

    // The practice and its document stay with the organisation, and search finds them.
    let (status, kept) = app.get_json(&format!("/api/v1/practices/{practice_slug}")).await;
    assert_eq!(status, 200);
    assert_eq!(kept["organisation"]["slug"], "gemeente-zutphen");
    assert_eq!(app.get_json(&format!("/api/v1/documents/{document_slug}")).await.0, 200);
    app.wait_for_search("q=thuiszitterstafel", Duration::from_secs(5), |slugs| slugs.contains(&practice_slug)).await;
    // The place at the event is free again.
    let (_, event) = app.get_json(&format!("/api/v1/events/{event_slug}")).await;
    assert_eq!(event["event"]["places_left"], 10, "{event}");

    // The old session, token and password no longer work; the profile is gone.
    let stale = browser.get(format!("{}/profiel", app.address)).send().await.unwrap();
    assert_eq!(stale.status(), 303, "the old session cookie is refused");
    assert_eq!(api(&app, Method::GET, "/api/v1/me/profile", &token, None).await.0, 401);
    let login =
        app.submit_form(&app.browser(), "/inloggen", "/inloggen", &[("email", EMAIL), ("password", PASSWORD)]).await;
    assert_eq!(login.status(), 422);
    assert_eq!(app.get_json(&format!("/api/v1/people/{slug}")).await.0, 404);
    assert_eq!(api(&app, Method::GET, &format!("/api/v1/people/{slug}"), &bureau, None).await.0, 404);

    app.stop().await;
    env.finish().await;
}
storage_test!(member_deletes_their_account_and_nothing_personal_remains);

async fn office_deletes_a_member_and_the_last_beheerder_stays(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _smtp) = app_with_mail(&env).await;
    let (office, _) = person(&app, "bureau@oogst.test", "Bram Bureau", Role::Beheerder, None).await;
    let bram = app.token("bureau@oogst.test", PASSWORD).await;
    let (_, other_token) = person(&app, "tweede@oogst.test", "Tjitske Tweedebeheer", Role::Beheerder, None).await;

    // The second beheerder writes news; the index knows her name as its author.
    let news = json!({"title": "Nieuwe regio's gekozen", "summary": "Tien regio's doen mee."});
    let (status, created) = api(&app, Method::POST, "/api/v1/news", &other_token, Some(news)).await;
    assert_eq!(status, 201, "{created}");
    let news_slug = created["slug"].as_str().unwrap().to_string();
    app.wait_for_search("q=Tweedebeheer", Duration::from_secs(5), |slugs| slugs.contains(&news_slug)).await;
    let (_, own) = api(&app, Method::GET, "/api/v1/me/profile", &other_token, None).await;
    let slug = own["slug"].as_str().unwrap().to_string();

    // The office's page of the member offers the deletion, which asks to confirm.
    let page = office.get(format!("{}/beheer/leden/{slug}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/beheer/leden/{slug}/verwijderen")), "{page}");
    let action = format!("/beheer/leden/{slug}/verwijderen");
    let unconfirmed = app.submit_form(&office, &action, &action, &[]).await;
    assert_eq!(unconfirmed.status(), 422);
    assert!(unconfirmed.text().await.unwrap().contains("Vink aan"));
    // Nobody else may delete someone's account: the page and the action are the office's.
    let (lid, _) = person(&app, "lid@oogst.test", "Lotte Lid", Role::Lid, None).await;
    assert_eq!(lid.get(format!("{}{action}", app.address)).send().await.unwrap().status(), 403);

    let deleted = app.submit_form(&office, &action, &action, &[("confirm", "ja")]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(deleted.headers()["location"], "/beheer/leden");
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let left = rows_holding(&db, &["tweede@oogst.test", "Tjitske Tweedebeheer", &slug]).await;
    assert!(left.is_empty(), "personal data left: {left:#?}");
    // The audit entry names the pseudonym, which the news item now carries too.
    let log = office.get(format!("{}/beheer/logboek", app.address)).send().await.unwrap().text().await.unwrap();
    let (_, item) = app.get_json(&format!("/api/v1/news/{news_slug}")).await;
    let pseudonym = item["author"].as_str().unwrap();
    assert!(pseudonym.starts_with("Verwijderd account #"), "{item}");
    assert!(log.contains(pseudonym) && log.contains("Bram Bureau"), "{log}");
    assert_eq!(api(&app, Method::GET, "/api/v1/me/profile", &other_token, None).await.0, 401);
    // The index forgets the name, not the news.
    app.wait_for_search("q=Tweedebeheer", Duration::from_secs(5), |slugs| slugs.is_empty()).await;
    app.wait_for_search("q=gekozen", Duration::from_secs(5), |slugs| slugs.contains(&news_slug)).await;

    // Now the last beheerder: refused, over the API and in the browser.
    let (status, body) = api(&app, Method::DELETE, "/api/v1/me", &bram, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("laatste"), "{body}");
    let refused =
        app.submit_form(&office, "/profiel/verwijderen", "/profiel/verwijderen", &[("password", PASSWORD)]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("laatste account van een beheerder"));
    // A member deletes their account over the API: a wrong password first.
    let lotte = app.token("lid@oogst.test", PASSWORD).await;
    let (status, _) = api(&app, Method::DELETE, "/api/v1/me", &lotte, Some(json!({"password": "fout"}))).await;
    assert_eq!(status, 422);
    let (status, _) = api(&app, Method::DELETE, "/api/v1/me", &lotte, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, 204);
    assert_eq!(api(&app, Method::GET, "/api/v1/me/profile", &lotte, None).await.0, 401);
    assert!(oogst::accounts::find_by_email(&db, "bureau@oogst.test").await.unwrap().is_some());

    app.stop().await;
    env.finish().await;
}
storage_test!(office_deletes_a_member_and_the_last_beheerder_stays);
