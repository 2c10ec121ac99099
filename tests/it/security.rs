//! What attackers tried and must not get: hidden documents, hints that something exists,
//! who registered, cached personal pages, redirects off the site, control characters,
//! borrowed sessions and locked-out accounts.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{api, token_for, Backend, TestApp, TestEnv, PASSWORD};
use crate::documents::upload;
use crate::smtp::TestSmtp;
use crate::storage_test;
use oogst::actor::Role;

/// A text file whose only searchable word is `word`.
async fn upload_text(app: &TestApp, token: &str, word: &str, owner: (&str, &str)) -> String {
    let text = format!("Verslag {word}\n\nHet {word} werd besproken.").into_bytes();
    let (status, document) = upload(app, token, &format!("{word}.txt"), text, &[owner]).await;
    assert_eq!(status, 201, "{document}");
    document["slug"].as_str().unwrap().to_string()
}

/// How anonymous visitors see a document: page, download, API.
async fn anonymous_statuses(app: &TestApp, slug: &str) -> [u16; 3] {
    [
        app.get(&format!("/documenten/{slug}")).await.status().as_u16(),
        app.get(&format!("/documenten/{slug}/download")).await.status().as_u16(),
        app.get_json(&format!("/api/v1/documents/{slug}")).await.0,
    ]
}

const HIDDEN: [u16; 3] = [404, 404, 404];
const PUBLIC: [u16; 3] = [200, 200, 200];

async fn attachments_follow_their_owner(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let femke = token_for(&app, "femke@example.nl", Role::Redacteur, Some("gemeente-gorinchem")).await;
    let bureau = token_for(&app, "bureau@example.nl", Role::Beheerder, None).await;
    let lid = token_for(&app, "lid@example.nl", Role::Lid, None).await;

    // A concept practice, a members-only event and news scheduled for later, each with a document.
    let concept = json!({"title": "Plan in de maak", "summary": "Nog geheim.", "status": "concept"});
    let (status, _) = api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(concept.clone())).await;
    assert_eq!(status, 201);
    let event = json!({
        "title": "Ledenbijeenkomst", "kind": "werksessie", "description": "Alleen voor leden.",
        "starts_at": "2031-02-09T13:30", "ends_at": "2031-02-09T16:30", "location": "Utrecht",
        "capacity": 20, "members_only": true,
    });
    let (status, created) = api(&app, reqwest::Method::POST, "/api/v1/events", &bureau, Some(event)).await;
    assert_eq!(status, 201, "{created}");
    let event_slug = created["slug"].as_str().unwrap().to_string();
    let later = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%dT%H:%M").to_string();
    let news = json!({"title": "Aankondiging", "summary": "Binnenkort.", "published_at": later});
    let (status, _) = api(&app, reqwest::Method::POST, "/api/v1/news", &bureau, Some(news.clone())).await;
    assert_eq!(status, 201);

    let of_concept = upload_text(&app, &femke, "xylofaxorb", ("practice", "plan-in-de-maak")).await;
    let of_event = upload_text(&app, &bureau, "zorbiquant", ("event", &event_slug)).await;
    let of_news = upload_text(&app, &bureau, "plumtraxel", ("news", "aankondiging")).await;
    let public = upload_text(&app, &femke, "vexaroomix", ("practice", "dokwerk")).await;
    // The outbox is applied in order: once the public one is found, the others were indexed too.
    app.wait_for_search("q=vexaroomix", Duration::from_secs(5), |slugs| slugs.contains(&public)).await;
    for (slug, word) in [(&of_concept, "xylofaxorb"), (&of_event, "zorbiquant"), (&of_news, "plumtraxel")] {
        assert_eq!(anonymous_statuses(&app, slug).await, HIDDEN, "{slug}");
        assert!(!app.slugs(&format!("q={word}")).await.contains(slug), "{word} is not searchable");
    }
    assert_eq!(anonymous_statuses(&app, &public).await, PUBLIC);
    let dokwerk_page = app.get("/praktijken/dokwerk").await.text().await.unwrap();
    assert!(dokwerk_page.contains(&public));

    // Those who may see the owner see the document: its editors, members, the programme office.
    let as_viewer = |token: &str, slug: &str| {
        let (token, path) = (token.to_string(), format!("/api/v1/documents/{slug}"));
        let app = &app;
        async move { api(app, reqwest::Method::GET, &path, &token, None).await }
    };
    let (status, seen) = as_viewer(&femke, &of_concept).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["practice_slug"], "plan-in-de-maak");
    assert_eq!(as_viewer(&lid, &of_concept).await.0, 404, "another member does not see a concept's document");
    assert_eq!(as_viewer(&lid, &of_event).await.0, 200, "members see members-only events' documents");
    assert_eq!(as_viewer(&lid, &of_news).await.0, 404);
    assert_eq!(as_viewer(&bureau, &of_news).await.0, 200);

    // Visibility follows the owner: publishing shows the document, archiving hides it again.
    let mut published = concept.clone();
    published["status"] = json!("gepubliceerd");
    let path = "/api/v1/practices/plan-in-de-maak";
    assert_eq!(api(&app, reqwest::Method::PUT, path, &femke, Some(published)).await.0, 200);
    app.wait_for_search("q=xylofaxorb", Duration::from_secs(5), |slugs| slugs.contains(&of_concept)).await;
    assert_eq!(anonymous_statuses(&app, &of_concept).await, PUBLIC);
    let mut archived = concept.clone();
    archived["status"] = json!("gearchiveerd");
    assert_eq!(api(&app, reqwest::Method::PUT, path, &femke, Some(archived)).await.0, 200);
    app.wait_for_search("q=xylofaxorb", Duration::from_secs(5), |slugs| !slugs.contains(&of_concept)).await;
    assert_eq!(anonymous_statuses(&app, &of_concept).await, HIDDEN);

    // News published now brings its document along.
    let mut now = news.clone();
    now["published_at"] = json!(chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string());
    let (status, body) = api(&app, reqwest::Method::PUT, "/api/v1/news/aankondiging", &bureau, Some(now)).await;
    assert_eq!(status, 200, "{body}");
    app.wait_for_search("q=plumtraxel", Duration::from_secs(5), |slugs| slugs.contains(&of_news)).await;
    assert_eq!(anonymous_statuses(&app, &of_news).await, PUBLIC);

    // Deleting the practice deletes its documents rather than leaving them public.
    assert_eq!(api(&app, reqwest::Method::DELETE, path, &femke, None).await.0, 204);
    assert_eq!(as_viewer(&femke, &of_concept).await.0, 404);

    app.stop().await;
    env.finish().await;
}
storage_test!(attachments_follow_their_owner);

