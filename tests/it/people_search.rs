//! People in the search, tried as an attack: for every profile field at every visibility,
//! a word that stands only in that field must find the person on `/zoeken`,
//! `/api/v1/search`, `/leden?q=` and `/api/v1/people?q=` exactly for the viewers who may see
//! the field, and nothing any viewer gets may show a word of a field hidden from them.
//! One app per backend with many profiles, not one app per case.

use oogst::actor::Role;
use oogst::profiles::{ProfileField, ProfileInput, Visibilities, Visibility};
use reqwest::Method;
use serde_json::Value;
use strum::IntoEnumIterator;

use crate::common::{api, invite, token_for, Backend, TestApp, TestEnv};
use crate::profiles::{cards, looker, setup, Looker};
use crate::storage_test;

/// A word no dictionary has, far (in letters) from every other one the test makes, so
/// neither compounds nor typo tolerance connect two of them.
fn word(seed: usize) -> String {
    let mut state = (seed as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..10)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            char::from(b'a' + ((state >> 33) % 26) as u8)
        })
        .collect()
}

/// The fields that hold free text, where each subject gets a word of its own.
const WORD_FIELDS: [ProfileField; 6] = [
    ProfileField::Organisation,
    ProfileField::JobTitle,
    ProfileField::Region,
    ProfileField::Expertise,
    ProfileField::Bio,
    ProfileField::Languages,
];

/// One profile under attack: `field` at `visibility`, every other field for the office.
struct Subject {
    field: ProfileField,
    visibility: Visibility,
    slug: String,
    /// The subject's own word of each free-text field.
    words: Vec<(ProfileField, String)>,
}

impl Subject {
    fn level_of(&self, field: ProfileField) -> Visibility {
        if field == self.field {
            self.visibility
        } else {
            Visibility::Office
        }
    }

    /// The word that finds the subject through its field under test: its own word, or for
    /// the fields without free text the word every subject of that field shares.
    fn search_word(&self) -> String {
        match self.field {
            ProfileField::ExpertiseKind => "ervaringsdeskundige".into(),
            ProfileField::Availability => "sparringpartner".into(),
            field => self.word(field).to_string(),
        }
    }

    fn word(&self, field: ProfileField) -> &str {
        self.words.iter().find(|(shown, _)| *shown == field).map(|(_, word)| word.as_str()).unwrap_or_default()
    }
}

/// Creates the subject's account (of an organisation of its own) and profile.
async fn subject(app: &TestApp, number: usize, field: ProfileField, visibility: Visibility) -> Subject {
    let words: Vec<(ProfileField, String)> =
        WORD_FIELDS.iter().enumerate().map(|(index, &field)| (field, word(number * 10 + index))).collect();
    let word_of = |wanted: ProfileField| words.iter().find(|(field, _)| *field == wanted).unwrap().1.clone();
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let organisation = format!("stichting-{}", word_of(ProfileField::Organisation));
    oogst::organisations::upsert(
        &db,
        oogst::organisations::OrganisationInput {
            slug: organisation.clone(),
            name: format!("Stichting {}", word_of(ProfileField::Organisation)),
            kind: "jeugdhulp".into(),
            province: None,
            municipalities: Vec::new(),
            website: None,
            description: String::new(),
            network_role: "lid".into(),
            tranche: None,
        },
    )
    .await
    .unwrap();
    let email = format!("proef{number}@example.nl");
    invite(app, &email, Role::Lid, Some(&organisation)).await;
    let account = oogst::accounts::find_by_email(&db, &email).await.unwrap().unwrap();
    let mut visibilities = Visibilities::default();
    for other in ProfileField::iter() {
        visibilities.set(other, Visibility::Office);
    }
    visibilities.set(field, visibility);
    let input = ProfileInput {
        display_name: format!("Proefpersoon {number}"),
        job_title: word_of(ProfileField::JobTitle),
        province: Some("Drenthe".into()),
        municipalities: vec![word_of(ProfileField::Region)],
        keywords: vec![word_of(ProfileField::Expertise)],
        expertise_kind: (field == ProfileField::ExpertiseKind).then(|| "ervaringsdeskundige".into()),
        bio: format!("Ik werk aan {}.", word_of(ProfileField::Bio)),
        languages: vec![word_of(ProfileField::Languages)],
        available: field == ProfileField::Availability,
        listed: true,
        visibility: visibilities,
        ..Default::default()
    };
    let taxonomy = oogst::taxonomy::Taxonomy::load(&db).await.unwrap();
    let transaction = oogst::db::begin_write(&db).await.unwrap();
    let saved = oogst::profiles::save_in(&transaction, &taxonomy, account.id, &input).await.unwrap();
    transaction.commit().await.unwrap();
    Subject { field, visibility, slug: saved.slug, words }
}

