//! Imported members get an invitation only when the programme office sends one, one by one
//! or to everyone imported who had none yet; accepting it opens the profile to members, and
//! the directory shows it once its owner opts in.

use reqwest::Method;
use serde_json::{json, Value};

use crate::account_deletion::{app_with_mail, person};
use crate::common::{api, Backend, TestApp, TestEnv, PASSWORD};
use crate::storage_test;
use oogst::actor::Role;

const SANNE: &str = "sanne.bakker@example.nl";
const ILSE: &str = "ilse@example.nl";

async fn import_members(app: &TestApp, office: &reqwest::Client) {
    let csv = "naam;e-mail;organisatie;functie;provincie;expertise;soort;bio;beschikbaar\n\
               Sanne Bakker;sanne.bakker@example.nl;;Leerplichtambtenaar;Gelderland;;praktijk;;nee\n\
               Ilse de Boer;ilse@example.nl;;Beleidsmedewerker;;;beleid;;nee\n";
    let form = office.get(format!("{}/beheer/leden/importeren", app.address)).send().await.unwrap();
    let form = form.text().await.unwrap();
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", crate::common::hidden_field(&form, "csrf"))
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("leden.csv"));
    let response =
        office.post(format!("{}/beheer/leden/importeren", app.address)).multipart(multipart).send().await.unwrap();
    let page = response.text().await.unwrap();
    assert!(page.contains("2 leden aangemaakt"), "{page}");
}

async fn imported_members_are_invited_when_the_office_asks(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp) = app_with_mail(&env).await;
    let (office, _) = person(&app, "bureau@oogst.test", "Bram Bureau", Role::Beheerder, None).await;
    let (lid, _) = person(&app, "lid@oogst.test", "Lotte Lid", Role::Lid, None).await;
    import_members(&app, &office).await;

    // One at a time, from the member's page at the office.
    let page = office.get(format!("{}/beheer/leden/sanne-bakker", app.address)).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Uitnodiging sturen"));
    let action = "/beheer/leden/sanne-bakker/uitnodiging";
    let sent = app.submit_form(&office, "/beheer/leden/sanne-bakker", action, &[]).await;
    assert_eq!(sent.status(), 303);
    let mail = smtp.wait_for(SANNE, 1).await.remove(0);
    assert_eq!(mail.header("Subject"), "Uitnodiging voor Oogst");
    let link = mail.link("/wachtwoord-instellen");

    // Then everyone imported who had none: Ilse, not Sanne again, not the office itself.
    let all = app.submit_form(&office, "/beheer/leden", "/beheer/leden/uitnodigen", &[]).await;
    assert_eq!(all.status(), 303);
    smtp.wait_for(ILSE, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 2, "one invitation each");

    // Before accepting, only the office sees anything of Sanne.
    assert_eq!(lid.get(format!("{}/leden/sanne-bakker", app.address)).send().await.unwrap().status(), 404);

    // Sanne sets her password through the link.
    let path =
        link.split_once("/wachtwoord-instellen").map(|(_, rest)| format!("/wachtwoord-instellen{rest}")).unwrap();
    let token = path.rsplit('=').next().unwrap().to_string();
    let sanne = app.browser();
    let set = app
        .submit_form(
            &sanne,
            &path,
            "/wachtwoord-instellen",
            &[("token", &token), ("password", PASSWORD), ("password_again", PASSWORD)],
        )
        .await;
    assert_eq!(set.status(), 303);
    let sanne_token = app.token(SANNE, PASSWORD).await;
    let (_, own) = api(&app, Method::GET, "/api/v1/me/profile", &sanne_token, None).await;
    let visibility = own["profile"]["visibility"].as_object().unwrap();
    assert!(visibility.values().all(|level| level == "members"), "{own}");
    assert_eq!(own["profile"]["listed"], false, "the directory waits for her own choice");
    assert_eq!(lid.get(format!("{}/leden/sanne-bakker", app.address)).send().await.unwrap().status(), 404);

    // She opts in to the directory: now members see her fields, visitors only her name.
    let mut profile: Value = own["profile"].clone();
    profile["listed"] = json!(true);
    assert_eq!(api(&app, Method::PUT, "/api/v1/me/profile", &sanne_token, Some(profile)).await.0, 200);
    let shown = lid.get(format!("{}/leden/sanne-bakker", app.address)).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.unwrap().contains("Leerplichtambtenaar"));
    let public = app.get("/leden/sanne-bakker").await.text().await.unwrap();
    assert!(public.contains("Sanne Bakker") && !public.contains("Leerplichtambtenaar"), "{public}");

    // Ilse has not accepted: her profile is still the office's alone.
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let ilse = oogst::accounts::find_by_email(&db, ILSE).await.unwrap().unwrap();
    let view = office.get(format!("{}/beheer/leden/ilse-de-boer", app.address)).send().await.unwrap();
    assert!(view.text().await.unwrap().contains("Uitnodiging sturen"));
    assert!(ilse.password_hash.is_none());
    assert_eq!(
        api(&app, Method::GET, "/api/v1/people/ilse-de-boer", &app.token("lid@oogst.test", PASSWORD).await, None)
            .await
            .0,
        404
    );
    // Someone with a password is not invited again.
    let again = app.submit_form(&office, "/beheer/leden/sanne-bakker", action, &[]).await;
    assert_eq!(again.status(), 422);

    app.stop().await;
    env.finish().await;
}
storage_test!(imported_members_are_invited_when_the_office_asks);