async fn outsiders_learn_nothing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let config = oogst::config::Config { smtp_url: smtp.url(), ..env.config() };
    let app = env.spawn_with(config, true).await;
    let femke = token_for(&app, "femke@example.nl", Role::Redacteur, Some("gemeente-gorinchem")).await;
    let other = token_for(&app, "ander@example.nl", Role::Redacteur, Some("gemeente-tilburg")).await;
    let bureau = token_for(&app, "bureau@example.nl", Role::Beheerder, None).await;

    // Uploading to someone else's concept is answered as uploading to a missing practice.
    let concept = json!({"title": "Stil plan", "status": "concept"});
    assert_eq!(api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(concept)).await.0, 201);
    let attempt = |slug: &'static str| {
        let (app, other) = (&app, other.clone());
        async move { upload(app, &other, "x.txt", b"Titel\n\nTekst".to_vec(), &[("practice", slug)]).await }
    };
    let (draft_status, draft) = attempt("stil-plan").await;
    let (missing_status, missing) = attempt("bestaat-niet").await;
    assert_eq!((draft_status, missing_status), (422, 422));
    assert_eq!(
        draft["fields"]["practice"][0].as_str().unwrap().replace("stil-plan", "X"),
        missing["fields"]["practice"][0].as_str().unwrap().replace("bestaat-niet", "X")
    );
    // Someone else's news or event: refused before anything is looked up.
    assert_eq!(attempt_news(&app, &other, "bestaat-niet").await, attempt_news(&app, &other, "ook-niet").await);

    // News names related practices only when they are public.
    let news = json!({"title": "Bericht", "summary": "Met links.", "practices": ["dokwerk", "stil-plan"]});
    assert_eq!(api(&app, reqwest::Method::POST, "/api/v1/news", &bureau, Some(news)).await.0, 201);
    let (_, public) = app.get_json("/api/v1/news/bericht").await;
    assert_eq!(public["practices"], json!(["dokwerk"]));
    let (_, written) = api(&app, reqwest::Method::GET, "/api/v1/news/bericht", &bureau, None).await;
    assert_eq!(written["practices"], json!(["dokwerk", "stil-plan"]));

    // Registering an address twice is answered as the first time; the address hears by mail.
    let event = json!({
        "title": "Open werksessie", "kind": "werksessie", "description": "Voor iedereen.",
        "starts_at": "2031-03-09T13:30", "ends_at": "2031-03-09T16:30", "location": "Gorinchem", "capacity": 20,
        "organisation": "gemeente-gorinchem",
    });
    let (status, created) = api(&app, reqwest::Method::POST, "/api/v1/events", &femke, Some(event)).await;
    assert_eq!(status, 201, "{created}");
    let slug = created["slug"].as_str().unwrap().to_string();
    let register = || {
        let (app, path) = (&app, format!("/api/v1/events/{slug}/registrations"));
        async move {
            let body = json!({"name": "Sanne", "email": "sanne@school.test", "organisation": "SWV", "role": "IB"});
            let response = app.client.post(format!("{}{path}", app.address)).json(&body).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let first = register().await;
    assert_eq!(first.0, 201);
    assert_eq!(register().await, first, "a pending registration is not revealed");
    // Both mails ask to confirm; only the newer link works (mails may arrive in any order).
    let mut confirmations = Vec::new();
    for mail in smtp.wait_for("sanne@school.test", 2).await {
        let token = mail.link("/aanmelding/bevestigen/").rsplit('/').next().unwrap().to_string();
        let path = format!("/aanmelding/bevestigen/{token}");
        confirmations.push(app.submit_form(&app.browser(), &path, &path, &[]).await.status().as_u16());
    }
    confirmations.sort();
    assert_eq!(confirmations, [200, 410]);
    assert_eq!(register().await, first, "a confirmed registration is not revealed");
    let subjects: Vec<String> =
        smtp.wait_for("sanne@school.test", 4).await.iter().map(|mail| mail.header("Subject")).collect();
    assert!(subjects.iter().any(|subject| subject.starts_with("U bent al aangemeld")), "{subjects:?}");

    // Another organisation's event: its registration pages are answered as missing ones.
    let other_browser = app.browser();
    login(&app, &other_browser, "ander@example.nl").await;
    for path in [format!("/agenda/{slug}/aanmeldingen"), format!("/agenda/{slug}/aanmeldingen.csv")] {
        let seen = other_browser.get(format!("{}{path}", app.address)).send().await.unwrap().status();
        let missing =
            other_browser.get(format!("{}{}", app.address, path.replace(&slug, "bestaat-niet"))).send().await.unwrap();
        assert_eq!((seen.as_u16(), missing.status().as_u16()), (404, 404), "{path}");
    }

    app.stop().await;
    env.finish().await;
}
storage_test!(outsiders_learn_nothing);

async fn attempt_news(app: &TestApp, token: &str, news: &str) -> (u16, Value) {
    upload(app, token, "x.txt", b"Titel\n\nTekst".to_vec(), &[("news", news)]).await
}

/// Logs the browser in through the form.
async fn login(app: &TestApp, browser: &reqwest::Client, email: &str) -> reqwest::Response {
    let response =
        app.submit_form(browser, "/inloggen", "/inloggen", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303, "login of {email}");
    response
}

fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|cookie| cookie.starts_with(&format!("{name}=")))
}

