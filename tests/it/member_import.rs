//! The programme office imports its member list through `/beheer/leden/importeren`: new
//! people get an account and a profile only the office sees, a second import updates by
//! e-mail address, a bad row is reported by its line number and the rest is imported.

use crate::common::{Backend, TestApp, TestEnv};
use crate::editing::logged_in;
use crate::storage_test;
use oogst::actor::Role;

const HEADER: &str = "naam;e-mail;organisatie;functie;provincie;expertise;soort;bio;beschikbaar";

async fn upload(app: &TestApp, browser: &reqwest::Client, csv: String) -> (u16, String) {
    let form = browser.get(format!("{}/beheer/leden/importeren", app.address)).send().await.unwrap();
    let form = form.text().await.unwrap();
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", crate::common::hidden_field(&form, "csrf"))
        .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("leden.csv"));
    let response =
        browser.post(format!("{}/beheer/leden/importeren", app.address)).multipart(multipart).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn importing_the_member_list(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let bureau = logged_in(&app, "bureau@example.nl", Role::Beheerder, None).await;
    let list = bureau.get(format!("{}/beheer/leden", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("href=\"/beheer/leden/importeren\""), "{list}");

    let first = format!(
        "\u{feff}{HEADER}\r\n\
         Sanne Bakker;Sanne.Bakker@Example.nl;Onbekende Stichting;Leerplichtambtenaar;Gelderland;OZA, thuiszitters;praktijk;\"Werkt in Zutphen; en Lochem\";ja\r\n\
         Fout Adres;geen-adres;;;;;;;\r\n\
         Joost Smit;joost.smit@example.nl;;;Atlantis;;;;\r\n\
         Ilse de Boer;ilse@example.nl;;Beleidsmedewerker;;;beleid;;nee\r\n"
    );
    let (status, page) = upload(&app, &bureau, first).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 leden aangemaakt, 0 bijgewerkt, 2 regels niet geïmporteerd"), "{page}");
    assert!(page.contains("Regel 3: Ongeldig e-mailadres"), "{page}");
    assert!(page.contains("Regel 4: Onbekende provincie"), "{page}");
    assert!(page.contains("Regel 2: Onbekende organisatie"), "{page}");

    let office = bureau.get(format!("{}/beheer/leden", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(office.contains("Sanne Bakker") && office.contains("sanne.bakker@example.nl"), "{office}");
    assert!(!office.contains("Joost Smit"), "{office}");
    for path in ["/leden", "/leden/sanne-bakker", "/api/v1/people", "/api/v1/people/sanne-bakker"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(!body.contains("Sanne"), "{path} shows an imported profile to a visitor: {body}");
    }
    let profile = bureau.get(format!("{}/beheer/leden/sanne-bakker", app.address)).send().await.unwrap();
    let profile = profile.text().await.unwrap();
    assert!(profile.contains("Leerplichtambtenaar") && profile.contains("OZA"), "{profile}");

    let second =
        format!("{HEADER}\nSanne Bakker;sanne.bakker@example.nl;;Teamleider leerplicht;Gelderland;;praktijk;;nee\n");
    let (status, page) = upload(&app, &bureau, second).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("0 leden aangemaakt, 1 bijgewerkt, 0 regels"), "{page}");
    let profile = bureau.get(format!("{}/beheer/leden/sanne-bakker", app.address)).send().await.unwrap();
    assert!(profile.text().await.unwrap().contains("Teamleider leerplicht"));

    let (status, page) = upload(&app, &bureau, "naam;e-mail\nA;a@example.nl\n".into()).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("ontbreken in de eerste regel"), "{page}");

    let member = logged_in(&app, "lid@example.nl", Role::Lid, None).await;
    let refused = member.get(format!("{}/beheer/leden/importeren", app.address)).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let multipart = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(HEADER.as_bytes().to_vec()).file_name("leden.csv"));
    let refused =
        member.post(format!("{}/beheer/leden/importeren", app.address)).multipart(multipart).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    app.stop().await;
    env.finish().await;
}
storage_test!(importing_the_member_list);
