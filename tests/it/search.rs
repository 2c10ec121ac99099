//! Dutch search as a region looking for comparable initiatives meets it.

use crate::common::{app_with_fixtures, hit_slugs, Backend, TestEnv};
use crate::storage_test;

async fn finds(app: &crate::common::TestApp, query: &str, slug: &str) {
    let slugs = app.slugs(&format!("q={}&per_page=50", urlencode(query))).await;
    assert!(slugs.iter().any(|found| found == slug), "'{query}' should find {slug}, found {slugs:?}");
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap().trim_start_matches('=').to_string()
}

async fn dutch_language(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;

    // Compounds, both ways.
    finds(&app, "thuiszitters", "werkplaats-thuis").await;
    finds(&app, "thuiszitterslabs", "aanpak-thuiszitters").await;
    finds(&app, "verzuim", "minder-schoolverzuim").await;
    finds(&app, "schoolverzuim", "dezelfde-dag-bellen").await;
    finds(&app, "zorgteam", "team-in-school").await;
    finds(&app, "kinderopvang", "doorgaande-lijn-peuters").await;
    finds(&app, "kinderopvangorganisatie", "doorgaande-lijn-peuters").await;
    // Acronyms, both ways.
    finds(&app, "OZA", "arrangement-voluit").await;
    finds(&app, "onderwijszorgarrangement", "maatwerk-onderwijs-en-zorg").await;
    finds(&app, "samenwerkingsverband", "partnerschap-drenthe").await;
    // Accents and case.
    finds(&app, "cooperatie", "verbinden-in-limburg").await;
    finds(&app, "COÖPERATIE", "verbinden-in-limburg").await;
    // Typos in longer words.
    let typo = app.slugs("q=dyslectie").await;
    assert_eq!(typo.first().map(String::as_str), Some("vroeg-signaleren"), "{typo:?}");
    // Short words get no typo tolerance: "zorq" is not "zorg".
    assert!(app.slugs("q=zorq").await.is_empty());
    // A compound that no dictionary knows is split along the index's own words.
    finds(&app, "middenlandbellen", "dezelfde-dag-bellen").await;
    // Plural and singular meet through the stemmer.
    finds(&app, "gemeenten", "aanpak-thuiszitters").await;

    app.stop().await;
    env.finish().await;
}
storage_test!(dutch_language);

async fn ranking_snippets_and_phrases(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;

    // A title match outranks a body match; more matching words rank higher.
    let ranked = app.slugs("q=thuiszitters").await;
    assert_eq!(ranked.first().map(String::as_str), Some("aanpak-thuiszitters"), "{ranked:?}");
    let both = app.slugs("q=ambulant+zorgteam+peuters").await;
    assert!(both.len() >= 2, "not every word is required: {both:?}");

    let body = app.search("q=schoolverzuim").await;
    let hit = body["hits"].as_array().unwrap().iter().find(|hit| hit["slug"] == "minder-schoolverzuim").unwrap();
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>schoolverzuim</mark>"), "{hit}");
    // Passages mark words the way they are written: with accents, and where the stemmer
    // does not keep a word's beginning (school → schol).
    for (query, marked) in [("cooperatie", "<mark>Coöperatie</mark>"), ("school", "<mark>School</mark>")] {
        let body = app.search(&format!("q={query}")).await;
        let hits = body["hits"].as_array().unwrap();
        let hit = hits.iter().find(|hit| hit["slug"] == "verbinden-in-limburg").unwrap();
        assert!(hit["snippet"].as_str().unwrap().contains(marked), "{query}: {hit}");
    }

    // Phrases and exclusions.
    let phrase = app.slugs("q=%22ambulant+zorgteam%22").await;
    assert_eq!(phrase.first().map(String::as_str), Some("team-in-school"));
    let excluded = app.slugs("q=thuiszitters+-gelderland").await;
    assert!(!excluded.contains(&"aanpak-thuiszitters".to_string()), "{excluded:?}");

    // Text in documents is found too, and kind filters.
    let documents = app.slugs("q=warme+overdracht&kind=document").await;
    assert_eq!(documents, ["verslag-werksessie"]);
    // Concepts are never found.
    assert!(!app.slugs("q=wording").await.contains(&"nog-niet-klaar".to_string()));

    // Sorting by date puts the newest first.
    let newest = app.slugs("sort=date&kind=practice").await;
    assert_eq!(newest.first().map(String::as_str), Some("partnerschap-drenthe"));

    // Pages.
    let first = app.search("kind=practice&per_page=5&page=1").await;
    let third = app.search("kind=practice&per_page=5&page=3").await;
    assert_eq!(first["total"], 11);
    assert_eq!(hit_slugs(&first).len(), 5);
    assert_eq!(hit_slugs(&third).len(), 1);

    app.stop().await;
    env.finish().await;
}
storage_test!(ranking_snippets_and_phrases);