async fn personal_pages_are_not_stored(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = token_for(&app, "bureau@example.nl", Role::Beheerder, None).await;
    let browser = app.browser();
    login(&app, &browser, "bureau@example.nl").await;
    let event = json!({
        "title": "Heidag", "kind": "heidag", "description": "Een dag samen.",
        "starts_at": "2031-04-09T09:30", "ends_at": "2031-04-09T16:30", "location": "Zwolle", "capacity": 20,
    });
    let (status, created) = api(&app, reqwest::Method::POST, "/api/v1/events", &bureau, Some(event)).await;
    assert_eq!(status, 201);
    let slug = created["slug"].as_str().unwrap();

    for path in [
        "/account".to_string(),
        "/beheer/mensen".into(),
        "/beheer/mail".into(),
        format!("/agenda/{slug}/aanmeldingen"),
        format!("/agenda/{slug}/aanmeldingen.csv"),
    ] {
        let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let users = app.client.get(format!("{}/api/v1/users", app.address)).bearer_auth(&bureau).send().await.unwrap();
    assert_eq!(users.headers()["cache-control"], "no-store");
    let link_page = app.get("/aanmelding/annuleren/onbekend").await;
    assert_eq!(link_page.headers()["cache-control"], "no-store");
    // The same public page for everyone may be kept.
    let public = app.get("/praktijken").await;
    assert!(!public.headers().contains_key("cache-control"));
    assert!(!public.headers().contains_key("strict-transport-security"), "not on http");
    app.stop().await;
    env.finish().await;

    // Served as https, browsers are told to come back on https only.
    let env = TestEnv::new(backend).await;
    let config = oogst::config::Config { public_url: "https://oogst.example.nl".into(), ..env.config() };
    let app = env.spawn_with(config, false).await;
    let public = app.get("/praktijken").await;
    assert!(public.headers()["strict-transport-security"].to_str().unwrap().contains("max-age=31536000"));
    app.stop().await;
    env.finish().await;
}
storage_test!(personal_pages_are_not_stored);

async fn redirects_and_links_stay_safe(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let femke = token_for(&app, "femke@example.nl", Role::Redacteur, Some("gemeente-gorinchem")).await;
    let bureau = token_for(&app, "bureau@example.nl", Role::Beheerder, None).await;

    // After login only plain local paths: a tab, line break or backslash sends people home.
    for (number, (next, expected)) in [
        ("/agenda", "/agenda"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\nSet-Cookie: x=y", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ]
    .into_iter()
    .enumerate()
    {
        // Each login from an address of its own, below the per-client login limit.
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 1, number as u8 + 1]))
            .build()
            .unwrap();
        let response = app
            .submit_form(
                &browser,
                "/inloggen",
                "/inloggen",
                &[("email", "femke@example.nl"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], expected, "{next:?}");
    }

    // Only http(s) links are stored: practice links, event links, organisation websites.
    let practice = json!({"title": "Met links", "links": [{"title": "Klik", "url": "javascript:alert(1)"}]});
    let (status, body) = api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(practice)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["links"][0].as_str().unwrap().contains("http"), "{body}");
    let event = json!({
        "title": "Webinar", "kind": "webinar", "description": "Online.", "online_url": "javascript:alert(1)",
        "starts_at": "2031-05-09T13:30", "ends_at": "2031-05-09T14:30", "capacity": 200,
    });
    let (status, body) = api(&app, reqwest::Method::POST, "/api/v1/events", &bureau, Some(event)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["online_url"].is_array(), "{body}");
    let browser = app.browser();
    login(&app, &browser, "bureau@example.nl").await;
    let form = app
        .submit_form(
            &browser,
            "/beheer/organisaties/gemeente-gorinchem",
            "/beheer/organisaties/gemeente-gorinchem",
            &[
                ("name", "Gemeente Gorinchem"),
                ("kind", "gemeente"),
                ("network_role", "inspiratieregio"),
                ("website", "javascript:alert(document.cookie)"),
            ],
        )
        .await;
    assert_eq!(form.status(), 422);
    assert!(!app.get("/organisaties/gemeente-gorinchem").await.text().await.unwrap().contains("javascript:"));

    app.stop().await;
    env.finish().await;
}
storage_test!(redirects_and_links_stay_safe);

