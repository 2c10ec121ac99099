//! Contact without addresses: members write to a profile or a practice's contact through the
//! platform, over a real SMTP server, and neither side sees the other's address until the
//! recipient answers; refusals, the rate limit, the outbox emptied after delivery and the
//! log line in the personal-data download.

use std::time::{Duration, Instant};

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::common::{api, Backend, TestApp, TestEnv, PASSWORD};
use crate::editing::logged_in;
use crate::smtp::TestSmtp;
use crate::storage_test;
use oogst::actor::Role;

const ORGANISATION: &str = "gemeente-zutphen";
const RECIPIENT: &str = "ria.ontvanger@example.nl";
const SENDER: &str = "sam.afzender@example.nl";
const OTHER: &str = "olga.ander@example.nl";

async fn app_with_smtp(env: &TestEnv) -> (TestApp, TestSmtp) {
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), mail_retry_seconds: 1, ..env.config() };
    let app = env.spawn_with(config, false).await;
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let organisation = oogst::organisations::OrganisationInput {
        slug: ORGANISATION.into(),
        name: "Gemeente Zutphen".into(),
        kind: "gemeente".into(),
        province: Some("Gelderland".into()),
        municipalities: vec!["Zutphen".into()],
        website: None,
        description: String::new(),
        network_role: "lid".into(),
        tranche: None,
    };
    oogst::organisations::upsert(&db, organisation).await.unwrap();
    (app, smtp)
}

/// A signed-in member with a browser and a token, named `name` in the network (listed in
/// the directory when `listed`).
struct Member {
    browser: reqwest::Client,
    token: String,
    slug: String,
}

async fn member(app: &TestApp, email: &str, name: &str, role: Role, listed: bool) -> Member {
    let browser = logged_in(app, email, role, Some(ORGANISATION)).await;
    let token = app.token(email, PASSWORD).await;
    let profile = json!({ "display_name": name, "listed": listed });
    let (status, saved) = api(app, Method::PUT, "/api/v1/me/profile", &token, Some(profile)).await;
    assert_eq!(status, 200, "{saved}");
    Member { browser, token, slug: saved["slug"].as_str().unwrap().to_string() }
}

