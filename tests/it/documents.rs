//! Harvest documents: uploads, text extraction, search inside files, hostile files.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Backend, TestApp, TestEnv};
use crate::files;
use crate::storage_test;

async fn redacteur_token(app: &TestApp) -> String {
    crate::common::token_for(app, "femke@example.nl", oogst::actor::Role::Redacteur, Some("gemeente-gorinchem")).await
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    file_name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let response = app
        .client
        .post(format!("{}/api/v1/documents", app.address))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn find_passages_inside_files(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let token = redacteur_token(&app).await;

    let report = files::pdf(&[
        &["Verslag werksessie inspiratieregio's", "De eerste pagina gaat over de opening."],
        &[
            "Tweede pagina",
            "Warme overdracht van kinderopvang naar school",
            "werkt als de coöperatie, de intern begeleider én de ouders meedoen.",
        ],
        &["Derde pagina: geïnteresseerde scholen melden zich bij het programmabureau."],
    ]);
    let (status, document) = upload(
        &app,
        &token,
        "Verslag werksessie.pdf",
        report.clone(),
        &[("practice", "dokwerk"), ("kind", "verslag"), ("themes", "doorgaande-lijn-0-6")],
    )
    .await;
    assert_eq!(status, 201, "{document}");
    assert_eq!(document["title"], "Verslag werksessie");
    assert_eq!(document["practice_slug"], "dokwerk");
    assert!(document["body"].as_str().unwrap().contains("coöperatie"), "{document}");
    let slug = document["slug"].as_str().unwrap().to_string();

    // The passage inside the PDF is found, with its words marked; accents fold.
    app.wait_for_search("q=%22warme+overdracht%22&kind=document", Duration::from_secs(2), |slugs| {
        slugs == [slug.clone()]
    })
    .await;
    let hit = app.search("q=warme+overdracht&kind=document").await["hits"][0].clone();
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>Warme</mark> <mark>overdracht</mark>"), "{hit}");
    assert!(app.slugs("q=cooperatie+geinteresseerde&kind=document").await.contains(&slug));

    // The page links to the practice and the practice to the document.
    let page = app.get(&format!("/documenten/{slug}")).await.text().await.unwrap();
    assert!(page.contains("/praktijken/dokwerk"));
    assert!(app.get("/praktijken/dokwerk").await.text().await.unwrap().contains(&format!("/documenten/{slug}")));

    // Download: the bytes, the right type, a safe attachment name, nosniff.
    let download = app.get(&format!("/documenten/{slug}/download")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment") && disposition.contains("Verslag werksessie.pdf"), "{disposition}");
    assert_eq!(download.bytes().await.unwrap().as_ref(), report.as_slice());

    // The same file twice is stored once.
    let (status, _) = upload(&app, &token, "kopie.pdf", report, &[]).await;
    assert_eq!(status, 201);
    let stored = walk_files(&env.dir.path().join("files"));
    assert_eq!(stored, 1);

    // Office formats.
    let (status, docx) = upload(
        &app,
        &token,
        "plan.docx",
        files::docx(&["Plan van aanpak thuiszitterslabs", "Elke leerling een plek."]),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{docx}");
    assert!(docx["body"].as_str().unwrap().contains("Elke leerling een plek."));
    let (status, odt) =
        upload(&app, &token, "notulen.odt", files::odt(&["Notulen heidag", "Afspraken over de zorgroute."]), &[]).await;
    assert_eq!(status, 201, "{odt}");
    assert!(odt["body"].as_str().unwrap().contains("zorgroute"));

    // A name beyond ASCII is downloaded under that name (RFC 6266), with an ASCII fallback.
    let (status, notes) =
        upload(&app, &token, "Coöperatie één.txt", b"Notulen\nVan de cooperatie.".to_vec(), &[]).await;
    assert_eq!(status, 201, "{notes}");
    let download = app.get(&format!("/documenten/{}/download", notes["slug"].as_str().unwrap())).await;
    assert_eq!(
        download.headers()["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"Co_peratie __n.txt\"; filename*=UTF-8''Co%C3%B6peratie%20%C3%A9%C3%A9n.txt"
    );

    app.stop().await;
    env.finish().await;
}
storage_test!(find_passages_inside_files);

fn walk_files(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries.flatten().map(|entry| if entry.path().is_dir() { walk_files(&entry.path()) } else { 1 }).sum()
        })
        .unwrap_or(0)
}

async fn hostile_files_are_refused_with_a_reason(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let mut config = env.config();
    config.max_upload_mb = 2;
    let app = env.spawn_with(config, true).await;
    let token = redacteur_token(&app).await;

    // A scan: accepted, downloadable, marked as without text.
    let (status, scan) = upload(&app, &token, "scan.pdf", files::pdf_without_text(), &[]).await;
    assert_eq!(status, 201, "{scan}");
    assert_eq!(scan["has_text"], false);
    let page = app.get(&format!("/documenten/{}", scan["slug"].as_str().unwrap())).await.text().await.unwrap();
    assert!(page.contains("geen tekst gevonden"));

    let report = files::pdf(&[&["Een gewoon verslag"]]);
    let truncated = report[..report.len() / 2].to_vec();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0; 64]);
    for (name, bytes, expected) in [
        ("afgebroken.pdf", truncated, "beschadigd"),
        ("bom.docx", files::docx_zip_bomb(), "groter dan"),
        ("onderdelen.docx", files::docx_with_too_many_entries(), "meer dan 5000 onderdelen"),
        ("zonder-wachtwoord.pdf", files::pdf_encrypted_without_password(), "beveiligd"),
        ("foto.pdf", png.clone(), "past niet bij de extensie"),
        ("plan.docx", report.clone(), "past niet bij de extensie"),
        ("leeg.txt", Vec::new(), "leeg"),
        ("programma.exe", b"MZ\x90\x00".to_vec(), "Dit bestandstype kan niet"),
        ("groot.pdf", vec![b'%'; 3 * 1024 * 1024], "te groot"),
        (
            "versleuteld.pdf",
            std::fs::read(crate::common::fixtures("files").join("versleuteld.pdf")).unwrap(),
            "beveiligd",
        ),
    ] {
        let (status, body) = upload(&app, &token, name, bytes, &[]).await;
        assert_eq!(status, 422, "{name}: {body}");
        let message = body["fields"]["file"][0].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{name}: {message}");
    }
    // A good file with an unknown kind or theme is refused before it is stored.
    for (field, value) in [("kind", "onbekend"), ("themes", "bestaat-niet")] {
        let (status, body) =
            upload(&app, &token, "notulen.txt", b"Notulen\nVan de heidag.".to_vec(), &[(field, value)]).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert!(body["fields"][field][0].as_str().unwrap().starts_with("Onbekend"), "{body}");
    }
    // Nothing half-stored: only the scan is there, in the database and in the files.
    let (_, all) = app.get_json("/api/v1/search?kind=document").await;
    assert_eq!(all["total"], 1);
    assert_eq!(walk_files(&env.dir.path().join("files")), 1);

    // Without a token, or as a lid: no upload.
    let (status, _) = upload(&app, "geen-token", "a.txt", b"Titel\ntekst".to_vec(), &[]).await;
    assert_eq!(status, 401);
    let (status, _) =
        upload(&app, &token, "a.txt", b"Titel\ntekst".to_vec(), &[("practice", "girfec-kansencirkel-tilburg")]).await;
    assert_eq!(status, 403, "not for another organisation's practice");

    app.stop().await;
    env.finish().await;
}
storage_test!(hostile_files_are_refused_with_a_reason);

