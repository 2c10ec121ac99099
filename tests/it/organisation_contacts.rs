//! An organisation's page and API show its "vast contactpersoon" in the network and its own
//! contact persons, each only as far as their profile lets the viewer see them, and never an
//! e-mail address.

use reqwest::Method;
use serde_json::{json, Value};

use crate::account_deletion::person;
use crate::common::{api, Backend, TestApp, TestEnv};
use crate::storage_test;
use oogst::actor::Role;

const PATH: &str = "/organisaties/gemeente-zutphen";
const API_PATH: &str = "/api/v1/organisations/gemeente-zutphen";

/// Gives the signed-in person a profile: in the directory or not, the job title for `job_title_for`.
async fn profile(app: &TestApp, token: &str, name: &str, job_title: &str, job_title_for: &str, listed: bool) {
    let document = json!({
        "display_name": name, "job_title": job_title, "listed": listed,
        "visibility": {"job_title": job_title_for},
    });
    assert_eq!(api(app, Method::PUT, "/api/v1/me/profile", token, Some(document)).await.0, 200);
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|person| person["display_name"].as_str().unwrap()).collect()
}

async fn contacts_are_shown_as_far_as_each_profile_allows(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    crate::profiles::setup(&app).await;
    let (office, bram) = person(&app, "bureau@oogst.test", "Bram Bureau", Role::Beheerder, None).await;
    profile(&app, &bram, "Bram Bureau", "Programmaleider", "members", true).await;
    let (_, anna) = person(&app, "anna@zutphen.test", "Anna Openbaar", Role::Redacteur, Some("gemeente-zutphen")).await;
    profile(&app, &anna, "Anna Openbaar", "Kwartiermaker", "public", true).await;
    let (_, bert) =
        person(&app, "bert@zutphen.test", "Bert Verborgen", Role::Redacteur, Some("gemeente-zutphen")).await;
    profile(&app, &bert, "Bert Verborgen", "Adviseur", "public", false).await;
    let (lid, lid_token) = person(&app, "lid@oogst.test", "Lotte Lid", Role::Lid, None).await;

    // The office chooses its "vast contactpersoon" among the beheerders only.
    let (_, people) = api(&app, Method::GET, "/api/v1/users", &bram, None).await;
    let id_of = |email: &str| {
        people.as_array().unwrap().iter().find(|person| person["email"] == email).unwrap()["id"].to_string()
    };
    let edit = "/beheer/organisaties/gemeente-zutphen";
    let form = |contact: String| {
        vec![
            ("name", "Gemeente Zutphen".to_string()),
            ("slug", "gemeente-zutphen".to_string()),
            ("kind", "gemeente".to_string()),
            ("province", "Gelderland".to_string()),
            ("network_role", "aandeelhouder".to_string()),
            ("network_contact", contact),
        ]
    };
    let fields = form(id_of("anna@zutphen.test"));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let refused = app.submit_form(&office, edit, edit, &fields).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Kies een beheerder als vast contactpersoon"));
    let fields = form(id_of("bureau@oogst.test"));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(key, value)| (*key, value.as_str())).collect();
    assert_eq!(app.submit_form(&office, edit, edit, &fields).await.status(), 303);
    let again = office.get(format!("{}{edit}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(again.contains(&format!("value=\"{}\" selected>Bram Bureau", id_of("bureau@oogst.test"))), "{again}");

    // Visitors: both listed people by name, only what is public of them.
    let page = app.get(PATH).await.text().await.unwrap();
    assert!(page.contains("Vast contactpersoon in het netwerk") && page.contains("Contactpersonen"), "{page}");
    assert!(page.contains("href=\"/leden/bram-bureau\"") && !page.contains("Programmaleider"), "{page}");
    assert!(page.contains("href=\"/leden/anna-openbaar\"") && page.contains("Kwartiermaker"), "{page}");
    assert!(!page.contains("Bert Verborgen"), "{page}");
    let (status, body) = app.get_json(API_PATH).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Gemeente Zutphen");
    assert_eq!(body["network_contact"]["display_name"], "Bram Bureau");
    assert!(body["network_contact"].get("job_title").is_none(), "{body}");
    assert_eq!(names(&body["contacts"]), ["Anna Openbaar"]);
    assert_eq!(body["contacts"][0]["job_title"], "Kwartiermaker");

    // Members: also what members may see; still not the unlisted profile.
    let page = lid.get(format!("{}{PATH}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Programmaleider") && page.contains("Kwartiermaker") && !page.contains("Bert Verborgen"));
    let (_, body) = api(&app, Method::GET, API_PATH, &lid_token, None).await;
    assert_eq!(body["network_contact"]["job_title"], "Programmaleider");
    assert_eq!(names(&body["contacts"]), ["Anna Openbaar"]);

    // The office: everyone, the unlisted one too.
    let page = office.get(format!("{}{PATH}", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Bert Verborgen") && page.contains("Adviseur"), "{page}");
    let (_, body) = api(&app, Method::GET, API_PATH, &bram, None).await;
    assert_eq!(names(&body["contacts"]), ["Anna Openbaar", "Bert Verborgen"]);

    // Never an e-mail address, for anyone.
    for (page, body) in [
        (app.get(PATH).await.text().await.unwrap(), app.get_json(API_PATH).await.1),
        (
            office.get(format!("{}{PATH}", app.address)).send().await.unwrap().text().await.unwrap(),
            api(&app, Method::GET, API_PATH, &bram, None).await.1,
        ),
    ] {
        for address in ["anna@zutphen.test", "bert@zutphen.test"] {
            assert!(!page.contains(address) && !body.to_string().contains(address), "{address} shown");
        }
        assert!(!body.to_string().contains("bureau@oogst.test"), "{body}");
    }
    assert_eq!(app.get_json("/api/v1/organisations/bestaat-niet").await.0, 404);

    app.stop().await;
    env.finish().await;
}
storage_test!(contacts_are_shown_as_far_as_each_profile_allows);