impl Member {
    async fn get(&self, app: &TestApp, path: &str) -> (u16, String) {
        let response = self.browser.get(format!("{}{path}", app.address)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// `POST /api/v1/people/{slug}/contact`; status, body and Retry-After.
    async fn write_to(&self, app: &TestApp, slug: &str, subject: &str) -> (u16, Value, Option<String>) {
        let response = app
            .client
            .post(format!("{}/api/v1/people/{slug}/contact", app.address))
            .bearer_auth(&self.token)
            .json(&json!({ "subject": subject, "message": "Mag ik u iets vragen over thuiszitters?" }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").map(|value| value.to_str().unwrap().to_string());
        (status, response.json().await.unwrap_or(Value::Null), retry_after)
    }
}

async fn user_id(app: &TestApp, email: &str) -> i32 {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    entity::user::Entity::find().filter(entity::user::Column::Email.eq(email)).one(&db).await.unwrap().unwrap().id
}

/// Waits until the outbox is empty: relayed messages leave it once delivered.
async fn outbox_emptied(app: &TestApp) {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let started = Instant::now();
    loop {
        let left = entity::mail_outbox::Entity::find().count(&db).await.unwrap();
        if left == 0 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{left} mails stay in the outbox");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn log_lines(app: &TestApp) -> u64 {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    entity::contact_log::Entity::find().count(&db).await.unwrap()
}

async fn relay_between_members(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_smtp(&env).await;
    let recipient = member(&app, RECIPIENT, "Ria Ontvanger", Role::Lid, true).await;
    let sender = member(&app, SENDER, "Sam Afzender", Role::Lid, false).await;
    let other = member(&app, OTHER, "Olga Ander", Role::Redacteur, false).await;
    let form = format!("/leden/{}/contact", recipient.slug);

    // Visitors are asked to log in, and cannot send.
    let page = app.browser().get(format!("{}{form}", app.address)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Log in om contact op te nemen"), "{page}");
    assert!(page.contains("/inloggen?next=%2Fleden%2Fria-ontvanger%2Fcontact"), "{page}");
    let anonymous = app.browser().post(format!("{}{form}", app.address)).form(&[("subject", "Hoi")]).send().await;
    assert_eq!(anonymous.unwrap().status(), 401);
    let (status, _, _) = Member { browser: app.browser(), token: "geen-token".into(), slug: String::new() }
        .write_to(&app, &recipient.slug, "Hoi")
        .await;
    assert_eq!(status, 401);

    // The form, refused with an empty subject, then sent.
    let (status, page) = sender.get(&app, &form).await;
    assert_eq!(status, 200);
    assert!(page.contains("Bericht aan Ria Ontvanger") && !page.contains(RECIPIENT), "{page}");
    let message = "Ik zag uw werk rond thuiszitters.\nZullen we bellen?";
    let refused = app.submit_form(&sender.browser, &form, &form, &[("subject", " "), ("message", message)]).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("<title>Fout: ") && refused.contains("Vul het onderwerp in."), "{refused}");
    let sent = app
        .submit_form(&sender.browser, &form, &form, &[("subject", "Vraag over thuiszitters"), ("message", message)])
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"], format!("/leden/{}", recipient.slug).as_str());
    let (_, confirmation) = sender.get(&app, &format!("/leden/{}", recipient.slug)).await;
    assert!(confirmation.contains("Uw bericht is verstuurd") && !confirmation.contains(RECIPIENT), "{confirmation}");

    let mail = smtp.wait_for(RECIPIENT, 1).await.remove(0);
    assert_eq!(mail.to, [RECIPIENT]);
    assert!(mail.header("To").contains(RECIPIENT));
    let reply_to = mail.header("Reply-To");
    assert!(reply_to.contains(SENDER) && reply_to.contains("Sam Afzender"), "{reply_to}");
    assert_eq!(mail.header("Subject"), "[Oogst] Vraag over thuiszitters");
    let text = mail.part("text/plain");
    assert!(text.contains("Sam Afzender (Gemeente Zutphen)") && text.contains("Zullen we bellen?"), "{text}");
    assert!(mail.part("text/html").contains("Zullen we bellen?"));
    // The message leaves the database once delivered; the log line stays.
    outbox_emptied(&app).await;
    assert_eq!(log_lines(&app).await, 1);

    // The API answers without the address.
    let (status, body, _) = sender.write_to(&app, &recipient.slug, "Nog een vraag").await;
    assert_eq!(status, 202, "{body}");
    assert!(!body.to_string().contains(RECIPIENT), "{body}");
    // A profile outside the directory answers like one that does not exist.
    let (status, body, _) = recipient.write_to(&app, &sender.slug, "Hallo").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")), "{body}");
    assert_eq!(recipient.get(&app, &format!("/leden/{}/contact", sender.slug)).await.0, 404);
    let (status, body, _) = sender.write_to(&app, "bestaat-niet", "Hallo").await;
    assert_eq!(status, 404, "{body}");

    // The recipient refuses this sender with the mail's link, without logging in.
    let link = mail.link("/berichten/weigeren/");
    let path = link.trim_start_matches(&app.config.public_url()).to_string();
    let stranger = app.browser();
    let opened = stranger.get(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(opened.headers()["cache-control"], "no-store");
    assert!(opened.text().await.unwrap().contains("geen berichten meer van deze afzender"));
    let confirmed = app.submit_form(&stranger, &path, &path, &[]).await;
    assert_eq!(confirmed.status(), 200);
    let (status, body, _) = sender.write_to(&app, &recipient.slug, "Nog eens").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["message"], "Deze persoon ontvangt op dit moment geen berichten via Oogst.");
    let (status, _, _) = other.write_to(&app, &recipient.slug, "Van een ander").await;
    assert_eq!(status, 202);
    let forged = path.replacen("/weigeren/", "/weigeren/1", 1);
    assert_eq!(app.browser().get(format!("{}{forged}", app.address)).send().await.unwrap().status(), 404);

    // On /profiel the refusal is listed and undone; refusing everyone holds for all.
    let (_, profile) = recipient.get(&app, "/profiel").await;
    assert!(profile.contains("Geweigerde afzenders") && profile.contains("Sam Afzender"), "{profile}");
    let sender_id = user_id(&app, SENDER).await.to_string();
    let settings = |action: &'static str, sender: String| {
        let browser = recipient.browser.clone();
        let app = &app;
        async move {
            app.submit_form(&browser, "/profiel", "/profiel/berichten", &[("action", action), ("afzender", &sender)])
                .await
        }
    };
    assert_eq!(settings("toestaan", sender_id.clone()).await.status(), 303);
    assert_eq!(sender.write_to(&app, &recipient.slug, "Weer welkom").await.0, 202);
    assert_eq!(settings("weigeren", String::new()).await.status(), 303);
    assert_eq!(sender.write_to(&app, &recipient.slug, "Niemand").await.0, 403);
    assert_eq!(other.write_to(&app, &recipient.slug, "Niemand").await.0, 403);
    let (_, profile) = recipient.get(&app, "/profiel").await;
    assert!(profile.contains("U ontvangt op dit moment geen berichten via Oogst."), "{profile}");
    assert_eq!(settings("toestaan", String::new()).await.status(), 303);
    // Not being available as a sparring partner is no refusal.
    assert_eq!(sender.write_to(&app, &recipient.slug, "Weer open").await.0, 202);

    // Five messages in ten minutes, then 429 with Retry-After; another sender still passes.
    assert_eq!(sender.write_to(&app, &recipient.slug, "Vijf").await.0, 202);
    let (status, body, retry_after) = sender.write_to(&app, &recipient.slug, "Zes").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_requests");
    assert!(body["message"].as_str().unwrap().starts_with("U heeft te veel berichten verstuurd; probeer het over"));
    let seconds: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=600).contains(&seconds), "{seconds}");
    let page = app.submit_form(&sender.browser, &form, &form, &[("subject", "Zeven"), ("message", "Hallo")]).await;
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert_eq!(other.write_to(&app, &recipient.slug, "Van een ander").await.0, 202);

    // Delivered and gone from the outbox; the download of one's data holds the log lines,
    // never the text.
    smtp.wait_for(RECIPIENT, 7).await;
    outbox_emptied(&app).await;
    assert_eq!(log_lines(&app).await, 7);
    let (status, data) = recipient.get(&app, "/profiel/gegevens").await;
    assert_eq!(status, 200);
    let data: Value = serde_json::from_str(&data).unwrap();
    let messages = data["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 7, "{data}");
    assert_eq!(messages[0]["direction"], "ontvangen");
    assert_eq!(messages[0]["from"], "Sam Afzender");
    assert_eq!(messages[0]["to"], "Ria Ontvanger");
    assert!(messages[0]["sent_at"].is_string());
    assert!(!data.to_string().contains("Zullen we bellen"), "no message text in the data");
    let (_, data) = sender.get(&app, "/profiel/gegevens").await;
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["messages"].as_array().unwrap().len(), 5);
    assert_eq!(data["messages"][0]["direction"], "verstuurd");

    app.stop().await;
    env.finish().await;
}
storage_test!(relay_between_members);

async fn practice_contact(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_smtp(&env).await;
    let editor = member(&app, "redactie@example.nl", "Rik Redactie", Role::Redacteur, false).await;
    let colleague = member(&app, "collega@example.nl", "Carla Collega", Role::Lid, true).await;
    let sender = member(&app, SENDER, "Sam Afzender", Role::Lid, false).await;
    let hidden = "femke.verborgen@example.nl";
    let practice = json!({
        "title": "Thuiszitterstafel Zutphen",
        "summary": "Scholen, leerplicht en jeugdhulp aan één tafel.",
        "body": "Elke maand bespreekt de tafel wie thuis zit.",
        "status": "gepubliceerd",
        "contact": { "name": "Femke de Vries", "role": "Leerplichtambtenaar", "email": hidden },
    });
    let (status, created) = api(&app, Method::POST, "/api/v1/practices", &editor.token, Some(practice.clone())).await;
    assert_eq!(status, 201, "{created}");
    let slug = created["slug"].as_str().unwrap().to_string();
    assert!(!created.to_string().contains(hidden), "{created}");
    assert_eq!(created["contact"]["reachable"], true);

    // A hidden address is on no page, in no API answer and in no search result.
    let (_, page) = sender.get(&app, &format!("/praktijken/{slug}")).await;
    assert!(page.contains("Femke de Vries") && page.contains(&format!("/praktijken/{slug}/contact")), "{page}");
    assert!(!page.contains(hidden), "{page}");
    let (_, shown) = app.get_json(&format!("/api/v1/practices/{slug}")).await;
    assert!(!shown.to_string().contains(hidden), "{shown}");
    let (_, listed) = app.get_json("/api/v1/practices").await;
    assert!(!listed.to_string().contains(hidden), "{listed}");
    app.wait_for_search("q=thuiszitterstafel", Duration::from_secs(5), |slugs| slugs.contains(&slug)).await;
    for query in ["q=femke.verborgen", "q=thuiszitterstafel"] {
        let found = app.search(query).await;
        assert!(!found["hits"].to_string().contains(hidden), "{query}: {found}");
    }
    assert!(app.slugs("q=femke.verborgen%40example.nl").await.is_empty(), "the address is not in the index");

    // Through the relay it reaches the hidden address.
    let form = format!("/praktijken/{slug}/contact");
    let (_, page) = sender.get(&app, &form).await;
    assert!(page.contains("Bericht aan Thuiszitterstafel Zutphen") && !page.contains(hidden), "{page}");
    let sent =
        app.submit_form(&sender.browser, &form, &form, &[("subject", "Aanschuiven"), ("message", "Mag ik?")]).await;
    assert_eq!(sent.status(), 303);
    let mail = smtp.wait_for(hidden, 1).await.remove(0);
    assert!(mail.header("Reply-To").contains(SENDER));
    assert!(mail.part("text/plain").contains("Thuiszitterstafel Zutphen"));

    // The contact becomes a colleague's profile, the address public.
    let mut changed = practice.clone();
    changed["contact"] = json!({
        "name": "", "email": hidden, "email_public": true, "profile": colleague.slug,
    });
    let path = format!("/api/v1/practices/{slug}");
    let (status, updated) = api(&app, Method::PUT, &path, &editor.token, Some(changed.clone())).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["contact"]["name"], "Carla Collega");
    assert_eq!(updated["contact"]["profile"]["slug"], colleague.slug.as_str());
    assert_eq!(updated["contact"]["email"], hidden);
    let (_, page) = sender.get(&app, &format!("/praktijken/{slug}")).await;
    assert!(page.contains(&format!("href=\"/leden/{}\"", colleague.slug)) && page.contains(hidden), "{page}");
    // The colleague's profile names the practice they are the contact of.
    let (_, profile_page) = sender.get(&app, &format!("/leden/{}", colleague.slug)).await;
    assert!(profile_page.contains("Contactpersoon van") && profile_page.contains(&format!("/praktijken/{slug}")));
    let sent = app.submit_form(&sender.browser, &form, &form, &[("subject", "Weer ik"), ("message", "Hallo")]).await;
    assert_eq!(sent.status(), 303);
    let mail = smtp.wait_for("collega@example.nl", 1).await.remove(0);
    assert!(mail.header("Reply-To").contains(SENDER));
    outbox_emptied(&app).await;

    // Only someone of the practice's organisation or the programme office may be named.
    let outsider = crate::common::token_for(&app, "buiten@example.nl", Role::Lid, None).await;
    let (_, own) = api(&app, Method::GET, "/api/v1/me/profile", &outsider, None).await;
    changed["contact"]["profile"] = own["slug"].clone();
    let (status, refused) = api(&app, Method::PUT, &path, &editor.token, Some(changed)).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["contact_profile"].is_array(), "{refused}");

