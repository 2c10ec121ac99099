//! Forms after a failed submit follow the NL Design System conventions: "Fout: " in the
//! title, a summary at the top linking each message to its field, the field marked invalid
//! and described by its message; optional fields say "(niet verplicht)".

use serde_json::json;

use crate::common::{hidden_field, token_for, Backend, TestEnv};
use crate::editing::logged_in;
use crate::storage_test;
use oogst::actor::Role;

/// Checks a form shown again: status 422, a title starting with "Fout: ", and a summary
/// whose every link points at a field of the page that is marked invalid; returns the
/// linked field ids.
async fn assert_shown_again(response: reqwest::Response) -> (Vec<String>, String) {
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Fout: "), "title: {html}");
    let start = html.find("class=\"alert error-summary\"").unwrap_or_else(|| panic!("no error summary: {html}"));
    let summary = &html[start..start + html[start..].find("</div>").unwrap()];
    let fields: Vec<String> =
        summary.split("href=\"#").skip(1).map(|rest| rest.split('"').next().unwrap().to_string()).collect();
    assert!(!fields.is_empty(), "the summary links its messages: {summary}");
    for field in &fields {
        assert!(html.contains(&format!("id=\"{field}\"")), "#{field} is on the page");
    }
    (fields, html)
}

fn field_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap();
    let open = html[..start].rfind('<').unwrap();
    &html[open..start + html[start..].find('>').unwrap()]
}

async fn registration_form_shown_again(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let response = app
        .client
        .post(format!("{}/api/v1/events", app.address))
        .bearer_auth(&bureau)
        .json(&json!({
            "title": "Werksessie thuiszitters", "kind": "werksessie", "starts_at": "2027-05-11T09:30",
            "ends_at": "2027-05-11T16:00", "location": "De Hanzehof", "capacity": 10,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let slug = response.json::<serde_json::Value>().await.unwrap()["slug"].as_str().unwrap().to_string();
    let visitor = app.browser();
    let path = format!("/agenda/{slug}");
    let page = visitor.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    for optional in ["Organisatie (niet verplicht)", "Functie (niet verplicht)", "Opmerkingen (niet verplicht)"] {
        assert!(page.contains(optional), "{optional}");
    }
    assert!(!page.contains("Naam (niet verplicht)"), "required fields are not marked");
    assert!(!page.contains("<title>Fout: "), "a first visit is no failure");

    let csrf = hidden_field(&page, "csrf");
    let failed = visitor
        .post(format!("{}{path}/aanmelden", app.address))
        .form(&[("csrf", csrf.as_str()), ("name", ""), ("email", "geen-adres")])
        .send()
        .await
        .unwrap();
    let (fields, html) = assert_shown_again(failed).await;
    assert!(fields.contains(&"name".to_string()) && fields.contains(&"email".to_string()), "{fields:?}");
    let email = field_tag(&html, "email");
    assert!(email.contains("aria-invalid=\"true\"") && email.contains("aria-describedby=\"email-error\""), "{email}");
    assert!(html.contains("id=\"email-error\""));

    let login = app
        .submit_form(&visitor, "/inloggen", "/inloggen", &[("email", "niemand@example.nl"), ("password", "fout")])
        .await;
    assert_eq!(login.status(), 422);
    let login = login.text().await.unwrap();
    assert!(login.contains("<title>Fout: Inloggen"), "a refused login says so in the title");
    assert!(login.contains("class=\"alert error-summary\"") && login.contains("horen niet bij een actief account"));

    app.stop().await;
    env.finish().await;
}
storage_test!(registration_form_shown_again);

async fn editing_forms_shown_again(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let bureau = logged_in(&app, "bureau@oogst.test", Role::Beheerder, None).await;

    let form = bureau.get(format!("{}/praktijken/nieuw", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Samenvatting (niet verplicht)") && !form.contains("Titel (niet verplicht)"));
    let practice = app
        .submit_form(
            &bureau,
            "/praktijken/nieuw",
            "/praktijken/nieuw",
            &[("title", ""), ("organisation", "gemeente-gorinchem"), ("action", "concept")],
        )
        .await;
    let (fields, html) = assert_shown_again(practice).await;
    assert!(fields.contains(&"title".to_string()), "{fields:?}");
    assert!(field_tag(&html, "title").contains("aria-invalid=\"true\""));

    let event = app
        .submit_form(
            &bureau,
            "/agenda/nieuw",
            "/agenda/nieuw",
            &[("title", ""), ("kind", "werksessie"), ("capacity", "0")],
        )
        .await;
    let (fields, html) = assert_shown_again(event).await;
    assert!(fields.contains(&"title".to_string()) && fields.contains(&"capacity".to_string()), "{fields:?}");
    assert!(field_tag(&html, "capacity").contains("aria-invalid=\"true\""));
    assert!(!html.contains("<h1>Fout:"), "only the title says Fout, the heading keeps its text");

    app.stop().await;
    env.finish().await;
}
storage_test!(editing_forms_shown_again);
