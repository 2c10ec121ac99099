//! Introducing experts to a question, as the office, the experts and the asker meet it with a
//! real SMTP server: the whole path from asking to "Heeft dit geholpen?", an expert who
//! declines, requests that expire, links that work once, and bad input.

use crate::common::{api, hidden_field, token_for, Backend, TestApp, TestEnv};
use crate::questions::{ask_anonymously, asker, confirm, page, signed_in};
use crate::smtp::{ReceivedMail, TestSmtp};
use crate::storage_test;
use entity::{profile, question_introduction, user};
use oogst::actor::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

const QUESTION: &str = "Hoe krijgen we thuiszitters weer naar school, samen met het samenwerkingsverband?";

/// The demo content (its experts) with mail to a real SMTP server; follow-ups are due at once.
async fn demo_app(env: &TestEnv) -> (TestApp, TestSmtp, DatabaseConnection) {
    let smtp = TestSmtp::start();
    let config =
        oogst::config::Config { smtp_url: smtp.url(), mail_retry_seconds: 1, followup_days: 0, ..env.config() };
    let app = env.spawn_with(config, true).await;
    let db = oogst::startup::connect(&app.config).await.unwrap();
    (app, smtp, db)
}

/// A confirmed question from an anonymous asker, and the experts Oogst suggests for it.
async fn confirmed_question(app: &TestApp, smtp: &TestSmtp, bureau: &str) -> (i64, Vec<String>) {
    let (status, body) = ask_anonymously(app, asker("anouk@vrager.test", QUESTION)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let mail = &smtp.wait_for("anouk@vrager.test", 1).await[0];
    let confirmed = confirm(app, &local(&mail.link("/vraag-stellen/bevestigen/"))).await;
    assert_eq!(confirmed.status(), 303);
    let path = format!("/api/v1/questions/{id}/suggestions");
    let (status, suggestions) = api(app, reqwest::Method::GET, &path, bureau, None).await;
    assert_eq!(status, 200, "{suggestions}");
    let experts = suggestions["experts"].as_array().unwrap();
    assert!(experts.len() >= 3, "{suggestions}");
    (id, experts.iter().map(|expert| expert["slug"].as_str().unwrap().to_string()).collect())
}

/// The path and query of a link in a mail.
fn local(link: &str) -> String {
    let start = link.find("://").map_or(0, |scheme| link[scheme + 3..].find('/').map_or(0, |path| scheme + 3 + path));
    link[start..].to_string()
}

async fn email_of(db: &DatabaseConnection, slug: &str) -> String {
    let (_, account) = profile::Entity::find()
        .filter(profile::Column::Slug.eq(slug))
        .find_also_related(user::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    account.unwrap().email
}

/// The office asks experts from the question's page; the answer to that post.
async fn ask_experts(
    app: &TestApp,
    office: &reqwest::Client,
    id: i64,
    slugs: &[&str],
    note: &str,
) -> reqwest::Response {
    let (status, mut html) = page(app, office, &format!("/beheer/vragen/{id}")).await;
    if status == 404 {
        // Not the office: a form token from a page anyone sees.
        html = page(app, office, "/vraag-stellen").await.1;
    }
    let csrf = hidden_field(&html, "csrf");
    let mut form = vec![("csrf", csrf.as_str()), ("note", note)];
    form.extend(slugs.iter().map(|slug| ("experts", *slug)));
    office.post(format!("{}/beheer/vragen/{id}/experts", app.address)).form(&form).send().await.unwrap()
}

/// The request mail an expert received for the question.
async fn request_mail(smtp: &TestSmtp, email: &str) -> ReceivedMail {
    let mails = smtp.wait_for(email, 1).await;
    mails.into_iter().find(|mail| mail.header("Subject").contains("Wilt u helpen")).unwrap()
}

/// A link from a mail opened in a browser, whose buttons can then be pressed (more than once).
struct Opened {
    browser: reqwest::Client,
    csrf: String,
    action: String,
}

impl Opened {
    async fn new(app: &TestApp, path: &str) -> Opened {
        let browser = app.browser();
        let (status, html) = page(app, &browser, path).await;
        assert_eq!(status, 200, "{path}: {html}");
        let action = format!("{}{}", app.address, path.split('?').next().unwrap());
        Opened { browser, csrf: hidden_field(&html, "csrf"), action }
    }

    async fn press(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.browser.post(&self.action).form(&form).send().await.unwrap()
    }
}

/// Answers a request as an expert's browser does: the page behind the link, then a button.
async fn answer(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    Opened::new(app, path).await.press(fields).await
}

async fn audit_actions(db: &DatabaseConnection) -> Vec<String> {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::EntityKind.eq("vraag"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

async fn a_question_goes_from_asking_to_introduction_and_followup(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp, db) = demo_app(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let (id, experts) = confirmed_question(&app, &smtp, &bureau).await;
    let office = signed_in(&app, "bureau@oogst.test").await;

    // The office asks the two best experts, with a note.
    let asked = ask_experts(&app, &office, id, &[&experts[0], &experts[1]], "Zou u Anouk willen bellen?").await;
    assert_eq!(asked.status(), 303);
    let (helper, decliner) = (email_of(&db, &experts[0]).await, email_of(&db, &experts[1]).await);
    let request = request_mail(&smtp, &helper).await;
    let text = request.part("text/plain");
    assert!(text.contains("thuiszitters") && text.contains("Zou u Anouk willen bellen?"), "{text}");
    assert!(!text.contains("anouk@vrager.test") && !text.contains("Anouk de Vries"), "no asker's contact: {text}");
    let (_, detail) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &bureau, None).await;
    assert_eq!(detail["status"], "in_behandeling", "asking experts takes the question up");

    // The first accepts from the link: the page first (not cached), then its button.
    let accept = local(&request.link("antwoord=ja"));
    let opened = app.browser().get(format!("{}{accept}", app.address)).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let html = opened.text().await.unwrap();
    assert!(html.contains("Ja, ik help graag") && !html.contains("anouk@vrager.test"), "{html}");
    let link = Opened::new(&app, &accept).await;
    assert_eq!(link.press(&[("antwoord", "ja")]).await.status(), 303);
    let (_, shown) = page(&app, &app.browser(), accept.split('?').next().unwrap()).await;
    assert!(shown.contains("Geaccepteerd"), "{shown}");
    // Both get an introduction with the other's address.
    let to_asker = smtp.wait_for("anouk@vrager.test", 3).await;
    let introduction = to_asker.iter().find(|mail| mail.header("Subject").contains("Kennismaking")).unwrap();
    assert!(introduction.part("text/plain").contains(&helper), "{}", introduction.part("text/plain"));
    let to_expert = smtp.wait_for(&helper, 2).await;
    let introduction = to_expert.iter().find(|mail| mail.header("Subject").contains("Kennismaking")).unwrap();
    assert!(introduction.part("text/plain").contains("anouk@vrager.test"));
    // The link has done its work.
    assert_eq!(link.press(&[("antwoord", "nee")]).await.status(), 410);

    // The second declines with a reason: the office (who asked, so handles it) is told and
    // finds the next suggestion ticked.
    let decline = local(&request_mail(&smtp, &decliner).await.link("antwoord=nee"));
    let declined = answer(&app, &decline, &[("antwoord", "nee"), ("reason", "Ik ben met verlof tot maart.")]).await;
    assert_eq!(declined.status(), 303);
    let told = smtp.wait_for("bureau@oogst.test", 1).await;
    let told = told.iter().find(|mail| mail.header("Subject").contains("volgende expert")).unwrap();
    assert!(told.part("text/plain").contains("Ik ben met verlof tot maart."));
    let next = local(&told.link("volgende=ja"));
    let (_, html) = page(&app, &office, &next).await;
    assert!(html.contains("Afgewezen") && html.contains("Geaccepteerd"), "{html}");
    let ticked = format!("value=\"{}\" checked", experts[2]);
    assert!(html.contains(&ticked), "the next suggestion is one click away: {html}");
    let (_, detail) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &bureau, None).await;
    assert_eq!(detail["status"], "gekoppeld");

    // Follow-up: two clicks, the score in the mail and the button on the page.
    let settings = oogst::mail::MailSettings::from_config(&app.config, &secret_of(&app.config)).unwrap();
    oogst::questions::followup::send_due(&db, &settings).await.unwrap();
    let mails = smtp.wait_for("anouk@vrager.test", 4).await;
    let followup = mails.iter().find(|mail| mail.header("Subject").contains("Heeft dit geholpen")).unwrap();
    let four = local(&followup.link("cijfer=4"));
    let (_, html) = page(&app, &app.browser(), &four).await;
    assert!(html.contains("value=\"4\" checked"), "{html}");
    let link = Opened::new(&app, &four).await;
    assert_eq!(link.press(&[("score", "4"), ("remark", "Fijn gesprek!")]).await.status(), 303);
    assert_eq!(link.press(&[("score", "1")]).await.status(), 410, "a follow-up is answered once");
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{id}")).await;
    assert!(html.contains("<strong>4</strong> van 5") && html.contains("Fijn gesprek!"), "{html}");

    // The figures count it: matched, the score, the experts asked.
    let (status, html) = page(&app, &office, "/beheer/vragen/cijfers").await;
    assert_eq!(status, 200);
    assert!(html.contains("<dd>100%</dd>") && html.contains("gemiddeld 4,0 uit 1 antwoorden"), "{html}");
    assert!(html.contains(&format!("/leden/{}", experts[0])) && html.contains(&format!("/leden/{}", experts[1])));
    let member = signed_in(&app, "lid@oogst.test").await;
    assert_eq!(page(&app, &member, "/beheer/vragen/cijfers").await.0, 404);

    archive_and_find_again(&app, &office, &bureau, id, &experts[0]).await;

    let actions = audit_actions(&db).await;
    let steps =
        ["expert gevraagd", "expert accepteerde", "expert wees af", "vervolgvraag gemaild", "vrager gaf cijfer"];
    for action in steps.into_iter().chain(["gepubliceerd"]) {
        assert!(actions.iter().any(|done| done == action), "{action} in {actions:?}");
    }
    env.finish().await;
}
storage_test!(a_question_goes_from_asking_to_introduction_and_followup);

/// Posts the archive form of question `id` on its page.
async fn archive_form(app: &TestApp, office: &reqwest::Client, id: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, html) = page(app, office, &format!("/beheer/vragen/{id}")).await;
    let csrf = hidden_field(&html, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    office.post(format!("{}/beheer/vragen/{id}/archief", app.address)).form(&form).send().await.unwrap()
}

/// The office publishes the helped question, anonymised: it gets a public page with the
/// expert who helped, the search finds it as an earlier question, and a new question like
/// it gets it suggested. Withdrawn, it is gone from all three.
async fn archive_and_find_again(app: &TestApp, office: &reqwest::Client, bureau: &str, id: i64, expert: &str) {
    let title = "Thuiszitters terug naar school met het samenwerkingsverband";
    let text = "Een leerling van veertien zit al een half jaar thuis. Hoe krijgen we hem terug naar school?";
    let answer = "Een expert uit het netwerk bracht school, leerplicht en jeugdhulp samen aan tafel.";
    let short = archive_form(app, office, id, &[("actie", "publiceren"), ("title", "Kort"), ("text", text)]).await;
    assert_eq!(short.status(), 422);
    let html = short.text().await.unwrap();
    assert!(html.contains("Schrijf de titel in minstens 5 tekens.") && html.contains("id=\"answer-error\""), "{html}");
    assert_eq!(page(app, &app.browser(), &format!("/vragen/{id}")).await.0, 404, "not published yet");

    let fields = [("actie", "publiceren"), ("title", title), ("text", text), ("answer", answer)];
    assert_eq!(archive_form(app, office, id, &fields).await.status(), 303);
    let (status, public) = page(app, &app.browser(), &format!("/vragen/{id}")).await;
    assert_eq!(status, 200);
    assert!(public.contains(answer) && public.contains(&format!("/leden/{expert}")), "{public}");
    assert!(!public.contains("Anouk") && !public.contains("anouk@vrager.test"), "anonymised: {public}");
    let (_, list) = page(app, &app.browser(), "/vragen").await;
    assert!(list.contains(title), "{list}");
    let found = |slugs: &[String]| slugs == [id.to_string()];
    app.wait_for_search("q=leerplicht+tafel&kind=question", std::time::Duration::from_secs(10), found).await;

    let similar = "Een leerling zit thuis; hoe krijgen we thuiszitters terug naar school?";
    let (_, body) =
        api(app, reqwest::Method::POST, "/api/v1/questions", bureau, Some(asker("piet@vrager.test", similar))).await;
    let path = format!("/api/v1/questions/{}/suggestions", body["id"]);
    let (_, suggestions) = api(app, reqwest::Method::GET, &path, bureau, None).await;
    assert_eq!(suggestions["questions"][0]["id"], id, "{suggestions}");
    let path = format!("/api/v1/questions/{id}/suggestions");
    let (_, own) = api(app, reqwest::Method::GET, &path, bureau, None).await;
    assert!(own["questions"].as_array().unwrap().iter().all(|question| question["id"] != id), "not itself");

    assert_eq!(archive_form(app, office, id, &[("actie", "intrekken")]).await.status(), 303);
    assert_eq!(page(app, &app.browser(), &format!("/vragen/{id}")).await.0, 404);
    app.wait_for_search("q=leerplicht+tafel&kind=question", std::time::Duration::from_secs(10), |slugs| {
        slugs.is_empty()
    })
    .await;
}

fn secret_of(config: &oogst::config::Config) -> Vec<u8> {
    oogst::accounts::secret::load_or_create(config).unwrap()
}

async fn requests_expire_and_bad_input_is_refused(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp, db) = demo_app(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    token_for(&app, "lid@oogst.test", Role::Lid, None).await;
    let (id, experts) = confirmed_question(&app, &smtp, &bureau).await;
    let office = signed_in(&app, "bureau@oogst.test").await;

    // Bad choices are explained on the page, and nothing is sent.
    let none = ask_experts(&app, &office, id, &[], "").await;
    assert_eq!(none.status(), 422);
    assert!(none.text().await.unwrap().contains("Kies minstens één expert."));
    let four = ["a", "b", "c", "d"];
    let too_many = ask_experts(&app, &office, id, &four, "").await;
    assert!(too_many.text().await.unwrap().contains("hoogstens drie"));
    let unknown = ask_experts(&app, &office, id, &["niemand-bekend"], "").await;
    assert!(unknown.text().await.unwrap().contains("staat niet (meer) in de ledenlijst"));
    // Only the office may ask.
    let member = signed_in(&app, "lid@oogst.test").await;
    assert_eq!(ask_experts(&app, &member, id, &[&experts[0]], "").await.status(), 404);
    // Nor answer or publish in the office's name: to a member those forms do not exist.
    let (_, form) = page(&app, &member, "/vraag-stellen").await;
    let csrf = hidden_field(&form, "csrf");
    for action in ["antwoord", "archief"] {
        let fields = [("csrf", csrf.as_str()), ("body", "Hallo"), ("actie", "publiceren")];
        let posted = member.post(format!("{}/beheer/vragen/{id}/{action}", app.address)).form(&fields).send().await;
        assert_eq!(posted.unwrap().status(), 404, "{action} for a member");
    }
    assert!(question_introduction::Entity::find().all(&db).await.unwrap().is_empty());

    assert_eq!(ask_experts(&app, &office, id, &[&experts[0]], "").await.status(), 303);
    let again = ask_experts(&app, &office, id, &[&experts[0]], "").await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("is al gevraagd"));

    // A reason too long is refused in words; the request stays open.
    let expert = email_of(&db, &experts[0]).await;
    let decline = local(&request_mail(&smtp, &expert).await.link("antwoord=nee"));
    let link = Opened::new(&app, &decline).await;
    let long = "x".repeat(1_001);
    let refused = link.press(&[("antwoord", "nee"), ("reason", &long)]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("korter dan 1000 tekens"));

    // Nobody answers in time: the link is spent and the office is told.
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    question_introduction::Entity::update_many()
        .set(question_introduction::ActiveModel { answer_by: Set(past), ..Default::default() })
        .exec(&db)
        .await
        .unwrap();
    let late = link.press(&[("antwoord", "ja")]).await;
    assert_eq!(late.status(), 410);
    assert!(late.text().await.unwrap().contains("al gebruikt of verlopen"));
    let settings = oogst::mail::MailSettings::from_config(&app.config, &secret_of(&app.config)).unwrap();
    let introductions =
        oogst::questions::introductions::Introductions { db: &db, mail: &settings, answer_days: 7, followup_days: 14 };
    assert_eq!(introductions.expire_overdue().await.unwrap(), 1);
    assert_eq!(introductions.expire_overdue().await.unwrap(), 0);
    let told = smtp.wait_for("bureau@oogst.test", 1).await;
    assert!(told[0].part("text/plain").contains("niet binnen 7 dagen gereageerd"), "{}", told[0].part("text/plain"));
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{id}")).await;
    assert!(html.contains("Verlopen zonder antwoord"), "{html}");

    // A question whose asker did not agree stays out of the archive, whatever its status.
    let mut private = asker("stil@vrager.test", "Hoe regelen we leerlingenvervoer naar de zorgschool?");
    private["share_anonymised"] = serde_json::json!(false);
    let (_, body) = api(&app, reqwest::Method::POST, "/api/v1/questions", &bureau, Some(private)).await;
    let private = body["id"].as_i64().unwrap();
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{private}")).await;
    assert!(html.contains("De vrager wil niet dat deze vraag openbaar wordt"), "{html}");
    let fields = [
        ("actie", "publiceren"),
        ("title", "Leerlingenvervoer"),
        ("text", "Hoe regelen we leerlingenvervoer naar de zorgschool?"),
        ("answer", "Met de gemeente en het samenwerkingsverband samen."),
    ];
    let refused = archive_form(&app, &office, private, &fields).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("geen toestemming"));

    // Links nobody made are unknown.
    for path in ["/vraag/verzoek/onzin", "/vraag/geholpen/onzin"] {
        assert_eq!(page(&app, &app.browser(), path).await.0, 404, "{path}");
    }
    env.finish().await;
}
storage_test!(requests_expire_and_bad_input_is_refused);