/// Whether each way of searching finds `slug` for `word`, as `looker` (the search page and
/// API asked for people, the directory page and API), and how many people the kind facet of
/// a search that names no kind counts (that search finds content only).
async fn found_everywhere(app: &TestApp, looker: &Looker, word: &str, slug: &str) -> ([bool; 4], usize) {
    let link = format!("href=\"/leden/{slug}\"");
    let (status, search_page) = looker.page(app, &format!("/zoeken?q={word}&kind=person&per_page=100")).await;
    assert_eq!(status, 200, "/zoeken?q={word}");
    let (status, unasked) = looker.page(app, &format!("/zoeken?q={word}")).await;
    assert_eq!(status, 200, "/zoeken?q={word}");
    assert!(!unasked.contains(&link), "a search that names no kind finds no people");
    let (status, search_api) = looker.api(app, &format!("/api/v1/search?q={word}&kind=person&per_page=100")).await;
    assert_eq!(status, 200, "{search_api}");
    let (status, directory) = looker.page(app, &format!("/leden?q={word}&per_page=100")).await;
    assert_eq!(status, 200, "/leden?q={word}");
    let (status, people) = looker.api(app, &format!("/api/v1/people?q={word}&per_page=100")).await;
    assert_eq!(status, 200, "{people}");
    let search_api: Value = serde_json::from_str(&search_api).unwrap();
    let people: Value = serde_json::from_str(&people).unwrap();
    let in_hits =
        search_api["hits"].as_array().unwrap().iter().any(|hit| hit["slug"] == slug && hit["kind"] == "person");
    let in_items = people["items"].as_array().unwrap().iter().any(|item| item["slug"] == slug);
    let found = [search_page.contains(&link), in_hits, cards(&directory).contains(&link), in_items];
    (found, people_counted(&unasked))
}

/// The count of the kind facet's value "people" on a search page (0 when it is not shown).
fn people_counted(page: &str) -> usize {
    let marker = "Lid van het netwerk <span class=\"count\">(";
    page.split_once(marker)
        .and_then(|(_, rest)| rest.split(')').next())
        .map_or(0, |count| count.parse().unwrap_or_else(|_| panic!("a count: {count}")))
}

/// Everything the looker gets from the four listings of people without a query.
async fn listings(app: &TestApp, looker: &Looker) -> Vec<(&'static str, String)> {
    let mut texts = Vec::new();
    for (name, path, page) in [
        ("/zoeken", "/zoeken?kind=person&per_page=100", true),
        ("/api/v1/search", "/api/v1/search?kind=person&per_page=100", false),
        ("/leden", "/leden?per_page=100", true),
        ("/api/v1/people", "/api/v1/people?per_page=100", false),
    ] {
        let (status, text) = if page { looker.page(app, path).await } else { looker.api(app, path).await };
        assert_eq!(status, 200, "{path}: {text}");
        texts.push((name, text));
    }
    texts
}

