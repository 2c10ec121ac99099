//! The web pages as a person meets them: being sent to log in and back, HEAD requests.

use crate::common::{token_for, Backend, TestEnv, PASSWORD};
use crate::storage_test;
use oogst::actor::Role;

async fn login_sends_people_back(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    token_for(&app, "femke@example.nl", Role::Redacteur, Some("gemeente-gorinchem")).await;

    // A page that needs a login sends the browser to the login form, remembering where it was.
    let browser = app.browser();
    let opened = browser.get(format!("{}/mijn-praktijken?page=2", app.address)).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/inloggen?next=%2Fmijn-praktijken%3Fpage%3D2");
    let form = browser.get(format!("{}{location}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(r#"name="next" value="/mijn-praktijken?page&#x3D;2""#), "{form}");
    let next = "/mijn-praktijken?page=2";
    let logged_in = app
        .submit_form(
            &browser,
            &location,
            "/inloggen",
            &[("email", "femke@example.nl"), ("password", PASSWORD), ("next", next)],
        )
        .await;
    assert_eq!(logged_in.headers()["location"], next);

    // Setting a password leads to the login form, which says so.
    let token = crate::common::invite(&app, "nieuw@example.nl", Role::Lid, None).await;
    let browser = app.browser();
    let path = format!("/wachtwoord-instellen?token={token}");
    let fields = [("token", token.as_str()), ("password", PASSWORD), ("password_again", PASSWORD)];
    let set = app.submit_form(&browser, &path, "/wachtwoord-instellen", &fields).await;
    assert_eq!(set.headers()["location"], "/inloggen");
    let login_page = browser.get(format!("{}/inloggen", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(login_page.contains("Uw wachtwoord is ingesteld"), "{login_page}");

    // API clients and form posts keep their answer: a 401 that says what to do.
    let (status, body) = app.get_json("/api/v1/users").await;
    assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));
    let posted = app.browser().post(format!("{}/uitnodigen", app.address)).form(&[("csrf", "x")]).send().await.unwrap();
    assert_ne!(posted.status(), 303);

    app.stop().await;
    env.finish().await;
}
storage_test!(login_sends_people_back);

async fn head_is_answered_like_get(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    for path in ["/", "/praktijken/dokwerk", "/static/oogst.css", "/agenda.ics", "/api/v1/practices"] {
        let get = app.get(path).await;
        let head = app.client.head(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(head.status(), 200, "{path}");
        assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}: no body");
    }
    let missing = app.client.head(format!("{}/bestaat-niet", app.address)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
    env.finish().await;
}
storage_test!(head_is_answered_like_get);

async fn search_puts_results_first(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    app.wait_for_search("q=dokwerk", std::time::Duration::from_secs(10), |slugs| !slugs.is_empty()).await;

    let html = app.get("/zoeken?q=OZA+%26+SWV&kind=practice&province=Utrecht").await.text().await.unwrap();
    // Results come before the filters, which fold away behind a control that needs no script.
    let (results, filters) =
        (html.find(r#"class="results""#).unwrap(), html.find("<details class=\"facets\"").unwrap());
    assert!(results < filters, "results first");
    assert!(html.contains("<summary>Filters</summary>"));
    // Chosen filters are chips that remove themselves; clearing keeps the encoded search text.
    assert!(html.contains(r#"href="/zoeken?q&#x3D;OZA+%26+SWV&amp;province&#x3D;Utrecht""#), "chip for kind: {html}");
    assert!(html.contains(r#"href="/zoeken?q&#x3D;OZA+%26+SWV""#), "clear all");
    assert!(!html.contains(r#"role="status""#), "no status role on a heading");

    // A list of practices has an h2 before its cards' h3 headings.
    let list = app.get("/praktijken").await.text().await.unwrap();
    assert!(list.find("<h2").unwrap() < list.find("<h3").unwrap());
    app.stop().await;
    env.finish().await;
}
storage_test!(search_puts_results_first);