/// Two answers to one request at the same moment: one counts, the other hears the link is spent.
async fn one_of_two_concurrent_answers_counts(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp, db) = demo_app(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let (id, experts) = confirmed_question(&app, &smtp, &bureau).await;
    let office = signed_in(&app, "bureau@oogst.test").await;
    assert_eq!(ask_experts(&app, &office, id, &[&experts[0]], "").await.status(), 303);
    let accept = local(&request_mail(&smtp, &email_of(&db, &experts[0]).await).await.link("antwoord=ja"));
    let (first, second) =
        tokio::join!(answer(&app, &accept, &[("antwoord", "ja")]), answer(&app, &accept, &[("antwoord", "nee")]));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 410]);
    let request = question_introduction::Entity::find().one(&db).await.unwrap().unwrap();
    // Only the answer that counted had its effect: an introduction, or the office told.
    let (address, count, subject) = match request.status.as_str() {
        "accepted" => ("anouk@vrager.test", 3, "Kennismaking"),
        _ => ("bureau@oogst.test", 1, "volgende expert"),
    };
    let mails = smtp.wait_for(address, count).await;
    assert!(mails.iter().any(|mail| mail.header("Subject").contains(subject)), "{}", request.status);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let all = smtp.received();
    assert!(!all.iter().any(|mail| mail.header("Subject").contains("Kennismaking")) || request.status == "accepted");
    env.finish().await;
}
storage_test!(one_of_two_concurrent_answers_counts);