async fn control_characters_are_refused_alike(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let femke = token_for(&app, "femke@example.nl", Role::Redacteur, Some("gemeente-gorinchem")).await;

    for title in ["Nul\u{0}teken", "Bel\u{7}", "Escape\u{1b}[31m"] {
        let practice = json!({"title": title, "summary": "x"});
        let (status, body) = api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(practice)).await;
        assert_eq!(status, 400, "{title:?}: {body}");
        assert!(body["message"].as_str().unwrap().contains("stuurteken"), "{body}");
    }
    // Line breaks in long text are fine.
    let practice = json!({"title": "Twee regels", "summary": "x", "body": "Regel een\r\nRegel\ttwee"});
    assert_eq!(api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(practice)).await.0, 201);

    // Forms, paths and query strings: a clear 400 on both databases, never a 500.
    let browser = app.browser();
    let form = app
        .submit_form(&browser, "/inloggen", "/inloggen", &[("email", "femke@example.nl\u{0}"), ("password", PASSWORD)])
        .await;
    assert_eq!(form.status(), 400);
    assert!(form.text().await.unwrap().contains("stuurteken"));
    for path in ["/praktijken/dok%00werk", "/api/v1/practices/dok%00werk", "/zoeken?q=dok%00werk"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
    }
    let (status, body) = app.get_json("/api/v1/search?q=%1b").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    let (status, body) = upload(&app, &femke, "x.txt", b"Titel\n\nTekst".to_vec(), &[("title", "Ti\u{0}tel")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["title"].is_array(), "{body}");

    // An imported file is checked alike, and reported by name.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("stuurteken.md");
    std::fs::write(&file, "---\ntitle: Stuurteken\norganisation: gemeente-gorinchem\n---\nTekst\u{0} met NUL\n")
        .unwrap();
    let report = crate::common::import(&app.config, &[file]).await;
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);

    // Nothing of it was stored: the feed stays valid XML for every subscriber.
    let feed = app.get("/praktijken.atom").await.text().await.unwrap();
    feed_rs::parser::parse(feed.as_bytes()).expect("the feed parses");

    app.stop().await;
    env.finish().await;
}
storage_test!(control_characters_are_refused_alike);