async fn facets_and_filters(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;

    let all = app.search("").await;
    assert_eq!(all["total"], 12, "11 practices and 1 document");
    assert_eq!(all["facets"]["kind"]["practice"], 11);
    assert_eq!(all["facets"]["kind"]["document"], 1);
    assert_eq!(all["facets"]["province"]["Utrecht"], 2);
    assert_eq!(all["facets"]["theme"]["thuiszitters"], 2);
    assert_eq!(all["facets"]["age"]["12-18"], 2);
    assert_eq!(all["facets"]["organisation_kind"]["overig"], 11);

    // OR within a facet, and the facet keeps counting its other values.
    let two_themes = app.search("theme=thuiszitters&theme=monitoring").await;
    assert_eq!(two_themes["total"], 4);
    assert_eq!(two_themes["facets"]["theme"]["passend-onderwijs"], 2);
    // AND across facets.
    let and = app.search("theme=thuiszitters&theme=monitoring&province=Utrecht").await;
    let mut slugs = hit_slugs(&and);
    slugs.sort();
    assert_eq!(slugs, ["dezelfde-dag-bellen", "minder-schoolverzuim"]);
    assert_eq!(and["facets"]["province"]["Gelderland"], 1, "province counts ignore the province filter");
    // Text and filters together.
    let filtered = app.slugs("q=thuiszitters&province=Gelderland").await;
    assert_eq!(filtered, ["aanpak-thuiszitters"]);
    // An unknown value filters to nothing, without an error.
    assert_eq!(app.search("theme=bestaat-niet").await["total"], 0);

    app.stop().await;
    env.finish().await;
}
storage_test!(facets_and_filters);

async fn odd_queries_never_fail(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;
    for query in [
        "q=%22",
        "q=(",
        "q=:",
        "q=*",
        "q=-",
        "q=%22open",
        "q=a%22b%22c",
        "q=title:x",
        "q=AND+OR+NOT",
        "q=%00",
        "q=%F0%9F%98%80",
        "q=%ZZ",
        "q=x&page=999999999",
        "q=x&page=18446744073709551615&per_page=100",
        "q=",
        "q=%2B%2B%2B",
        "q=-%22%22",
        "q=~2",
        "q=a^3",
        "q=[1+TO+5]",
        "q={}",
        "q=\\",
    ] {
        let response = app.get(&format!("/api/v1/search?{query}")).await;
        assert!(response.status().as_u16() < 500, "{query}: {}", response.status());
        let response = app.get(&format!("/zoeken?{query}")).await;
        assert!(response.status().as_u16() < 500, "page {query}: {}", response.status());
    }
    let long = "thuiszitters+".repeat(2000);
    assert!(app.get(&format!("/api/v1/search?q={long}")).await.status().is_success());

    for (query, status) in
        [("per_page=0", 400), ("per_page=101", 400), ("page=0", 400), ("page=abc", 400), ("sort=nieuw", 400)]
    {
        let (got, body) = app.get_json(&format!("/api/v1/search?{query}")).await;
        assert_eq!(got, status, "{query}: {body}");
        assert_eq!(body["error"], "bad_request");
        assert!(body["message"].as_str().unwrap().len() > 10, "{body}");
    }
    let deep = app.search("q=thuiszitters&page=1000000").await;
    assert!(hit_slugs(&deep).is_empty());
    assert!(deep["total"].as_u64().unwrap() > 0);

    app.stop().await;
    env.finish().await;
}
storage_test!(odd_queries_never_fail);

/// A search that finds nothing as typed is read more widely, and both page and API say so.
async fn dead_ends_are_widened_and_say_so(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;

    // No fixture holds "PvA" or the phrase "plan van aanpak", but many hold its words.
    let acronym = app.search("q=PvA").await;
    assert!(acronym["total"].as_u64().unwrap() > 0, "{acronym}");
    assert_eq!(acronym["widened"]["added_words"], serde_json::json!(["plan van aanpak"]), "{acronym}");
    let page = app.get("/zoeken?q=PvA").await.text().await.unwrap();
    assert!(page.contains("Geen resultaten voor ‘PvA’; wel voor ‘plan van aanpak’."), "{page}");

    // A quoted phrase that occurs nowhere falls back to its words.
    let phrase = app.search("q=%22schoolverzuim+kinderopvang%22").await;
    assert!(phrase["total"].as_u64().unwrap() > 0, "{phrase}");
    assert_eq!(phrase["widened"]["added_words"], serde_json::json!([]), "{phrase}");
    let page = app.get("/zoeken?q=%22schoolverzuim+kinderopvang%22").await.text().await.unwrap();
    assert!(page.contains("wel met een deel ervan"), "{page}");

    // A search that finds something as typed is not widened, and nothing stays nothing.
    assert!(app.search("q=thuiszitters").await["widened"].is_null());
    let nothing = app.search("q=xylofoonqwerty").await;
    assert_eq!(nothing["total"], 0);
    assert!(nothing["widened"].is_null());

    app.stop().await;
    env.finish().await;
}
storage_test!(dead_ends_are_widened_and_say_so);

/// The results page lists the hits in the order the API ranks them.
async fn page_and_api_rank_alike(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;
    for query in ["thuiszitters", "OZA", "ouders+betrekken+bij+de+overstap+naar+school", "zorgteam+peuters"] {
        let from_api: Vec<String> = app.search(&format!("q={query}&per_page=10")).await["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["url"].as_str().unwrap().to_string())
            .collect();
        let page = app.get(&format!("/zoeken?q={query}")).await.text().await.unwrap();
        let on_page: Vec<String> =
            page.split("<h3><a href=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_string()).collect();
        assert!(!from_api.is_empty(), "{query}");
        assert_eq!(on_page, from_api, "{query}");
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(page_and_api_rank_alike);