    // A message the mail server refuses for good leaves the outbox too.
    let mut refusing = practice.clone();
    refusing["contact"] = json!({ "name": "Wim Weigeraar", "email": format!("{}example.nl", crate::smtp::REFUSED) });
    let (status, updated) = api(&app, Method::PUT, &path, &editor.token, Some(refusing)).await;
    assert_eq!(status, 200, "{updated}");
    let sent =
        app.submit_form(&sender.browser, &form, &form, &[("subject", "Komt niet aan"), ("message", "Hallo")]).await;
    assert_eq!(sent.status(), 303);
    outbox_emptied(&app).await;
    assert_eq!(log_lines(&app).await, 3);

    // A practice without a contact has no form.
    let bare = json!({ "title": "Zonder contact", "summary": "Geen contactpersoon.", "status": "gepubliceerd" });
    let (status, created) = api(&app, Method::POST, "/api/v1/practices", &editor.token, Some(bare)).await;
    assert_eq!(status, 201, "{created}");
    let bare_form = format!("/praktijken/{}/contact", created["slug"].as_str().unwrap());
    assert_eq!(sender.get(&app, &bare_form).await.0, 404);
    let posted = app.submit_form(&sender.browser, &form, &bare_form, &[("subject", "Hoi"), ("message", "Hoi")]).await;
    assert_eq!(posted.status(), 404);

    app.stop().await;
    env.finish().await;
}
storage_test!(practice_contact);