async fn sessions_belong_to_their_user(backend: Backend) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = token_for(&app, "bureau@example.nl", Role::Beheerder, None).await;
    let lid = token_for(&app, "lid@example.nl", Role::Lid, None).await;
    let claims_of = |token: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap()
    };

    // With the signing key, a member re-signs their own live session as the beheerder.
    let secret = std::fs::read_to_string(env.dir.path().join("secret.key")).unwrap();
    let mut claims = claims_of(&lid);
    claims["sub"] = claims_of(&bureau)["sub"].clone();
    let key = jsonwebtoken::EncodingKey::from_secret(secret.trim().as_bytes()).unwrap();
    let borrowed = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap();
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/users", &borrowed, None).await.0, 401);
    let mut not_yet = claims_of(&lid);
    not_yet["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    let not_yet = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &not_yet, &key).unwrap();
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/users", &not_yet, None).await.0, 401);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/users", &lid, None).await.0, 403, "valid, not allowed");

    // The form cookie is new after login and after logout.
    let browser = app.browser();
    let form = browser.get(format!("{}/inloggen", app.address)).send().await.unwrap();
    let before = set_cookie(&form, "oogst_csrf").unwrap().split(';').next().unwrap().to_string();
    let logged_in = login(&app, &browser, "lid@example.nl").await;
    let after_login = set_cookie(&logged_in, "oogst_csrf").expect("a new form cookie").split(';').next().unwrap();
    assert_ne!(after_login, before);
    let after_login = after_login.to_string();
    let logged_out = app.submit_form(&browser, "/uitloggen", "/uitloggen", &[]).await;
    assert_eq!(logged_out.status(), 303);
    let after_logout = set_cookie(&logged_out, "oogst_csrf").expect("a new form cookie").split(';').next().unwrap();
    assert_ne!(after_logout, after_login);

    // Someone guessing from one address is slowed down; the owner, elsewhere, still logs in.
    let guess = |password: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/auth/token", app.address))
                .json(&json!({"email": "lid@example.nl", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let mut statuses = Vec::new();
    for attempt in 0..8 {
        statuses.push(guess(format!("fout {attempt}")).await);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(guess(PASSWORD.into()).await, 429, "the guessing client stays limited");
    let elsewhere = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let owner = elsewhere
        .post(format!("{}/api/v1/auth/token", app.address))
        .json(&json!({"email": "lid@example.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), 200, "the owner is not locked out");

    app.stop().await;
    env.finish().await;
}
storage_test!(sessions_belong_to_their_user);
