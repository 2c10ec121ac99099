//! Accounts and mail as people meet them: invitations, passwords, sessions, roles, and an
//! SMTP server on loopback that receives what the platform sends.

use std::process::Command;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::common::{api, Backend, TestApp, TestEnv};
use crate::smtp::TestSmtp;
use crate::storage_test;

use crate::common::PASSWORD;
const NEW_PASSWORD: &str = "zeven zwaluwen zingen zachtjes";

async fn app_with_mail(env: &TestEnv, smtp_url: &str) -> TestApp {
    let mut config = env.config();
    config.smtp_url = smtp_url.to_string();
    config.mail_retry_seconds = 1;
    config.public_url = "http://oogst.test".into();
    env.spawn_with(config, true).await
}

/// The path and query of a mailed link, to open it on the test server.
fn local(link: &str) -> String {
    link.trim_start_matches("http://oogst.test").to_string()
}

/// Creates a beheerder with `oogst user create` and sets the password through the
/// printed link, in a browser.
async fn beheerder(env: &TestEnv, app: &TestApp) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .args(["user", "create", "--email", "Bureau@Example.nl", "--name", "Programmabureau", "--role", "beheerder"])
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &app.config.database_url)
        .env("OOGST_PUBLIC_URL", "http://oogst.test")
        .output()
        .expect("oogst user create runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let link = stdout.split_whitespace().find(|word| word.contains("/wachtwoord-instellen?token=")).unwrap();
    set_password(app, &local(link), PASSWORD).await;
    app.token("bureau@example.nl", PASSWORD).await
}

async fn set_password(app: &TestApp, path: &str, password: &str) -> reqwest::Response {
    let browser = app.browser();
    let action = path.split('?').next().unwrap();
    let token = path.split("token=").nth(1).unwrap();
    app.submit_form(&browser, path, action, &[("token", token), ("password", password), ("password_again", password)])
        .await
}

async fn invite_to_publish(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let bureau = beheerder(&env, &app).await;

    // The programme office invites a contact person of Gorinchem.
    let (status, person) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/invitations",
        &bureau,
        Some(json!({"email": "femke@gorinchem.example.nl", "name": "Femke Hoogendoorn", "role": "redacteur", "organisation": "gemeente-gorinchem"})),
    )
    .await;
    assert_eq!(status, 201, "{person}");
    let mail = smtp.wait_for("femke@gorinchem.example.nl", 1).await.remove(0);
    assert_eq!(mail.header("Subject"), "Uitnodiging voor Oogst");
    assert!(mail.header("From").contains("noreply@oogst.localhost"));
    assert!(mail.header("Message-ID").ends_with("@oogst.localhost>"));
    assert!(mail.part("text/html").contains("Wachtwoord instellen"));
    assert!(mail.part("text/plain").contains("Gemeente Gorinchem"));

    // She sets a password with the link, logs in in the browser, and publishes a practice.
    let link = local(&mail.link("/wachtwoord-instellen"));
    assert_eq!(set_password(&app, &link, PASSWORD).await.status(), 303);
    let browser = app.browser();
    let login = app
        .submit_form(
            &browser,
            "/inloggen",
            "/inloggen",
            &[("email", "femke@gorinchem.example.nl"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status(), 303);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let home = browser.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Femke Hoogendoorn"), "the page shows who is logged in");

    let femke = app.token("femke@gorinchem.example.nl", PASSWORD).await;
    let practice = json!({
        "title": "Schoolmaatschappelijk werk in de brugklas",
        "summary": "Een vaste schoolmaatschappelijk werker voor elke brugklas.",
        "body": "Elke brugklas heeft een vaste schoolmaatschappelijk werker.",
        "themes": ["jeugdhulp-op-school"],
        "status": "concept",
    });
    let (status, created) = api(&app, reqwest::Method::POST, "/api/v1/practices", &femke, Some(practice.clone())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["organisation"]["slug"], "gemeente-gorinchem");
    let slug = created["slug"].as_str().unwrap().to_string();
    assert_eq!(slug, "schoolmaatschappelijk-werk-in-de-brugklas");
    // A concept is not public.
    assert_eq!(app.get_json(&format!("/api/v1/practices/{slug}")).await.0, 404);
    assert!(app.slugs("q=brugklas").await.is_empty());

    let mut published = practice.clone();
    published["status"] = json!("gepubliceerd");
    let (status, _) =
        api(&app, reqwest::Method::PUT, &format!("/api/v1/practices/{slug}"), &femke, Some(published)).await;
    assert_eq!(status, 200);
    app.wait_for_search("q=brugklas", Duration::from_secs(2), |slugs| slugs == [slug.clone()]).await;

    // Versions and the audit trail.
    let (status, versions) =
        api(&app, reqwest::Method::GET, &format!("/api/v1/practices/{slug}/versions"), &femke, None).await;
    assert_eq!(status, 200);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["author"], "Femke Hoogendoorn");
    let (status, restored) =
        api(&app, reqwest::Method::POST, &format!("/api/v1/practices/{slug}/versions/1/restore"), &femke, None).await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["status"], "gepubliceerd", "restoring content keeps today's status");

    app.stop().await;
    env.finish().await;
}
storage_test!(invite_to_publish);

