//! Member profiles as people meet them: every field × every viewer on the profile page, the
//! directory and the API; unlisted and hidden profiles; editing one's own profile and the
//! programme office's editing.

use futures_util::future::join_all;
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::common::{api, token_for, Backend, TestApp, TestEnv, PASSWORD};
use crate::editing::logged_in;
use crate::storage_test;
use oogst::actor::Role;

/// Each field's value as the test stores it, what the profile page shows of it, and what
/// a directory card shows of it (cards show only some fields).
struct FieldCase {
    field: &'static str,
    on_page: &'static str,
    on_card: Option<&'static str>,
}

const FIELDS: [FieldCase; 8] = [
    FieldCase { field: "organisation", on_page: "Gemeente Zutphen", on_card: Some("Gemeente Zutphen") },
    FieldCase { field: "job_title", on_page: "Kwartiermaker zorgpact", on_card: Some("Kwartiermaker zorgpact") },
    FieldCase { field: "region", on_page: "Aa en Hunze", on_card: Some("Drenthe") },
    FieldCase { field: "expertise", on_page: "trajectbegeleiding-oza", on_card: None },
    FieldCase { field: "expertise_kind", on_page: "Ervaringsdeskundige", on_card: Some("Ervaringsdeskundige") },
    FieldCase { field: "bio", on_page: "denk graag mee", on_card: None },
    FieldCase { field: "languages", on_page: "Papiaments", on_card: None },
    FieldCase { field: "availability", on_page: "verzoeken per maand", on_card: None },
];

const SUBJECT_EMAIL: &str = "anouk.subject@example.nl";

fn profile_document(visibility: Value, listed: bool) -> Value {
    json!({
        "display_name": "Anouk Verhoef",
        "job_title": "Kwartiermaker zorgpact",
        "province": "Drenthe",
        "municipalities": ["Aa en Hunze"],
        "themes": ["thuiszitters"],
        "advices": [],
        "keywords": ["trajectbegeleiding-oza"],
        "expertise_kind": "ervaringsdeskundige",
        "bio": "Ik **denk graag mee** over maatwerk.",
        "languages": ["Nederlands", "Papiaments"],
        "available": true,
        "max_requests_per_month": 3,
        "listed": listed,
        "visibility": visibility,
    })
}

/// A person looking: a browser for pages and, when signed in, a token for the API.
pub struct Looker {
    pub name: &'static str,
    pub office: bool,
    pub signed_in: bool,
    browser: reqwest::Client,
    token: Option<String>,
}

pub async fn looker(app: &TestApp, name: &'static str, role: Option<Role>) -> Looker {
    match role {
        None => Looker { name, office: false, signed_in: false, browser: app.browser(), token: None },
        Some(role) => {
            let email = format!("{name}@example.nl");
            let organisation = (role == Role::Redacteur).then_some("gemeente-zutphen");
            let browser = logged_in(app, &email, role, organisation).await;
            let token = app.token(&email, PASSWORD).await;
            Looker { name, office: role == Role::Beheerder, signed_in: true, browser, token: Some(token) }
        }
    }
}

impl Looker {
    pub fn sees(&self, visibility: &str) -> bool {
        match visibility {
            "public" => true,
            "members" => self.signed_in,
            _ => self.office,
        }
    }