async fn every_field_for_every_viewer_in_the_search(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    setup(&app).await;
    let mut subjects = Vec::new();
    for field in ProfileField::iter() {
        for visibility in Visibility::iter() {
            subjects.push(subject(&app, subjects.len(), field, visibility).await);
        }
    }
    let lookers = [
        looker(&app, "anoniem", None).await,
        looker(&app, "lid", Some(Role::Lid)).await,
        looker(&app, "redacteur", Some(Role::Redacteur)).await,
        looker(&app, "bureau", Some(Role::Beheerder)).await,
    ];
    app.wait_for_outbox().await;

    for looker in &lookers {
        for subject in &subjects {
            let allowed = looker.sees(subject.visibility.slug());
            let context = format!("{:?} at {:?} for {}", subject.field, subject.visibility, looker.name);
            let word = subject.search_word();
            let (found, counted) = found_everywhere(&app, looker, &word, &subject.slug).await;
            assert_eq!(found, [allowed; 4], "{context}: found on /zoeken, search API, /leden, people API");
            let findable = subjects
                .iter()
                .filter(|other| other.search_word() == word && looker.sees(other.visibility.slug()))
                .count();
            assert_eq!(counted, findable, "{context}: people counted by a search for content");
        }
        // Without a query every listed person is there; no word of a hidden field is.
        for (listing, text) in listings(&app, looker).await {
            for subject in &subjects {
                assert!(text.contains(&subject.slug), "{listing} for {}: {} is listed", looker.name, subject.slug);
                for &(field, ref word) in &subject.words {
                    let allowed = looker.sees(subject.level_of(field).slug());
                    let context = format!("{listing} for {}: {field:?} of {}", looker.name, subject.slug);
                    if !allowed {
                        assert!(!text.contains(word.as_str()), "{context} shows a hidden word");
                    } else if listing == "/api/v1/people" {
                        assert!(text.contains(word.as_str()), "{context}: the API shows what may be seen");
                    }
                }
            }
            let kinds_seen = subjects
                .iter()
                .filter(|subject| subject.field == ProfileField::ExpertiseKind)
                .filter(|subject| looker.sees(subject.visibility.slug()))
                .count();
            if listing.starts_with("/api") {
                let body: Value = serde_json::from_str(&text).unwrap();
                let counted = body["facets"]["expertise_kind"]["ervaringsdeskundige"].as_u64().unwrap_or(0);
                assert_eq!(
                    counted, kinds_seen as u64,
                    "{listing} for {}: facet counts only visible kinds",
                    looker.name
                );
            }
        }
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(every_field_for_every_viewer_in_the_search);

/// Unlisted and hidden profiles are found by the office only; changing visibility or the
/// listing moves the search result once the index has caught up.
async fn changes_move_the_search_result(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let owner = token_for(&app, "eigenaar@example.nl", Role::Lid, None).await;
    let anonymous = looker(&app, "anoniem", None).await;
    let member = looker(&app, "lid", Some(Role::Lid)).await;
    let bureau = looker(&app, "bureau", Some(Role::Beheerder)).await;
    let secret = word(9_999);
    let put = |visibility: &'static str, listed: bool| {
        let (app, owner, secret) = (&app, owner.clone(), secret.clone());
        async move {
            let document = serde_json::json!({
                "display_name": "Eigenaar Proef",
                "bio": format!("Mijn werk: {secret}."),
                "listed": listed,
                "visibility": { "bio": visibility },
            });
            let (status, saved) = api(app, Method::PUT, "/api/v1/me/profile", &owner, Some(document)).await;
            assert_eq!(status, 200, "{saved}");
            app.wait_for_outbox().await;
            saved["slug"].as_str().unwrap().to_string()
        }
    };
    let slug = put("public", false).await;
    assert_eq!(found_everywhere(&app, &anonymous, &secret, &slug).await, ([false; 4], 0), "not listed");
    assert_eq!(found_everywhere(&app, &member, &secret, &slug).await, ([false; 4], 0), "not listed");
    assert_eq!(found_everywhere(&app, &bureau, &secret, &slug).await, ([true; 4], 1), "the office finds every profile");

    put("members", true).await;
    assert_eq!(
        found_everywhere(&app, &anonymous, &secret, &slug).await,
        ([false; 4], 0),
        "listed, the bio for members"
    );
    assert_eq!(found_everywhere(&app, &member, &secret, &slug).await, ([true; 4], 1), "listed, the bio for members");
    put("public", true).await;
    assert_eq!(found_everywhere(&app, &anonymous, &secret, &slug).await, ([true; 4], 1), "listed, the bio public");

    let path = format!("/beheer/leden/{slug}");
    let office = crate::editing::logged_in(&app, "tweede.bureau@example.nl", Role::Beheerder, None).await;
    let response = app.submit_form(&office, &path, &format!("{path}/ledenlijst"), &[("action", "verbergen")]).await;
    assert_eq!(response.status(), 303);
    app.wait_for_outbox().await;
    assert_eq!(found_everywhere(&app, &anonymous, &secret, &slug).await, ([false; 4], 0), "hidden by the office");
    assert_eq!(found_everywhere(&app, &member, &secret, &slug).await, ([false; 4], 0), "hidden by the office");
    assert_eq!(
        found_everywhere(&app, &bureau, &secret, &slug).await,
        ([true; 4], 1),
        "hidden, still found by the office"
    );

    // Answers that depend on the viewer say so to caches.
    for path in ["/zoeken?q=x", "/leden", "/api/v1/search?q=x", "/api/v1/people"] {
        let response = app.get(path).await;
        let vary: Vec<&str> =
            response.headers().get_all("vary").iter().filter_map(|value| value.to_str().ok()).collect();
        assert!(vary.contains(&"Cookie, Authorization"), "{path}: {vary:?}");
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(changes_move_the_search_result);
