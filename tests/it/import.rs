//! Importing files: publishing and unpublishing reach search quickly; bad files are named.

use std::process::Command;
use std::time::Duration;

use futures_util::future::join_all;
use oogst::actor::Role;
use serde_json::{json, Value};

use crate::common::{fixtures, import, token_for, Backend, TestEnv};
use crate::storage_test;

const PRACTICE: &str = "---
title: Ouderkamer in de wijk
organisation: Gemeente Testdorp
summary: Ouders ontmoeten elkaar en de jeugdverpleegkundige op school.
province: Overijssel
themes: [ouderbetrokkenheid]
status: gepubliceerd
---
Elke dinsdag is de ouderkamer open voor koffie en vragen.
";

async fn publish_and_unpublish(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let folder = env.dir.path().join("in");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("ouderkamer.md");

    std::fs::write(&file, PRACTICE).unwrap();
    let report = import(&app.config, std::slice::from_ref(&file)).await;
    assert_eq!((report.imported, report.failed.len()), (1, 0));
    let took = app.wait_for_search("q=ouderkamer", Duration::from_secs(2), |slugs| slugs == ["ouderkamer"]).await;
    println!("published practice findable after {took:?}");
    assert_eq!(app.get("/praktijken/ouderkamer").await.status(), 200);

    std::fs::write(&file, PRACTICE.replace("status: gepubliceerd", "status: concept")).unwrap();
    import(&app.config, std::slice::from_ref(&file)).await;
    let took = app.wait_for_search("q=ouderkamer", Duration::from_secs(2), |slugs| slugs.is_empty()).await;
    println!("unpublished practice gone after {took:?}");
    assert_eq!(app.get("/praktijken/ouderkamer").await.status(), 404);

    // Re-importing the same file updates instead of duplicating.
    std::fs::write(&file, PRACTICE.replace("Ouderkamer in de wijk", "Ouderkamer in het dorp")).unwrap();
    import(&app.config, &[file]).await;
    app.wait_for_search("q=dorp", Duration::from_secs(2), |slugs| slugs == ["ouderkamer"]).await;
    let (_, list) = app.get_json("/api/v1/practices").await;
    assert_eq!(list["total"], 1);

    app.stop().await;
    env.finish().await;
}
storage_test!(publish_and_unpublish);

async fn command_reports_bad_files_and_imports_the_rest(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let folder = env.dir.path().join("mixed");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::write(folder.join("goed.md"), PRACTICE).unwrap();
    std::fs::write(folder.join("sub/verslag.txt"), "Verslag heidag\nWe spraken over de ouderkamer.\n").unwrap();
    std::fs::write(folder.join("kapot.md"), "---\ntitle: [niet afgesloten\n---\nTekst").unwrap();
    std::fs::write(folder.join("onbekend-thema.md"), PRACTICE.replace("ouderbetrokkenheid", "bestaat-niet")).unwrap();
    std::fs::write(folder.join("leeg.txt"), "Alleen een titel\n").unwrap();
    std::fs::write(folder.join("plaatje.png"), [0x89, b'P', b'N', b'G']).unwrap();
    let config = env.config();

    let output = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .arg("import")
        .arg(&folder)
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &config.database_url)
        .output()
        .expect("oogst import runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "a failed file makes the exit code non-zero");
    for bad in ["kapot.md", "onbekend-thema.md", "leeg.txt"] {
        assert!(stderr.contains(bad), "{bad} not reported: {stderr}");
    }
    assert!(stderr.contains("Onbekend thema 'bestaat-niet'"), "{stderr}");
    assert!(!stderr.contains("plaatje.png"), "files of other types in a folder are not imported");
    assert!(stdout.contains("2 imported, 3 failed"), "{stdout}");

    let app = env.spawn(false).await;
    assert_eq!(app.slugs("q=ouderkamer").await.len(), 2, "the good practice and document are searchable");
    let (status, _) = app.get_json("/api/v1/practices/kapot").await;
    assert_eq!(status, 404);
    app.stop().await;

    let missing = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .args(["import", "/bestaat/niet.md"])
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &config.database_url)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/bestaat/niet.md"));
    env.finish().await;
}
storage_test!(command_reports_bad_files_and_imports_the_rest);

async fn fixtures_import_cleanly(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let report = import(&env.config(), &[fixtures("practices"), fixtures("documents")]).await;
    assert_eq!(report.imported, 13);
    assert!(report.failed.is_empty());
    env.finish().await;
}
storage_test!(fixtures_import_cleanly);

/// `oogst import` and `oogst user create` in processes of their own while the server takes
/// registrations: on SQLite they all queue for the one write lock instead of failing, so
/// every file, every registration and the account are saved.
async fn import_next_to_a_busy_server_loses_nothing(backend: Backend) {
    const FILES: usize = 300;
    const REGISTRATIONS: usize = 120;
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    let bureau = token_for(&app, "bureau@oogst.test", Role::Beheerder, None).await;
    let event = json!({
        "title": "Heidag samenwerking", "kind": "heidag", "description": "Een dag samen.",
        "starts_at": "2027-03-09T09:30", "ends_at": "2027-03-09T16:30",
        "location": "Stadskantoor", "address": "Stadhuisplein 1, Gorinchem", "capacity": 1000,
    });
    let response = app
        .client
        .post(format!("{}/api/v1/events", app.address))
        .bearer_auth(&bureau)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let slug = response.json::<Value>().await.unwrap()["slug"].as_str().unwrap().to_string();
    let folder = env.dir.path().join("veel");
    std::fs::create_dir_all(&folder).unwrap();
    for number in 0..FILES {
        let text = PRACTICE.replace("Ouderkamer in de wijk", &format!("Ouderkamer {number}"));
        std::fs::write(folder.join(format!("ouderkamer-{number}.md")), text).unwrap();
    }
    let config = env.config();
    let oogst = |args: &[&str]| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_oogst"))
            .args(args)
            .env("OOGST_DATA_DIR", env.dir.path())
            .env("OOGST_DATABASE_URL", &config.database_url)
            .env("OOGST_LOG", "warn")
            .output()
    };

    let folder_arg = folder.display().to_string();
    let import = oogst(&["import", &folder_arg]);
    let user = oogst(&["user", "create", "--email", "nieuw@oogst.test", "--name", "Nieuw", "--role", "lid"]);
    let registrations = join_all((0..REGISTRATIONS).map(|number| {
        let (app, slug) = (&app, &slug);
        async move {
            let person = json!({
                "name": format!("Deelnemer {number}"), "email": format!("deelnemer{number}@deelnemer.test"),
                "organisation": "SWV Drechtsteden", "role": "Intern begeleider",
            });
            let url = format!("{}/api/v1/events/{slug}/registrations", app.address);
            let response = app.client.post(url).json(&person).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap_or_default())
        }
    }));
    let (import, user, registrations) = tokio::join!(import, user, registrations);

    let (import, user) = (import.unwrap(), user.unwrap());
    let stdout = String::from_utf8_lossy(&import.stdout);
    assert!(import.status.success(), "{stdout}{}", String::from_utf8_lossy(&import.stderr));
    assert!(stdout.contains(&format!("{FILES} imported, 0 failed")), "{stdout}");
    assert!(user.status.success(), "{}", String::from_utf8_lossy(&user.stderr));
    for (status, body) in &registrations {
        assert_eq!(*status, 201, "{body}");
    }
    let (_, list) = app.get_json("/api/v1/practices?per_page=1").await;
    assert_eq!(list["total"], FILES);
    app.stop().await;
    env.finish().await;
}
storage_test!(import_next_to_a_busy_server_loses_nothing);
