//! News with scheduling, and the Atom feeds.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{token_for, Backend, TestApp, TestEnv};
use crate::storage_test;

async fn post_news(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let response =
        app.client.post(format!("{}/api/v1/news", app.address)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    feed_rs::parser::parse(response.bytes().await.unwrap().as_ref()).expect("a valid Atom feed")
}

async fn news_and_feeds(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = token_for(&app, "bureau@example.nl", oogst::actor::Role::Beheerder, None).await;
    let redacteur =
        token_for(&app, "femke@example.nl", oogst::actor::Role::Redacteur, Some("gemeente-gorinchem")).await;

    let item = json!({
        "title": "Nieuwe inspiratieregio's gekozen",
        "summary": "Tien regio's gaan aan de slag met de adviezen.",
        "body": "## Wie doen er mee\n\nDe regio's starten met een **kick-off** in maart.",
        "themes": ["regionale-samenwerking"],
        "practices": ["dokwerk"],
    });
    let (status, created) = post_news(&app, &bureau, item.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["slug"], "nieuwe-inspiratieregio-s-gekozen");
    let (status, _) = post_news(&app, &redacteur, item.clone()).await;
    assert_eq!(status, 403, "news is the programme office's");
    let (status, body) =
        post_news(&app, &bureau, json!({"title": "", "practices": ["bestaat-niet"], "published_at": "morgen"})).await;
    assert_eq!(status, 422);
    for field in ["title", "practices", "published_at"] {
        assert!(body["fields"][field].is_array(), "{field}: {body}");
    }

    // Public: page, list, search, feed.
    let page = app.get("/nieuws/nieuwe-inspiratieregio-s-gekozen").await.text().await.unwrap();
    assert!(page.contains("<strong>kick-off</strong>") && page.contains("/praktijken/dokwerk"));
    assert!(app.get("/nieuws").await.text().await.unwrap().contains("Nieuwe inspiratieregio"));
    app.wait_for_search("q=inspiratieregio+gekozen&kind=news", Duration::from_secs(2), |slugs| {
        slugs == ["nieuwe-inspiratieregio-s-gekozen"]
    })
    .await;
    let news_feed = feed(&app, "/nieuws.atom").await;
    assert_eq!(news_feed.entries.len(), 1);
    assert_eq!(news_feed.entries[0].title.as_ref().unwrap().content, "Nieuwe inspiratieregio's gekozen");
    assert!(news_feed.entries[0].links[0].href.ends_with("/nieuws/nieuwe-inspiratieregio-s-gekozen"));
    let practices_feed = feed(&app, "/praktijken.atom").await;
    assert_eq!(practices_feed.entries.len(), 15);
    assert!(app.get("/").await.text().await.unwrap().contains(r#"rel="alternate" type="application/atom+xml""#));

    // Scheduled: invisible until its time, then public without any reindex.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let (status, _) = post_news(
        &app,
        &bureau,
        json!({"title": "Heidag aangekondigd", "summary": "Save the date.", "published_at": soon}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(app.get("/nieuws/heidag-aangekondigd").await.status(), 404);
    let (status, _) = app.get_json("/api/v1/news/heidag-aangekondigd").await;
    assert_eq!(status, 404);
    let as_bureau = app
        .client
        .get(format!("{}/api/v1/news/heidag-aangekondigd", app.address))
        .bearer_auth(&bureau)
        .send()
        .await
        .unwrap();
    assert_eq!(as_bureau.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.slugs("q=heidag&kind=news").await.is_empty(), "scheduled news is not found yet");
    assert_eq!(feed(&app, "/nieuws.atom").await.entries.len(), 1);
    app.wait_for_search("q=heidag&kind=news", Duration::from_secs(6), |slugs| slugs == ["heidag-aangekondigd"]).await;
    assert_eq!(app.get("/nieuws/heidag-aangekondigd").await.status(), 200);
    assert_eq!(feed(&app, "/nieuws.atom").await.entries.len(), 2);

    // An attachment on the news item, by the programme office only.
    let form = reqwest::multipart::Form::new().text("news", "heidag-aangekondigd").part(
        "file",
        reqwest::multipart::Part::bytes(b"Programma heidag\nOchtend: plenair. Middag: werkgroepen.".to_vec())
            .file_name("programma.txt"),
    );
    let response = app
        .client
        .post(format!("{}/api/v1/documents", app.address))
        .bearer_auth(&bureau)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(app.get("/nieuws/heidag-aangekondigd").await.text().await.unwrap().contains("/documenten/programma"));

    app.stop().await;
    env.finish().await;
}
storage_test!(news_and_feeds);