/// The office answers itself from the question's page, sending practices it chose.
async fn the_office_answers_itself_with_practices(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, smtp, db) = demo_app(&env).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let (id, _) = confirmed_question(&app, &smtp, &bureau).await;
    let path = format!("/api/v1/questions/{id}/suggestions");
    let (_, suggestions) = api(&app, reqwest::Method::GET, &path, &bureau, None).await;
    let practice = |index: usize| suggestions["practices"][index]["slug"].as_str().unwrap().to_string();
    let (first, second) = (practice(0), practice(1));
    let office = signed_in(&app, "bureau@oogst.test").await;
    let reply = |body: &'static str, practices: Vec<String>| {
        let (app, office) = (&app, &office);
        async move {
            let (_, html) = page(app, office, &format!("/beheer/vragen/{id}")).await;
            let mut form = vec![("csrf".to_string(), hidden_field(&html, "csrf")), ("body".into(), body.into())];
            form.extend(practices.into_iter().map(|slug| ("practices".to_string(), slug)));
            office.post(format!("{}/beheer/vragen/{id}/antwoord", app.address)).form(&form).send().await.unwrap()
        }
    };

    // Bad input comes back explained, and nothing is sent or stored.
    let empty = reply("  ", vec![first.clone()]).await;
    assert_eq!(empty.status(), 422);
    let html = empty.text().await.unwrap();
    assert!(html.contains("Schrijf het antwoord aan de vrager.") && html.contains("checked"), "{html}");
    let unknown = reply("Kijk hier eens naar.", vec!["bestaat-niet".into()]).await;
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().await.unwrap().contains("niet (meer) gepubliceerd"));
    assert!(entity::question_reply::Entity::find().all(&db).await.unwrap().is_empty());

    let sent = reply("Bel gerust met Gorinchem, zij deden dit al.", vec![first.clone(), second.clone()]).await;
    assert_eq!(sent.status(), 303);
    let mails = smtp.wait_for("anouk@vrager.test", 3).await;
    let answer = mails.iter().find(|mail| mail.header("Subject").contains("Antwoord op uw vraag")).unwrap();
    let text = answer.part("text/plain");
    assert!(text.contains("Bel gerust met Gorinchem") && text.contains(&format!("/praktijken/{first}")), "{text}");
    assert!(text.contains(&format!("/praktijken/{second}")), "{text}");
    let (_, detail) = api(&app, reqwest::Method::GET, &format!("/api/v1/questions/{id}"), &bureau, None).await;
    assert_eq!(detail["status"], "beantwoord");
    let (_, html) = page(&app, &office, &format!("/beheer/vragen/{id}")).await;
    assert!(html.contains("Bel gerust met Gorinchem") && html.contains("Heeft het geholpen?"), "{html}");
    let linked = entity::question_practice::Entity::find().all(&db).await.unwrap();
    assert_eq!(linked.len(), 2);
    env.finish().await;
}
storage_test!(the_office_answers_itself_with_practices);