async fn import_reads_office_files(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let folder = env.dir.path().join("oogst");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("Oogstdocument_kinderogen.pdf"),
        files::pdf(&[&["Kinderogen oogst", "Leren met andere ogen."]]),
    )
    .unwrap();
    std::fs::write(folder.join("plan.docx"), files::docx(&["Plan", "De regio organiseert leertafels."])).unwrap();
    std::fs::write(folder.join("notulen.odt"), files::odt(&["Notulen", "Wijkteams schuiven aan."])).unwrap();
    std::fs::write(folder.join("nep.pdf"), b"<html>geen pdf</html>").unwrap();
    let config = env.config();
    let output = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .arg("import")
        .arg(&folder)
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &config.database_url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("nep.pdf") && stderr.contains("past niet"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 imported, 1 failed"));
    let app = env.spawn(false).await;
    for (query, slug) in [("leertafels", "plan"), ("wijkteams", "notulen"), ("andere+ogen", "oogstdocument-kinderogen")]
    {
        assert_eq!(app.slugs(&format!("q={query}&kind=document")).await, [slug], "{query}");
    }
    let (_, document) = app.get_json("/api/v1/documents/oogstdocument-kinderogen").await;
    assert_eq!(document["title"], "Oogstdocument kinderogen");
    app.stop().await;
    env.finish().await;
}
storage_test!(import_reads_office_files);

