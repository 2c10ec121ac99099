//! The web pages as a person meets them: being sent to log in and back, HEAD requests.

use crate::common::{token_for, Backend, TestEnv, PASSWORD};
use crate::storage_test;
use oogst::accounts::Role;

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
