//! The pages and the API as visitors and API clients use them, on the demo content.

use crate::common::{Backend, TestEnv};
use crate::storage_test;

async fn demo_site(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;

    // The home page shows recent practices, themes and regions.
    let home = app.get("/").await;
    assert_eq!(home.status(), 200);
    assert_eq!(home.headers()["content-type"], "text/html; charset=utf-8");
    assert!(home.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Naar de inhoud"), "skip link");
    assert!(html.contains("15 gepubliceerde praktijken"));
    assert!(html.contains("Recent gepubliceerd"));
    assert!(html.contains("/themas/thuiszitters"));

    // The API lists and shows practices; concepts stay private.
    let (status, list) = app.get_json("/api/v1/practices?per_page=5").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 15, "16 demo practices, one of them a concept");
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    assert_eq!(list["per_page"], 5);
    let (status, concept) = app.get_json("/api/v1/practices/kansencirkel-in-de-kinderopvang").await;
    assert_eq!(status, 404);
    assert_eq!(concept["error"], "not_found");
    let (status, dokwerk) = app.get_json("/api/v1/practices/dokwerk").await;
    assert_eq!(status, 200);
    assert_eq!(dokwerk["organisation"]["slug"], "gemeente-gorinchem");
    assert!(dokwerk["body_html"].as_str().unwrap().contains("<h2>"));
    assert!(!dokwerk["themes"].as_array().unwrap().is_empty());

    // Comparable initiatives, in the API and on the page.
    let (status, similar) = app.get_json("/api/v1/practices/een-zorgteam-oost-achterhoek/similar").await;
    assert_eq!(status, 200);
    let similar = similar.as_array().unwrap();
    assert!(!similar.is_empty());
    assert!(similar.iter().all(|hit| hit["slug"] != "een-zorgteam-oost-achterhoek"));
    let page = app.get("/praktijken/een-zorgteam-oost-achterhoek").await.text().await.unwrap();
    assert!(page.contains("Vergelijkbare initiatieven"));
    assert!(page.contains(similar[0]["url"].as_str().unwrap()));

    let (status, organisations) = app.get_json("/api/v1/organisations?per_page=100").await;
    assert_eq!(status, 200);
    assert!(organisations["total"].as_u64().unwrap() >= 8);
    let (_, themes) = app.get_json("/api/v1/themes").await;
    assert_eq!(themes["advices"].as_array().unwrap().len(), 7);
    assert!(themes["themes"].as_array().unwrap().len() >= 10);

    // Every page renders; unknown ones get a Dutch 404.
    for path in [
        "/praktijken",
        "/praktijken?page=2",
        "/organisaties",
        "/organisaties/gemeente-gorinchem",
        "/themas",
        "/themas/thuiszitters",
        "/zoeken",
        "/zoeken?q=thuiszitters&theme=thuiszitters",
        "/agenda",
        "/agenda?periode=voorbij",
        "/agenda/werksessie-thuiszitters-en-schoolaanwezigheid",
        "/agenda.ics",
        "/zoeken?q=girfec&kind=event",
        "/static/oogst.css",
        "/healthz",
        "/readyz",
    ] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let missing = app.get("/praktijken/bestaat-niet").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("niet"));
    assert_eq!(app.get("/nergens").await.status(), 404);
    let (status, body) = app.get_json("/api/v1/nergens").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    // The search page shows facets with counts and marked snippets.
    let results = app.get("/zoeken?q=thuiszitters").await.text().await.unwrap();
    assert!(results.contains("<legend>Thema</legend>"));
    assert!(results.contains("<mark>"));
    assert!(results.contains("resultaten voor"));

    // The demo agenda: a werksessie with two workshops to choose from, findable in search.
    let event = app.get("/agenda/werksessie-thuiszitters-en-schoolaanwezigheid").await.text().await.unwrap();
    assert!(event.contains("<legend>Workshop 14:00–15:15</legend>"), "{event}");
    assert_eq!(event.matches("type=\"radio\"").count(), 2);
    let past = app.get("/agenda?periode=voorbij").await.text().await.unwrap();
    assert!(!past.contains("Heidag"), "members-only events are for members");
    app.wait_for_search("q=girfec&kind=event", std::time::Duration::from_secs(5), |slugs| {
        slugs == ["verdiepingsochtend-girfec-tilburg"]
    })
    .await;

    // The demo members: 29 of 33 in the directory, each with only what visitors may see.
    let (status, people) = app.get_json("/api/v1/people?per_page=100").await;
    assert_eq!(status, 200);
    assert_eq!(people["total"], 29, "four demo profiles are not listed");
    assert!(!people.to_string().contains("@example.nl"), "no e-mail address for visitors");
    let (_, gelderland) = app.get_json("/api/v1/people?province=Gelderland&expertise_kind=praktijk").await;
    let slugs: Vec<&str> =
        gelderland["items"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["gerrit-meijer"], "filters match only fields public to visitors");
    assert_eq!(app.get("/leden/bas-willems").await.status(), 404, "not listed");
    let directory = app.get("/leden?province=Utrecht").await.text().await.unwrap();
    assert!(directory.contains("href=\"/leden/pieter-hoekstra\""), "{directory}");

    app.stop().await;
    env.finish().await;
}
storage_test!(demo_site);

async fn openapi_matches_responses(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let (status, spec) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let schemas = &spec["components"]["schemas"];
    for (path, schema) in [
        ("/api/v1/search?q=thuiszitters", "SearchResponse"),
        ("/api/v1/practices/dokwerk", "PracticeView"),
        ("/api/v1/themes", "TaxonomyBody"),
    ] {
        let documented = path.split('?').next().unwrap().replace("dokwerk", "{slug}");
        assert!(spec["paths"].get(&documented).is_some(), "{documented} is not documented");
        let (_, body) = app.get_json(path).await;
        let properties = schemas[schema]["properties"].as_object().unwrap_or_else(|| panic!("{schema} has properties"));
        for (name, _) in properties {
            assert!(body.get(name).is_some(), "{path}: documented field {name} missing in {body}");
        }
        for (name, _) in body.as_object().unwrap() {
            assert!(properties.contains_key(name), "{path}: field {name} is not documented in {schema}");
        }
    }
    // The demo agenda: three public events coming up, and each matches its documented shape.
    let (_, agenda) = app.get_json("/api/v1/events").await;
    assert_eq!(agenda["total"], 3, "{agenda}");
    let slug = agenda["items"][0]["slug"].as_str().unwrap();
    let (_, detail) = app.get_json(&format!("/api/v1/events/{slug}")).await;
    for (value, schema) in [(&detail, "EventDetail"), (&detail["event"], "EventView")] {
        let properties = schemas[schema]["properties"].as_object().unwrap_or_else(|| panic!("{schema} has properties"));
        for (name, _) in value.as_object().unwrap() {
            assert!(properties.contains_key(name), "field {name} is not documented in {schema}");
        }
        for (name, _) in properties {
            assert!(value.get(name).is_some(), "documented field {name} missing in {value}");
        }
    }
    let hit_properties = schemas["ApiHit"]["properties"].as_object().unwrap();
    let (_, search) = app.get_json("/api/v1/search?q=thuiszitters").await;
    for (name, _) in search["hits"][0].as_object().unwrap() {
        assert!(hit_properties.contains_key(name), "hit field {name} undocumented");
    }
    for path in [
        "/api/v1/practices",
        "/api/v1/practices/{slug}/similar",
        "/api/v1/organisations",
        "/api/v1/events",
        "/api/v1/events/{slug}",
        "/api/v1/events/{slug}/registrations",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} is not documented");
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(openapi_matches_responses);