    pub async fn page(&self, app: &TestApp, path: &str) -> (u16, String) {
        let response = self.browser.get(format!("{}{path}", app.address)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn api(&self, app: &TestApp, path: &str) -> (u16, String) {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// The directory's cards, without the filter form (which names every province and kind).
pub fn cards(html: &str) -> &str {
    html.split_once("<div class=\"cards\">").map(|(_, cards)| cards).unwrap_or("")
}

pub async fn setup(app: &TestApp) {
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let organisation = oogst::organisations::OrganisationInput {
        slug: "gemeente-zutphen".into(),
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
}

async fn every_field_for_every_viewer(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    setup(&app).await;
    let subject = token_for(&app, SUBJECT_EMAIL, Role::Lid, Some("gemeente-zutphen")).await;
    let lookers = [
        looker(&app, "anoniem", None).await,
        looker(&app, "lid", Some(Role::Lid)).await,
        looker(&app, "redacteur", Some(Role::Redacteur)).await,
        looker(&app, "bureau", Some(Role::Beheerder)).await,
    ];

    for case in &FIELDS {
        for visibility in ["public", "members", "office"] {
            let mut levels = serde_json::Map::new();
            for other in &FIELDS {
                levels.insert(other.field.into(), json!("office"));
            }
            levels.insert(case.field.into(), json!(visibility));
            let (status, saved) =
                api(&app, Method::PUT, "/api/v1/me/profile", &subject, Some(profile_document(json!(levels), true)))
                    .await;
            assert_eq!(status, 200, "{saved}");
            let slug = saved["slug"].as_str().unwrap().to_string();
            app.wait_for_outbox().await;

            for looker in &lookers {
                let context = format!("{} at {visibility} for {}", case.field, looker.name);
                let allowed = looker.sees(visibility);
                let (status, page) = looker.page(&app, &format!("/leden/{slug}")).await;
                assert_eq!(status, 200, "{context}");
                assert!(page.contains("<h1>Anouk Verhoef</h1>"), "{context}: the name is always shown");
                let (status, list) = looker.page(&app, "/leden").await;
                assert_eq!(status, 200, "{context}");
                let (status, one) = looker.api(&app, &format!("/api/v1/people/{slug}")).await;
                assert_eq!(status, 200, "{context}: {one}");
                let (status, all) = looker.api(&app, "/api/v1/people").await;
                assert_eq!(status, 200, "{context}: {all}");
                let one: Value = serde_json::from_str(&one).unwrap();
                let all: Value = serde_json::from_str(&all).unwrap();
                let listed = all["items"].as_array().unwrap().iter().find(|item| item["slug"] == slug.as_str());
                let listed = listed.unwrap_or_else(|| panic!("{context}: in the API's directory: {all}"));

                for other in &FIELDS {
                    let shown = if other.field == case.field { allowed } else { looker.office };
                    let context = format!("{context}, field {}", other.field);
                    assert_eq!(page.contains(other.on_page), shown, "{context}: profile page");
                    if let Some(on_card) = other.on_card {
                        assert_eq!(cards(&list).contains(on_card), shown, "{context}: directory");
                    }
                    assert_eq!(one.get(other.field).is_some(), shown, "{context}: API {one}");
                    assert_eq!(listed.get(other.field).is_some(), shown, "{context}: API list {listed}");
                }
                for text in [page.as_str(), &one.to_string(), &all.to_string()] {
                    assert_eq!(text.contains(SUBJECT_EMAIL), looker.office, "{context}: the e-mail address");
                }
                assert!(!list.contains(SUBJECT_EMAIL), "{context}: cards never show the address");
            }
        }
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(every_field_for_every_viewer);

async fn unlisted_and_hidden_profiles_look_missing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    setup(&app).await;
    let subject = token_for(&app, SUBJECT_EMAIL, Role::Lid, None).await;
    let all_public = json!({"organisation": "public", "job_title": "public", "region": "public", "expertise": "public",
        "expertise_kind": "public", "bio": "public", "languages": "public", "availability": "public"});
    let (status, saved) =
        api(&app, Method::PUT, "/api/v1/me/profile", &subject, Some(profile_document(all_public.clone(), false))).await;
    assert_eq!(status, 200, "{saved}");
    assert!(saved["listed_changed_at"].is_null(), "not listed by default, no consent recorded: {saved}");
    let slug = saved["slug"].as_str().unwrap().to_string();
    let lookers = [
        looker(&app, "anoniem", None).await,
        looker(&app, "lid", Some(Role::Lid)).await,
        looker(&app, "redacteur", Some(Role::Redacteur)).await,
    ];
    let bureau = looker(&app, "bureau", Some(Role::Beheerder)).await;

    let assert_missing = |state: &'static str| {
        let (slug, lookers, app) = (slug.clone(), &lookers, &app);
        async move {
            for looker in lookers {
                let context = format!("{state} for {}", looker.name);
                let (status, page) = looker.page(app, &format!("/leden/{slug}")).await;
                let (missing_status, missing_page) = looker.page(app, "/leden/bestaat-niet").await;
                assert_eq!((status, missing_status), (404, 404), "{context}");
                assert_eq!(page, missing_page, "{context}: the same page as for a missing profile");
                let (status, one) = looker.api(app, &format!("/api/v1/people/{slug}")).await;
                let (_, missing) = looker.api(app, "/api/v1/people/bestaat-niet").await;
                assert_eq!(status, 404, "{context}");
                assert_eq!(one.replace(&slug, "x"), missing.replace("bestaat-niet", "x"), "{context}");
                assert!(!cards(&looker.page(app, "/leden").await.1).contains("Anouk Verhoef"), "{context}");
                assert!(!looker.api(app, "/api/v1/people").await.1.contains(&slug), "{context}");
            }
        }
    };
    app.wait_for_outbox().await;
    assert_missing("not listed").await;
    let (status, page) = bureau.page(&app, &format!("/leden/{slug}")).await;
    assert_eq!(status, 200, "the office sees every profile");
    assert!(page.contains(SUBJECT_EMAIL) && page.contains("niet in de ledenlijst (eigen keuze)"), "{page}");
    let (_, office_list) = bureau.page(&app, "/beheer/leden").await;
    assert!(office_list.contains("Anouk Verhoef") && office_list.contains("Niet getoond (eigen keuze)"));

    // Opting in shows the profile and records when.
    let (status, saved) =
        api(&app, Method::PUT, "/api/v1/me/profile", &subject, Some(profile_document(all_public.clone(), true))).await;
    assert_eq!(status, 200);
    assert!(saved["listed_changed_at"].is_string(), "consent time stored: {saved}");
    for looker in &lookers {
        assert_eq!(looker.page(&app, &format!("/leden/{slug}")).await.0, 200, "listed, for {}", looker.name);
    }

    // The office hides it: gone for everyone else, whatever the owner chose; then back.
    let hide = |action: &'static str| {
        let (bureau, app, slug) = (&bureau, &app, slug.clone());
        async move {
            let path = format!("/beheer/leden/{slug}");
            let response =
                app.submit_form(&bureau.browser, &path, &format!("{path}/ledenlijst"), &[("action", action)]).await;
            assert_eq!(response.status(), 303, "{action}");
        }
    };
    hide("verbergen").await;
    app.wait_for_outbox().await;
    assert_missing("hidden by the office").await;
    let (_, mine) = api(&app, Method::GET, "/api/v1/me/profile", &subject, None).await;
    assert_eq!((mine["profile"]["listed"].as_bool(), mine["hidden_by_office"].as_bool()), (Some(true), Some(true)));
    hide("tonen").await;
    assert_eq!(lookers[0].page(&app, &format!("/leden/{slug}")).await.0, 200);
    let (_, log) = bureau.page(&app, "/beheer/logboek").await;
    assert!(log.contains("verborgen") && log.contains("weer getoond"), "audit log: {log}");
    app.stop().await;
    env.finish().await;
}
storage_test!(unlisted_and_hidden_profiles_look_missing);

async fn editing_profiles(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    setup(&app).await;

    let visitor = app.browser();
    let response = visitor.get(format!("{}/profiel", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 303, "log in first");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/inloggen"), "{location}");
    let anonymous = app.client.get(format!("{}/api/v1/me/profile", app.address)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let member = logged_in(&app, "marit@example.nl", Role::Lid, Some("gemeente-zutphen")).await;
    let response = member.get(format!("{}/profiel", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let form = response.text().await.unwrap();
    assert!(form.contains("Mijn profiel tonen in de ledenlijst") && form.contains("Wie ziet dit?"));
    assert!(form.contains("Alleen het programmabureau") && form.contains("Leden van het netwerk"));
    assert!(!form.contains("id=\"listed\" name=\"listed\" value=\"ja\" checked"), "not listed until opted in");

    let fields = |bio: &'static str, theme: &'static str| {
        vec![
            ("display_name", "Marit Kooistra"),
            ("job_title", "Intern begeleider"),
            ("province", "Gelderland"),
            ("themes", theme),
            ("bio", bio),
            ("listed", "ja"),
            ("visibility_bio", "public"),
        ]
    };
    let refused = app.submit_form(&member, "/profiel", "/profiel", &fields("Hallo\u{1}", "thuiszitters")).await;
    assert_eq!(refused.status(), 400, "the input guard refuses control characters in a form");
    let refused = app.submit_form(&member, "/profiel", "/profiel", &fields("Hallo", "verzonnen-thema")).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("<title>Fout: ") && page.contains("Onbekend thema &#x27;verzonnen-thema&#x27;"), "{page}");
    assert!(page.contains("value=\"Marit Kooistra\""), "the input is kept");

    let saved =
        app.submit_form(&member, "/profiel", "/profiel", &fields("Ik werk **graag** samen.", "thuiszitters")).await;
    assert_eq!(saved.status(), 303);
    let (_, form) = (0, member.get(format!("{}/profiel", app.address)).send().await.unwrap().text().await.unwrap());
    assert!(form.contains("Het profiel is opgeslagen."), "notice after saving");
    let token = app.token("marit@example.nl", PASSWORD).await;
    let (_, mine) = api(&app, Method::GET, "/api/v1/me/profile", &token, None).await;
    assert_eq!(mine["profile"]["display_name"], "Marit Kooistra");
    assert_eq!(mine["slug"], "marit-kooistra");
    assert_eq!(mine["profile"]["visibility"]["bio"], "public");
    assert_eq!(mine["profile"]["visibility"]["job_title"], "members");
    assert_eq!(mine["organisation"]["name"], "Gemeente Zutphen");
    assert!(mine["profile"]["listed"].as_bool().unwrap() && mine["listed_changed_at"].is_string(), "{mine}");
    let (status, public) = app.get_json("/api/v1/people/marit-kooistra").await;
    assert_eq!(status, 200);
    assert_eq!(public["bio_html"], "<p>Ik werk <strong>graag</strong> samen.</p>\n");
    assert!(public.get("job_title").is_none(), "members only: {public}");

    // The API: a bad theme is named in Dutch, unknown fields and control characters refused.
    let mut document = mine["profile"].clone();
    document["themes"] = json!(["verzonnen-thema"]);
    let (status, body) = api(&app, Method::PUT, "/api/v1/me/profile", &token, Some(document.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["themes"][0].as_str().unwrap().contains("Onbekend thema 'verzonnen-thema'"), "{body}");
    document["themes"] = json!([]);
    document["bio"] = json!("stuur\u{0}teken");
    let (status, body) = api(&app, Method::PUT, "/api/v1/me/profile", &token, Some(document.clone())).await;
    assert!(status == 400 || status == 422, "{status} {body}");
    document["bio"] = json!("");
    document["email"] = json!("ander@example.nl");
    let (status, body) = api(&app, Method::PUT, "/api/v1/me/profile", &token, Some(document)).await;
    assert_eq!(status, 400, "the address is not part of the profile: {body}");

    // The programme office edits any profile; the change is in the audit log.
    let bureau = logged_in(&app, "bureau@example.nl", Role::Beheerder, None).await;
    assert_eq!(member.get(format!("{}/beheer/leden", app.address)).send().await.unwrap().status(), 403);
    let edit = "/beheer/leden/marit-kooistra";
    let saved = app
        .submit_form(&bureau, edit, edit, &[("display_name", "Marit Kooistra"), ("job_title", "Orthopedagoog")])
        .await;
    assert_eq!(saved.status(), 303);
    let (_, mine) = api(&app, Method::GET, "/api/v1/me/profile", &token, None).await;
    assert_eq!(mine["profile"]["job_title"], "Orthopedagoog");
    assert_eq!(mine["profile"]["listed"], false, "the form left the box unticked");
    let log = bureau.get(format!("{}/beheer/logboek", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("Profiel van Marit Kooistra"), "{log}");
    app.stop().await;
    env.finish().await;
}
storage_test!(editing_profiles);

/// `/profiel/gegevens`: a signed-in person downloads what is stored about them, and only that.
async fn personal_data_download(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    setup(&app).await;

    let visitor = app.browser();
    let response = visitor.get(format!("{}/profiel/gegevens", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 303, "log in first");

    let other = logged_in(&app, "joris@example.nl", Role::Lid, Some("gemeente-zutphen")).await;
    assert_eq!(other.get(format!("{}/profiel", app.address)).send().await.unwrap().status(), 200);
    let member = logged_in(&app, "marit@example.nl", Role::Lid, Some("gemeente-zutphen")).await;
    let form = member.get(format!("{}/profiel", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("href=\"/profiel/gegevens\""), "the profile page links the download");

    let response = member.get(format!("{}/profiel/gegevens", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment") && disposition.contains(".json"), "{disposition}");
    let text = response.text().await.unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["email"], "marit@example.nl");
    assert_eq!(data["profile"]["email"], "marit@example.nl");
    assert!(data["registrations"].is_array() && data["audit_entries"].is_array(), "{data}");
    assert!(!text.contains("joris@example.nl"), "nobody else's data: {text}");

    app.stop().await;
    env.finish().await;
}
storage_test!(personal_data_download);

/// Accounts created while other processes start (each start gives accounts without a profile
/// theirs): no start fails on a profile made meanwhile, and every account has one profile.
async fn starting_next_to_new_accounts(backend: Backend) {
    const ACCOUNTS: usize = 12;
    let env = TestEnv::new(backend).await;
    let config = env.config();
    let db = oogst::startup::connect(&config).await.unwrap();
    let creating = join_all((0..ACCOUNTS).map(|number| {
        let db = &db;
        async move {
            let new = oogst::accounts::NewUser {
                email: format!("lid{number}@oogst.test"),
                name: format!("Lid {number}"),
                role: Role::Lid,
                organisation_id: None,
                job_title: String::new(),
            };
            oogst::accounts::create_with_link(db, &new).await.map(|_| ()).map_err(|error| error.to_string())
        }
    }));
    let starting = join_all(
        (0..ACCOUNTS)
            .map(|_| async { oogst::startup::connect(&config).await.map(|_| ()).map_err(|error| error.to_string()) }),
    );
    let (created, started) = tokio::join!(creating, starting);
    assert!(created.iter().chain(&started).all(Result::is_ok), "{created:?} {started:?}");
    let accounts = entity::user::Entity::find().count(&db).await.unwrap();
    let profiles = entity::profile::Entity::find().count(&db).await.unwrap();
    assert_eq!((accounts, profiles), (ACCOUNTS as u64, ACCOUNTS as u64));
    env.finish().await;
}
storage_test!(starting_next_to_new_accounts);
