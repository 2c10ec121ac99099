//! The footer's contact, accessibility and privacy pages, and their editing by the
//! programme office.

use crate::common::{Backend, TestApp, TestEnv};
use crate::editing::logged_in;
use crate::storage_test;
use oogst::actor::Role;

async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn footer_pages(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let mut config = env.config();
    config.registration_retention_days = 90;
    let app = env.spawn_with(config, false).await;
    let visitor = app.browser();

    let (status, home) = page(&app, &visitor, "/").await;
    assert_eq!(status, 200);
    for (path, title) in [
        ("/contact", "Contact"),
        ("/toegankelijkheid", "Toegankelijkheidsverklaring"),
        ("/privacy", "Privacyverklaring"),
    ] {
        assert!(home.contains(&format!("<a href=\"{path}\">")), "footer links to {path}");
        let (status, html) = page(&app, &visitor, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{path}: {html}");
        assert!(!html.contains("Deze pagina bewerken"), "visitors get no edit link");
    }
    let privacy = page(&app, &visitor, "/privacy").await.1;
    assert!(privacy.contains("verwijderen we 90 dagen na de bijeenkomst"), "the configured retention: {privacy}");
    let statement = page(&app, &visitor, "/toegankelijkheid").await.1;
    for heading in ["Status", "Wat nog niet toegankelijk is", "Een probleem melden", "Datum"] {
        assert!(statement.contains(&format!(">{heading}</h2>")), "model statement has {heading}");
    }

    // Only the programme office edits: visitors are sent to log in, others refused.
    assert_eq!(page(&app, &visitor, "/beheer/paginas").await.0, 303);
    let member = logged_in(&app, "lid@example.nl", Role::Lid, None).await;
    assert_eq!(page(&app, &member, "/beheer/paginas/privacy").await.0, 403);
    let refused = app
        .submit_form(&member, "/uitloggen", "/beheer/paginas/contact", &[("title", "Gekaapt"), ("body_markdown", "x")])
        .await;
    assert_eq!(refused.status(), 403);

    let bureau = logged_in(&app, "bureau@example.nl", Role::Beheerder, None).await;
    let (status, list) = page(&app, &bureau, "/beheer/paginas").await;
    assert_eq!(status, 200);
    assert!(list.contains("href=\"/beheer/paginas/toegankelijkheid\"") && list.contains("standaardtekst"));
    let (status, form) = page(&app, &bureau, "/beheer/paginas/contact").await;
    assert_eq!(status, 200);
    assert!(form.contains("Het programmabureau"), "the form starts from the default text");

    let fields = [("title", "Contact met het bureau"), ("body_markdown", "Bel **030 123 45 67**.<script>x()</script>")];
    let preview = app
        .submit_form(
            &bureau,
            "/beheer/paginas/contact",
            "/beheer/paginas/contact",
            &[fields[0], fields[1], ("action", "voorbeeld")],
        )
        .await;
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("<strong>030 123 45 67</strong>") && !preview.contains("<script>x()"), "{preview}");
    assert!(page(&app, &visitor, "/contact").await.1.contains("<h1>Contact</h1>"), "a preview saves nothing");

    let empty = app
        .submit_form(
            &bureau,
            "/beheer/paginas/contact",
            "/beheer/paginas/contact",
            &[("title", " "), ("body_markdown", "x")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let empty = empty.text().await.unwrap();
    assert!(empty.contains("<a href=\"#title\">Vul een titel in.</a>") && empty.contains("id=\"title\""), "{empty}");

    let control = app
        .submit_form(
            &bureau,
            "/beheer/paginas/contact",
            "/beheer/paginas/contact",
            &[("title", "Contact\u{1}"), ("body_markdown", "x")],
        )
        .await;
    assert_eq!(control.status(), 400, "control characters are refused");

    let saved = app.submit_form(&bureau, "/beheer/paginas/contact", "/beheer/paginas/contact", &fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], "/contact");
    let (_, shown) = page(&app, &visitor, "/contact").await;
    assert!(shown.contains("<h1>Contact met het bureau</h1>") && shown.contains("<strong>030 123 45 67</strong>"));
    assert!(!shown.contains("<script>x()"), "Markdown is sanitised: {shown}");
    assert!(shown.contains("Bijgewerkt op"));
    let again = app
        .submit_form(
            &bureau,
            "/beheer/paginas/contact",
            "/beheer/paginas/contact",
            &[fields[0], ("body_markdown", "Tweede versie.")],
        )
        .await;
    assert_eq!(again.status(), 303, "a stored page is edited again");
    assert!(page(&app, &visitor, "/contact").await.1.contains("Tweede versie."));
    let log = page(&app, &bureau, "/beheer/logboek").await.1;
    assert!(log.contains("Contact met het bureau"), "the edit is in the audit log");

    app.stop().await;
    env.finish().await;
}
storage_test!(footer_pages);
