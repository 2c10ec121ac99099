//! Editing in the browser and the programme office's beheer pages.

use std::time::Duration;

use crate::common::{hidden_field, Backend, TestApp, TestEnv};
use crate::smtp::TestSmtp;
use crate::storage_test;

use crate::common::PASSWORD;

/// A browser logged in as a new account with this role (created through the library,
/// the password set through the mailed-link form).
pub async fn logged_in(
    app: &TestApp,
    email: &str,
    role: oogst::actor::Role,
    organisation: Option<&str>,
) -> reqwest::Client {
    let token = crate::common::invite(app, email, role, organisation).await;
    let browser = app.browser();
    let path = oogst::accounts::set_password_path(&token);
    let response = app
        .submit_form(
            &browser,
            &path,
            "/wachtwoord-instellen",
            &[("token", &token), ("password", PASSWORD), ("password_again", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let login = app.submit_form(&browser, "/inloggen", "/inloggen", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(login.status(), 303);
    browser
}

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn write_in_the_browser(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let femke = logged_in(&app, "femke@example.nl", oogst::actor::Role::Redacteur, Some("gemeente-gorinchem")).await;

    // A form with a mistake comes back with the message beside the field and the input kept.
    let fields = [
        ("title", ""),
        ("summary", "Kinderen met een dubbele vraag krijgen één plan."),
        ("body", "## Aanpak\n\nEen **vast** team."),
        ("themes", "thuiszitters"),
        ("themes", "passend-onderwijs"),
        ("links", "Website | ftp://fout"),
        ("action", "publiceren"),
    ];
    let response = app.submit_form(&femke, "/praktijken/nieuw", "/praktijken/nieuw", &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Vul een titel in."), "title message");
    assert!(html.contains("met http:// of https:// begint"));
    assert!(html.contains("Kinderen met een dubbele vraag krijgen één plan."), "input kept");
    assert!(html.contains("value=\"thuiszitters\" checked"), "checkboxes kept");

    // Preview renders the Markdown without saving.
    let mut preview = fields.to_vec();
    preview[0] = ("title", "Eén plan voor kind en school");
    preview[6] = ("action", "voorbeeld");
    let response = app.submit_form(&femke, "/praktijken/nieuw", "/praktijken/nieuw", &preview).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<h2>Aanpak</h2>"));
    assert!(!app.slugs("q=plan+kind+school").await.contains(&"een-plan-voor-kind-en-school".to_string()));

    // Publishing saves, redirects to the form, and the practice is findable.
    let mut publish = preview.clone();
    publish[5] = ("links", "Website | https://www.example.nl/plan");
    publish[6] = ("action", "publiceren");
    let response = app.submit_form(&femke, "/praktijken/nieuw", "/praktijken/nieuw", &publish).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/praktijken/een-plan-voor-kind-en-school/bewerken"), "{location}");
    // The form says what happened, once.
    let (_, after) = page(&app, &femke, &location).await;
    assert!(after.contains("De praktijk is gepubliceerd"), "notice after publishing");
    assert!(!page(&app, &femke, &location).await.1.contains("De praktijk is gepubliceerd"), "shown once");
    app.wait_for_search("q=dubbele+vraag", Duration::from_secs(2), |slugs| {
        slugs.contains(&"een-plan-voor-kind-en-school".to_string())
    })
    .await;
    let (_, public) = page(&app, &app.browser(), "/praktijken/een-plan-voor-kind-en-school").await;
    assert!(public.contains("<strong>vast</strong>"));

    // Archiving takes it offline; the editor still sees it, with its status.
    let form_page = page(&app, &femke, "/praktijken/een-plan-voor-kind-en-school/bewerken").await.1;
    assert!(form_page.contains("Eén plan voor kind en school"));
    let mut archive = publish.clone();
    archive[6] = ("action", "archiveren");
    let response = app
        .submit_form(
            &femke,
            "/praktijken/een-plan-voor-kind-en-school/bewerken",
            "/praktijken/een-plan-voor-kind-en-school/bewerken",
            &archive,
        )
        .await;
    assert_eq!(response.status(), 303);
    app.wait_for_search("q=dubbele+vraag", Duration::from_secs(2), |slugs| {
        !slugs.contains(&"een-plan-voor-kind-en-school".to_string())
    })
    .await;
    assert_eq!(page(&app, &app.browser(), "/praktijken/een-plan-voor-kind-en-school").await.0, 404);
    let (status, own) = page(&app, &femke, "/praktijken/een-plan-voor-kind-en-school").await;
    assert_eq!(status, 200);
    assert!(own.contains("Gearchiveerd"));
    // Publishing that fails shows the status the practice still has.
    let mut invalid = publish.clone();
    invalid[0] = ("title", "");
    let path = "/praktijken/een-plan-voor-kind-en-school/bewerken";
    let response = app.submit_form(&femke, path, path, &invalid).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Status: <strong>Gearchiveerd</strong>"), "truthful status");

    // Versions: three saves, the first restorable.
    let (status, versions) = page(&app, &femke, "/praktijken/een-plan-voor-kind-en-school/versies").await;
    assert_eq!(status, 200);
    assert!(versions.contains("Deze versie terugzetten"));
    let csrf = hidden_field(&versions, "csrf");
    let response = femke
        .post(format!("{}/praktijken/een-plan-voor-kind-en-school/versies/1/herstellen", app.address))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);

    // Another organisation's practice: no edit form.
    assert_eq!(page(&app, &femke, "/praktijken/girfec-kansencirkel-tilburg/bewerken").await.0, 403);
    assert!(page(&app, &femke, "/mijn-praktijken").await.1.contains("Dokwerk"));
    // Anonymous visitors are sent to log in.
    assert_eq!(page(&app, &app.browser(), "/praktijken/nieuw").await.0, 303);

    app.stop().await;
    env.finish().await;
}
storage_test!(write_in_the_browser);

async fn programme_office(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let port = TestSmtp::free_port();
    let mut config = env.config();
    config.smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = env.spawn_with(config, true).await;
    let bureau = logged_in(&app, "bureau@example.nl", oogst::actor::Role::Beheerder, None).await;
    let lid = logged_in(&app, "lid@example.nl", oogst::actor::Role::Lid, None).await;

    for path in [
        "/beheer",
        "/beheer/mensen",
        "/beheer/organisaties",
        "/beheer/themas",
        "/beheer/mail",
        "/beheer/logboek",
        "/account",
    ] {
        assert_eq!(page(&app, &bureau, path).await.0, 200, "{path}");
        let expected = if path == "/account" { 200 } else { 403 };
        assert_eq!(page(&app, &lid, path).await.0, expected, "lid {path}");
    }

    // Renaming an organisation reaches search through its practices.
    let edit = app
        .submit_form(
            &bureau,
            "/beheer/organisaties/gemeente-gorinchem",
            "/beheer/organisaties/gemeente-gorinchem",
            &[
                ("name", "Gemeente Gorinchem en Vijfheerenlanden"),
                ("slug", "gemeente-gorinchem"),
                ("kind", "gemeente"),
                ("province", "Zuid-Holland"),
                ("network_role", "inspiratieregio"),
                ("tranche", "1"),
            ],
        )
        .await;
    assert_eq!(edit.status(), 303);
    app.wait_for_search("q=vijfheerenlanden", Duration::from_secs(2), |slugs| slugs.contains(&"dokwerk".to_string()))
        .await;

    // A new theme, with its validation.
    let bad =
        app.submit_form(&bureau, "/beheer/themas/nieuw", "/beheer/themas/nieuw", &[("name", ""), ("slug", "")]).await;
    assert_eq!(bad.status(), 422);
    let good = app
        .submit_form(
            &bureau,
            "/beheer/themas/nieuw",
            "/beheer/themas/nieuw",
            &[("name", "Zomerscholen"), ("description", "Leren in de vakantie.")],
        )
        .await;
    assert_eq!(good.status(), 303);
    let (_, themes) = app.get_json("/api/v1/themes").await;
    assert!(themes["themes"].as_array().unwrap().iter().any(|theme| theme["slug"] == "zomerscholen"));

    // An invitation while SMTP is down: the queue shows it waiting, with the error.
    let invite = app
        .submit_form(
            &bureau,
            "/uitnodigen",
            "/uitnodigen",
            &[("name", "Nieuw lid"), ("email", "nieuw@example.nl"), ("role", "lid")],
        )
        .await;
    assert_eq!(invite.status(), 303);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let queue = page(&app, &bureau, "/beheer/mail").await.1;
    assert!(queue.contains("nieuw@example.nl"));
    assert!(queue.contains("Wachtend"));
    let log = page(&app, &bureau, "/beheer/logboek").await.1;
    assert!(log.contains("organisatie gemeente-gorinchem") && log.contains("thema zomerscholen"), "{log}");

    app.stop().await;
    env.finish().await;
}
storage_test!(programme_office);

async fn every_protected_page_checks_who_asks(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let lid = logged_in(&app, "lid@example.nl", oogst::actor::Role::Lid, None).await;
    let redacteur = logged_in(&app, "b@example.nl", oogst::actor::Role::Redacteur, Some("gemeente-tilburg")).await;
    let anonymous = app.browser();

    // (path, who may open it): anonymous visitors are sent to log in (303), others get 403.
    let beheer = [
        "/beheer",
        "/beheer/mensen",
        "/beheer/organisaties",
        "/beheer/organisaties/nieuw",
        "/beheer/themas",
        "/beheer/themas/nieuw",
        "/beheer/oproepen",
        "/beheer/oproepen/nieuw",
        "/beheer/mail",
        "/beheer/logboek",
    ];
    for path in beheer {
        assert_eq!(page(&app, &anonymous, path).await.0, 303, "anonymous {path}: to the login form");
        assert_eq!(page(&app, &lid, path).await.0, 403, "lid {path}");
        assert_eq!(page(&app, &redacteur, path).await.0, 403, "redacteur {path}");
    }
    for path in ["/praktijken/nieuw", "/mijn-praktijken", "/uitnodigen"] {
        assert_eq!(page(&app, &anonymous, path).await.0, 303, "anonymous {path}: to the login form");
        assert_eq!(page(&app, &lid, path).await.0, 403, "lid {path}");
        assert_eq!(page(&app, &redacteur, path).await.0, 200, "redacteur {path}");
    }
    // Another organisation's practice: visible, not editable, no versions.
    for path in ["/praktijken/dokwerk/bewerken", "/praktijken/dokwerk/versies", "/praktijken/dokwerk/versies/1"] {
        assert_eq!(page(&app, &redacteur, path).await.0, 403, "redacteur {path}");
    }
    // Posts: a valid CSRF token does not make a forbidden action allowed.
    let html = page(&app, &lid, "/account").await.1;
    assert!(html.contains("Mijn account"));
    let token = hidden_field(&page(&app, &lid, "/uitloggen").await.1, "csrf");
    for action in [
        "/beheer/mensen/1/rol",
        "/beheer/organisaties/nieuw",
        "/beheer/organisaties/gemeente-gorinchem",
        "/beheer/themas/nieuw",
        "/beheer/oproepen",
        "/beheer/oproepen/een-oproep",
        "/beheer/mail/1/opnieuw",
        "/praktijken/nieuw",
        "/praktijken/dokwerk/bewerken",
        "/praktijken/dokwerk/versies/1/herstellen",
    ] {
        let response = lid
            .post(format!("{}{action}", app.address))
            .form(&[("csrf", token.as_str()), ("role", "beheerder"), ("name", "x"), ("title", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "lid posts {action}");
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(every_protected_page_checks_who_asks);

async fn news_and_uploads_in_the_browser(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = logged_in(&app, "bureau@example.nl", oogst::actor::Role::Beheerder, None).await;

    // News: a mistake comes back beside its field, then it publishes.
    let bad = app
        .submit_form(
            &bureau,
            "/nieuws/nieuw",
            "/nieuws/nieuw",
            &[("title", ""), ("summary", "Bewaard"), ("published_at", "2026-13-40T99:99")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Vul een titel in.") && html.contains("Bewaard"));
    let good = app
        .submit_form(
            &bureau,
            "/nieuws/nieuw",
            "/nieuws/nieuw",
            &[
                ("title", "Verslag kick-off"),
                ("summary", "Terugblik."),
                ("body", "Het was **druk**."),
                ("themes", "monitoring"),
                ("practices", "dokwerk"),
            ],
        )
        .await;
    assert_eq!(good.status(), 303);
    assert_eq!(good.headers()["location"], "/nieuws/verslag-kick-off");
    assert!(page(&app, &app.browser(), "/nieuws/verslag-kick-off").await.1.contains("<strong>druk</strong>"));

    // A document through the upload form (multipart, with the form's CSRF token).
    let form_html = page(&app, &bureau, "/documenten/nieuw?praktijk=dokwerk").await.1;
    let csrf = hidden_field(&form_html, "csrf");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("practice", "dokwerk")
        .text("kind", "presentatie")
        .part(
            "file",
            reqwest::multipart::Part::bytes(crate::files::docx(&["Dokwerk in beeld", "Kleine groepen."]))
                .file_name("dokwerk.docx"),
        );
    let response = bureau.post(format!("{}/documenten/nieuw", app.address)).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/documenten/dokwerk");
    // A wrong file comes back with the reason, in Dutch.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 kapot".to_vec()).file_name("kapot.docx"));
    let response = bureau.post(format!("{}/documenten/nieuw", app.address)).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("past niet bij de extensie"));

    app.stop().await;
    env.finish().await;
}
storage_test!(news_and_uploads_in_the_browser);