async fn password_reset_and_sessions(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let old_token = beheerder(&env, &app).await;

    // Unknown addresses get the same answer, and a mail saying there is no account.
    let browser = app.browser();
    let unknown = app
        .submit_form(&browser, "/wachtwoord-vergeten", "/wachtwoord-vergeten", &[("email", "niemand@example.nl")])
        .await;
    assert_eq!(unknown.status(), 200);
    let known = app
        .submit_form(&browser, "/wachtwoord-vergeten", "/wachtwoord-vergeten", &[("email", "bureau@example.nl")])
        .await;
    assert_eq!(known.status(), 200);
    assert_eq!(unknown.text().await.unwrap(), known.text().await.unwrap());
    let no_account = smtp.wait_for("niemand@example.nl", 1).await.remove(0);
    assert!(no_account.part("text/plain").contains("geen account met dit adres"));
    assert!(!no_account.part("text/plain").contains("/wachtwoord-herstellen"), "no link to use");
    let mail = smtp.wait_for("bureau@example.nl", 1).await.remove(0);
    let link = local(&mail.link("/wachtwoord-herstellen"));

    // A weak password is refused with the reason, and the link keeps working.
    let weak = set_password(&app, &link, "wachtwoord12").await;
    assert_eq!(weak.status(), 422, "shown again, like every refused form");
    assert!(weak.text().await.unwrap().contains("te makkelijk te raden"));
    assert_eq!(set_password(&app, &link, NEW_PASSWORD).await.status(), 303);
    // Used once: gone.
    assert_eq!(set_password(&app, &link, NEW_PASSWORD).await.status(), 410);
    // The reset ended the old sessions; the new password works, the old one not.
    let (status, _) = api(&app, reqwest::Method::GET, "/api/v1/users", &old_token, None).await;
    assert_eq!(status, 401);
    let new_token = app.token("bureau@example.nl", NEW_PASSWORD).await;
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .json(&json!({"email": "bureau@example.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // Logging out revokes the token itself.
    let (status, _) = api(&app, reqwest::Method::DELETE, "/api/v1/auth/token", &new_token, None).await;
    assert_eq!(status, 204);
    let (status, body) = api(&app, reqwest::Method::GET, "/api/v1/users", &new_token, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");

    app.stop().await;
    env.finish().await;
}
storage_test!(password_reset_and_sessions);

async fn links_work_once_even_concurrently(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let bureau = beheerder(&env, &app).await;

    // An invitation link used twice works once.
    api(
        &app,
        reqwest::Method::POST,
        "/api/v1/invitations",
        &bureau,
        Some(json!({"email": "lid@example.nl", "name": "Lid", "role": "lid"})),
    )
    .await;
    let link = local(&smtp.wait_for("lid@example.nl", 1).await[0].link("/wachtwoord-instellen"));
    assert_eq!(set_password(&app, &link, PASSWORD).await.status(), 303);
    assert_eq!(set_password(&app, &link, NEW_PASSWORD).await.status(), 410);
    app.token("lid@example.nl", PASSWORD).await;

    // Two concurrent uses of one reset link: exactly one succeeds.
    let browser = app.browser();
    app.submit_form(&browser, "/wachtwoord-vergeten", "/wachtwoord-vergeten", &[("email", "lid@example.nl")]).await;
    let link = local(&smtp.wait_for("lid@example.nl", 2).await[1].link("/wachtwoord-herstellen"));
    let (first, second) =
        tokio::join!(set_password(&app, &link, NEW_PASSWORD), set_password(&app, &link, "negen natte neushoorns"));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 410]);

    app.stop().await;
    env.finish().await;
}
storage_test!(links_work_once_even_concurrently);

async fn mail_survives_smtp_outage(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let port = TestSmtp::free_port();
    let app = app_with_mail(&env, &format!("smtp://127.0.0.1:{port}")).await;
    let bureau = beheerder(&env, &app).await;

    for person in ["een", "twee", "drie"] {
        let (status, _) = api(
            &app,
            reqwest::Method::POST,
            "/api/v1/invitations",
            &bureau,
            Some(json!({"email": format!("{person}@example.nl"), "name": person, "role": "lid"})),
        )
        .await;
        assert_eq!(status, 201);
    }
    // The server is down: attempts fail and are retried with back-off.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let smtp = TestSmtp::start_on(port);
    for person in ["een", "twee", "drie"] {
        smtp.wait_for(&format!("{person}@example.nl"), 1).await;
    }
    // Give the worker time to (wrongly) send again; each mail must arrive exactly once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 3, "{:?}", received.iter().map(|mail| &mail.to).collect::<Vec<_>>());
    let mut ids: Vec<String> = received.iter().map(|mail| mail.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);

    app.stop().await;
    env.finish().await;
}
storage_test!(mail_survives_smtp_outage);

async fn who_may_do_what(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let bureau = beheerder(&env, &app).await;
    for (email, role, organisation) in [
        ("a@example.nl", "redacteur", Some("gemeente-gorinchem")),
        ("b@example.nl", "redacteur", Some("gemeente-tilburg")),
        ("lid@example.nl", "lid", None),
    ] {
        let (status, body) = api(
            &app,
            reqwest::Method::POST,
            "/api/v1/invitations",
            &bureau,
            Some(json!({"email": email, "name": email, "role": role, "organisation": organisation})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let link = local(&smtp.wait_for(email, 1).await[0].link("/wachtwoord-instellen"));
        set_password(&app, &link, PASSWORD).await;
    }
    let a = app.token("a@example.nl", PASSWORD).await;
    let b = app.token("b@example.nl", PASSWORD).await;
    let lid = app.token("lid@example.nl", PASSWORD).await;

    // A redacteur edits her own organisation's practices, not another's.
    let (status, _) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/practices/dokwerk",
        &a,
        Some(json!({"title": "Dokwerk", "status": "gepubliceerd"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) =
        api(&app, reqwest::Method::PUT, "/api/v1/practices/dokwerk", &b, Some(json!({"title": "Overgenomen"}))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "forbidden");
    let (status, _) = api(&app, reqwest::Method::DELETE, "/api/v1/practices/dokwerk", &b, None).await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/practices",
        &b,
        Some(json!({"title": "Voor een ander", "organisation": "gemeente-gorinchem"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = api(&app, reqwest::Method::POST, "/api/v1/practices", &a, Some(json!({"title": ""}))).await;
    assert_eq!(status, 422);
    assert!(body["fields"]["title"][0].as_str().unwrap().contains("titel"), "{body}");

    // A concept: 404 for the anonymous visitor and for other organisations, visible to its editors.
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/practices",
        &a,
        Some(json!({"title": "Geheim plan", "status": "concept"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(app.get_json("/api/v1/practices/geheim-plan").await.0, 404);
    assert_eq!(app.get("/praktijken/geheim-plan").await.status(), 404);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/practices/geheim-plan", &b, None).await.0, 404);
    assert_eq!(
        api(&app, reqwest::Method::PUT, "/api/v1/practices/geheim-plan", &b, Some(json!({"title": "x"}))).await.0,
        404
    );
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/practices/geheim-plan", &a, None).await.0, 200);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/practices/geheim-plan", &bureau, None).await.0, 200);

    // Members read, but neither publish nor manage people.
    assert_eq!(api(&app, reqwest::Method::POST, "/api/v1/practices", &lid, Some(json!({"title": "x"}))).await.0, 403);
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/users", &lid, None).await.0, 403);
    let (_, people) = api(&app, reqwest::Method::GET, "/api/v1/users", &bureau, None).await;
    let lid_id =
        people.as_array().unwrap().iter().find(|person| person["email"] == "lid@example.nl").unwrap()["id"].clone();
    let role_path = format!("/api/v1/users/{lid_id}/role");
    assert_eq!(api(&app, reqwest::Method::PUT, &role_path, &lid, Some(json!({"role": "beheerder"}))).await.0, 403);
    assert_eq!(api(&app, reqwest::Method::PUT, &role_path, &a, Some(json!({"role": "beheerder"}))).await.0, 403);
    // A redacteur invites colleagues, never beheerders.
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/invitations",
        &a,
        Some(json!({"email": "baas@example.nl", "name": "Baas", "role": "beheerder"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/invitations",
        &a,
        Some(json!({"email": "collega@example.nl", "name": "Collega", "role": "redacteur"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, changed) = api(
        &app,
        reqwest::Method::PUT,
        &role_path,
        &bureau,
        Some(json!({"role": "redacteur", "organisation": "gemeente-tilburg"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["role"], "redacteur");

    // Without a token: 401.
    let response =
        app.client.post(format!("{}/api/v1/practices", app.address)).json(&json!({"title": "x"})).send().await.unwrap();
    assert_eq!(response.status(), 401);

    app.stop().await;
    env.finish().await;
}
storage_test!(who_may_do_what);

async fn forged_tokens_csrf_and_rate_limits(backend: Backend) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let token = beheerder(&env, &app).await;
    let parts: Vec<&str> = token.split('.').collect();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());

    let alg_none = format!("{}.{}.", encode(&json!({"alg": "none", "typ": "JWT"})), parts[1]);
    let wrong_signature = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode([7u8; 32]));
    let mut expired_claims = claims.clone();
    expired_claims["exp"] = json!(1_000_000_000);
    let expired = format!("{}.{}.{}", parts[0], encode(&expired_claims), parts[2]);
    let mut foreign_claims = claims.clone();
    foreign_claims["aud"] = json!("een-andere-dienst");
    let foreign = format!("{}.{}.{}", parts[0], encode(&foreign_claims), parts[2]);
    for forged in [alg_none, wrong_signature, expired, foreign, "onzin".to_string()] {
        let (status, body) = api(&app, reqwest::Method::GET, "/api/v1/users", &forged, None).await;
        assert_eq!(status, 401, "{forged}: {body}");
    }
    assert_eq!(api(&app, reqwest::Method::GET, "/api/v1/users", &token, None).await.0, 200);

    // Forms without the page's CSRF token are refused.
    let response = app
        .browser()
        .post(format!("{}/inloggen", app.address))
        .form(&[("email", "bureau@example.nl"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // Guessing passwords is slowed down: 429 with Retry-After.
    let mut limited = None;
    for attempt in 0..12 {
        let response = app
            .client
            .post(format!("{}/api/v1/auth/token", app.address))
            .json(&json!({"email": "bureau@example.nl", "password": format!("fout wachtwoord {attempt}")}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 401);
    }
    let limited = limited.expect("login attempts are rate limited");
    assert!(limited.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let body: Value = limited.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("Te veel pogingen"));

    // Security headers.
    let response = app.get("/inloggen").await;
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().contains_key("referrer-policy"));

    app.stop().await;
    env.finish().await;
}
storage_test!(forged_tokens_csrf_and_rate_limits);

async fn refused_mail_fails_for_good_and_can_be_retried(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let app = app_with_mail(&env, &smtp.url()).await;
    let bureau = beheerder(&env, &app).await;
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/invitations",
        &bureau,
        Some(json!({"email": format!("{}example.nl", crate::smtp::REFUSED), "name": "Weigeraar", "role": "lid"})),
    )
    .await;
    assert_eq!(status, 201);
    // A 550 is permanent: no retries, the mail is marked failed with the server's answer.
    let db = oogst::startup::connect(&app.config).await.unwrap();
    let started = std::time::Instant::now();
    let failed = loop {
        let page = oogst::mail::queue(
            &db,
            Some(oogst::mail::FAILED),
            oogst::pagination::PageRequest { page: 1, per_page: 10 },
        )
        .await
        .unwrap();
        if let Some(mail) = page.items.into_iter().next() {
            break mail;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the refused mail is not marked failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.as_deref().unwrap_or_default().contains("550"), "{failed:?}");
    // The programme office puts it back in the queue.
    assert!(oogst::mail::worker::retry(&db, failed.id).await.unwrap());
    assert!(!oogst::mail::worker::retry(&db, failed.id).await.unwrap(), "only failed mail can be retried");
    app.stop().await;
    env.finish().await;
}
storage_test!(refused_mail_fails_for_good_and_can_be_retried);

async fn self_signup_needs_a_confirmed_address(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let smtp = TestSmtp::start();
    let mut config = env.config();
    config.smtp_url = smtp.url();
    config.public_url = "http://oogst.test".into();
    config.self_signup = true;
    let app = env.spawn_with(config, false).await;

    let browser = app.browser();
    let weak = app
        .submit_form(
            &browser,
            "/aanmelden",
            "/aanmelden",
            &[("name", "Sanne"), ("email", "sanne@example.nl"), ("password", "welkom123456")],
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert!(weak.text().await.unwrap().contains("te makkelijk te raden"));
    let signed_up = app
        .submit_form(
            &browser,
            "/aanmelden",
            "/aanmelden",
            &[("name", "Sanne"), ("email", "Sanne@Example.nl"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    let signed_up_page = signed_up.text().await.unwrap();
    // Not yet confirmed: no login.
    let refused = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .json(&json!({"email": "sanne@example.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let link = local(&smtp.wait_for("sanne@example.nl", 1).await[0].link("/e-mailadres-bevestigen"));
    assert_eq!(app.get(&link).await.status(), 200);
    assert_eq!(app.get(&link).await.status(), 410, "the link works once");
    app.token("sanne@example.nl", PASSWORD).await;

    // Signing up again with the same address is answered alike; the owner hears by mail,
    // which changes nothing about the account.
    let again = app
        .submit_form(
            &browser,
            "/aanmelden",
            "/aanmelden",
            &[("name", "Ander"), ("email", "sanne@example.nl"), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), signed_up_page);
    let notice = smtp.wait_for("sanne@example.nl", 2).await.pop().unwrap();
    assert_eq!(notice.header("Subject"), "U hebt al een account bij Oogst");
    assert!(notice.part("text/plain").contains("/wachtwoord-vergeten"));
    app.token("sanne@example.nl", PASSWORD).await;

    // Logging out in the browser ends the session: the old cookie no longer works.
    let login = app
        .submit_form(&browser, "/inloggen", "/inloggen", &[("email", "sanne@example.nl"), ("password", PASSWORD)])
        .await;
    let session = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let logout = app.submit_form(&browser, "/uitloggen", "/uitloggen", &[]).await;
    assert_eq!(logout.status(), 303);
    let stale = app.client.get(format!("{}/account", app.address)).header("cookie", session).send().await.unwrap();
    assert_eq!(stale.headers()["location"], "/inloggen?next=%2Faccount", "logged out: sent to log in");

    app.stop().await;
    env.finish().await;
}
storage_test!(self_signup_needs_a_confirmed_address);

/// A configuration with mail to `smtp` and claims that lapse after two seconds.
fn with_short_claims(env: &TestEnv, smtp: &TestSmtp) -> oogst::config::Config {
    oogst::config::Config { smtp_url: smtp.url(), mail_retry_seconds: 1, mail_claim_seconds: 2, ..env.config() }
}

/// Queues `count` mails to `{name}{n}@example.nl`, as any mailing part of the platform does.
async fn enqueue_mails(config: &oogst::config::Config, name: &str, count: usize) {
    let db = oogst::startup::connect(config).await.unwrap();
    let secret = oogst::accounts::secret::load_or_create(config).unwrap();
    let settings = oogst::mail::MailSettings::from_config(config, &secret).unwrap();
    for number in 0..count {
        let mail = oogst::mail::Mail {
            to: &format!("{name}{number}@example.nl"),
            subject: "Nieuw wachtwoord voor Oogst".into(),
            template: "password_reset",
            data: json!({ "name": "Lid", "link": "http://oogst.test/wachtwoord-herstellen?token=x" }),
            calendar: None,
        };
        oogst::mail::enqueue(&db, &settings, mail).await.unwrap();
    }
}

fn message_ids(mails: &[crate::smtp::ReceivedMail]) -> Vec<String> {
    let mut ids: Vec<String> = mails.iter().map(|mail| mail.header("Message-ID")).collect();
    ids.sort();
    ids
}

/// Waits until no mail is pending or being sent.
async fn wait_until_outbox_settles(config: &oogst::config::Config) {
    let db = oogst::startup::connect(config).await.unwrap();
    loop {
        let open = entity::mail_outbox::Entity::find()
            .filter(entity::mail_outbox::Column::Status.is_in(["pending", "sending"]))
            .count(&db)
            .await
            .unwrap();
        if open == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn claims_of_a_dead_process_lapse_soon(backend: Backend) {
    const MAILS: usize = 20;
    let env = TestEnv::new(backend).await;
    // The first process hangs in its SMTP conversations and dies there (kill -9).
    let hanging = TestSmtp::start_slow(Duration::from_secs(3600));
    let dying = env.spawn_with(with_short_claims(&env, &hanging), false).await;
    enqueue_mails(&dying.config, "wachtend", MAILS).await;
    hanging.wait_for("wachtend", 1).await;
    dying.stop().await;

    // A new process sends every mail, without waiting out a long claim.
    let smtp = TestSmtp::start();
    let app = env.spawn_with(with_short_claims(&env, &smtp), false).await;
    let delivered = smtp.wait_for("wachtend", MAILS).await;
    wait_until_outbox_settles(&app.config).await;
    let mut ids = message_ids(&smtp.received());
    assert_eq!(ids.len(), MAILS);
    ids.dedup();
    assert_eq!(ids.len(), MAILS, "each mail once");
    // What reached the dead process's server goes out again with the same Message-ID, so
    // the receiver can tell it is the same mail.
    let delivered = message_ids(&delivered);
    for id in message_ids(&hanging.received()) {
        assert!(delivered.contains(&id), "{id} was not sent again");
    }
    app.stop().await;
    env.finish().await;
}
storage_test!(claims_of_a_dead_process_lapse_soon);

async fn a_slow_delivery_keeps_its_claim(backend: Backend) {
    const MAILS: usize = 10;
    let env = TestEnv::new(backend).await;
    // Each conversation outlasts the claim: only its renewal keeps the other process off.
    let smtp = TestSmtp::start_slow(Duration::from_secs(3));
    let first = env.spawn_with(with_short_claims(&env, &smtp), false).await;
    // A second server on the same database, with a data folder (and index) of its own.
    let second_dir = tempfile::tempdir().unwrap();
    let second_config = oogst::config::Config { data_dir: second_dir.path().into(), ..with_short_claims(&env, &smtp) };
    let second = env.spawn_with(second_config, false).await;
    enqueue_mails(&first.config, "traag", MAILS).await;
    smtp.wait_for("traag", MAILS).await;
    wait_until_outbox_settles(&first.config).await;
    let mut ids = message_ids(&smtp.received());
    ids.dedup();
    assert_eq!((smtp.received().len(), ids.len()), (MAILS, MAILS), "each mail sent once");
    first.stop().await;
    second.stop().await;
    env.finish().await;
}
storage_test!(a_slow_delivery_keeps_its_claim);