async fn files_made_by_office_tools(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(true).await;
    let token = redacteur_token(&app).await;
    for name in ["werksessie.pdf", "werksessie.docx", "werksessie.odt", "werksessie.pptx"] {
        let bytes = std::fs::read(crate::common::fixtures("files").join(name)).unwrap();
        let (status, document) = upload(&app, &token, name, bytes, &[]).await;
        assert_eq!(status, 201, "{name}: {document}");
        let text = document["body"].as_str().unwrap().to_lowercase();
        for words in ["warme overdracht", "coöperatie", "geïnteresseerde"] {
            assert!(text.contains(words), "{name} lacks {words}: {text}");
        }
    }
    app.wait_for_search("q=geinteresseerde+gemeenten&kind=document", Duration::from_secs(2), |slugs| slugs.len() == 4)
        .await;
    app.stop().await;
    env.finish().await;
}
storage_test!(files_made_by_office_tools);

/// An upload form opened from a link to a practice that is gone names the practice in its
/// message (no field on the form is wrong), and sizes read as kB and MB, not bytes.
async fn upload_form_names_a_hidden_owner_and_reads_sizes(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let mut config = env.config();
    config.max_upload_mb = 1;
    let app = env.spawn_with(config, true).await;
    let browser =
        crate::editing::logged_in(&app, "joris@example.nl", oogst::actor::Role::Redacteur, Some("gemeente-gorinchem"))
            .await;

    let form = browser
        .get(format!("{}/documenten/nieuw?praktijk=opgeheven-praktijk", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("tot 1 MB."), "{form}");
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", crate::common::hidden_field(&form, "csrf"))
        .text("practice", crate::common::hidden_field(&form, "practice"))
        .part("file", reqwest::multipart::Part::bytes(b"Notulen\nVan de heidag.".to_vec()).file_name("notulen.txt"));
    let again = browser
        .post(format!("{}/documenten/nieuw", app.address))
        .multipart(multipart)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("De praktijk &#x27;opgeheven-praktijk&#x27; bestaat niet (meer)."), "{again}");
    assert!(!again.contains("gemarkeerde velden"), "{again}");
    assert!(again.contains("<title>Fout: Document uploaden"), "{again}");

    // A file too large is refused, and the form keeps what the document belongs to, also
    // when that came before the file and other fields after it.
    let form = browser.get(format!("{}/documenten/nieuw?praktijk=dokwerk", app.address)).send().await.unwrap();
    let form = form.text().await.unwrap();
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", crate::common::hidden_field(&form, "csrf"))
        .text("practice", "dokwerk")
        .part("file", reqwest::multipart::Part::bytes(vec![b'a'; 2 * 1024 * 1024]).file_name("groot.txt"))
        .text("title", "Verslag van de heidag");
    let too_large =
        browser.post(format!("{}/documenten/nieuw", app.address)).multipart(multipart).send().await.unwrap();
    assert_eq!(too_large.status(), 422);
    let again = too_large.text().await.unwrap();
    assert!(again.contains("Het bestand is te groot: maximaal 1 MB."), "{again}");
    assert_eq!(crate::common::hidden_field(&again, "practice"), "dokwerk");

    let token = redacteur_token(&app).await;
    let text = format!("Verslag\n{}", "De werksessie ging over warme overdracht. ".repeat(500));
    let (status, document) = upload(&app, &token, "verslag.txt", text.into_bytes(), &[]).await;
    assert_eq!(status, 201, "{document}");
    let page = app.get(&format!("/documenten/{}", document["slug"].as_str().unwrap())).await.text().await.unwrap();
    assert!(page.contains("(21 kB)"), "{page}");

    app.stop().await;
    env.finish().await;
}
storage_test!(upload_form_names_a_hidden_owner_and_reads_sizes);
