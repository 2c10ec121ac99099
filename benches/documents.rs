//! Document extraction and import: `cargo bench --bench documents`.
//!
//! - extraction MB/s for PDF and DOCX, in this process and through the isolated child
//!   process the server uses (`oogst extract-text`, built by `cargo build --release`);
//! - importing 1,000 documents (PDF, DOCX, text) next to 5,000 practices;
//! - search latency p50/p99 for a fixed query mix before and after adding the documents.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use oogst::config::Config;
use oogst::documents::extract::{self, FileKind};
use oogst::documents::Uploads;
use oogst::search::{SearchRequest, Sort};

const PRACTICES: usize = 5_000;
const DOCUMENTS: usize = 1_000;
const WORDS: &[&str] = &[
    "leerlingen",
    "ouders",
    "school",
    "jeugdhulp",
    "gemeente",
    "samenwerkingsverband",
    "thuiszitters",
    "zorg",
    "onderwijs",
    "kinderopvang",
    "overdracht",
    "warme",
    "aanpak",
    "regio",
    "team",
    "begeleiding",
    "verzuim",
    "afspraken",
    "monitor",
    "doorgaande",
    "lijn",
    "peuters",
    "coöperatie",
    "geïnteresseerde",
    "één",
    "plan",
    "werkwijze",
    "professionals",
    "wijkteam",
    "leerplicht",
    "passend",
    "arrangement",
    "inspiratieregio",
    "oogst",
];
const QUERIES: &[&str] = &[
    "thuiszitters",
    "warme overdracht",
    "jeugdhulp school",
    "samenwerkingsverband aanpak",
    "oza",
    "kinderopvang peuters",
    "leerplicht verzuim",
    "regio team",
    "doorgaande lijn",
    "wijkteam ouders begeleiding",
];

fn sentence(seed: &mut u64, words: usize) -> String {
    (0..words)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            WORDS[(*seed >> 33) as usize % WORDS.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pdf(pages: usize, seed: &mut u64) -> Vec<u8> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = document.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for _ in 0..pages {
        let mut operations = vec![Operation::new("BT", vec![]), Operation::new("Tf", vec!["F1".into(), 10.into()])];
        for line in 0..45 {
            let text: Vec<u8> =
                sentence(seed, 12).chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
            operations.push(Operation::new(
                "Tm",
                vec![1.into(), 0.into(), 0.into(), 1.into(), 40.into(), (800 - 17 * line).into()],
            ));
            operations.push(Operation::new("Tj", vec![Object::String(text, StringFormat::Literal)]));
        }
        operations.push(Operation::new("ET", vec![]));
        let content_id = document.add_object(Stream::new(dictionary! {}, Content { operations }.encode().unwrap()));
        kids.push(
            document
                .add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id })
                .into(),
        );
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).unwrap();
    bytes
}

fn docx(paragraphs: usize, seed: &mut u64) -> Vec<u8> {
    let body: String =
        (0..paragraphs).map(|_| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", sentence(seed, 40))).collect();
    let xml = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [("[Content_Types].xml", b"<Types/>".as_slice()), ("word/document.xml", xml.as_bytes())] {
        writer.start_file(name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

fn extractor() -> PathBuf {
    let release = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/oogst");
    if release.exists() {
        release
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/debug/oogst")
    }
}

async fn run() {
    let mut seed = 7u64;
    println!("== extraction");
    for (label, kind, bytes) in
        [("PDF", FileKind::Pdf, pdf(60, &mut seed)), ("DOCX", FileKind::Docx, docx(2500, &mut seed))]
    {
        let megabytes = bytes.len() as f64 / 1_048_576.0;
        let started = Instant::now();
        let text = extract::extract(kind, &bytes).unwrap();
        let in_process = started.elapsed().as_secs_f64();
        let started = Instant::now();
        extract::isolated(&extractor(), kind, bytes.clone()).await.unwrap();
        let isolated = started.elapsed().as_secs_f64();
        println!(
            "{label:5} {megabytes:5.2} MB file, {:5.2} MB text: {:6.1} MB/s in process, {:6.1} MB/s isolated ({:.0} ms)",
            text.len() as f64 / 1_048_576.0,
            megabytes / in_process,
            megabytes / isolated,
            isolated * 1000.0
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let practices = dir.path().join("practices");
    let documents = dir.path().join("documents");
    std::fs::create_dir_all(&practices).unwrap();
    std::fs::create_dir_all(&documents).unwrap();
    for number in 0..PRACTICES {
        let text = format!(
            "---\ntitle: {}\norganisation: Organisatie {}\nsummary: {}\n---\n{}\n",
            sentence(&mut seed, 6),
            number % 200,
            sentence(&mut seed, 20),
            sentence(&mut seed, 300)
        );
        std::fs::write(practices.join(format!("praktijk-{number}.md")), text).unwrap();
    }
    let mut total_bytes = 0;
    for number in 0..DOCUMENTS {
        let (name, bytes) = match number % 3 {
            0 => (format!("verslag-{number}.pdf"), pdf(3, &mut seed)),
            1 => (format!("plan-{number}.docx"), docx(30, &mut seed)),
            _ => (
                format!("notitie-{number}.txt"),
                format!("Notitie {number}\n{}", sentence(&mut seed, 400)).into_bytes(),
            ),
        };
        total_bytes += bytes.len();
        std::fs::write(documents.join(name), bytes).unwrap();
    }

    let mut config = Config::for_data_dir(dir.path().join("data"));
    config.extractor = extractor().display().to_string();
    let uploads = Uploads::from_config(&config).unwrap();
    let db = oogst::startup::connect(&config).await.unwrap();
    oogst::import::import_paths(&db, &uploads, &[practices], &ProgressBar::hidden()).await.unwrap();
    let storage = oogst::startup::Storage::open(&config).await.unwrap();
    let before = latencies(&storage.search);

    let started = Instant::now();
    let report = oogst::import::import_paths(&db, &uploads, &[documents], &ProgressBar::hidden()).await.unwrap();
    oogst::search_sync::apply_outbox(&db, &storage.search).await.unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(report.failed.is_empty(), "{:?}", report.failed.first());
    println!("\n== import");
    println!(
        "{DOCUMENTS} documents ({:.1} MB) imported and indexed in {elapsed:.1} s: {:.0} documents/s",
        total_bytes as f64 / 1_048_576.0,
        DOCUMENTS as f64 / elapsed
    );
    let after = latencies(&storage.search);
    println!("\n== search latency ({PRACTICES} practices, then + {DOCUMENTS} documents)");
    println!("before: p50 {:.2} ms, p99 {:.2} ms", before.0, before.1);
    println!(
        "after:  p50 {:.2} ms, p99 {:.2} ms ({:+.0}% p50, {:+.0}% p99)",
        after.0,
        after.1,
        (after.0 / before.0 - 1.0) * 100.0,
        (after.1 / before.1 - 1.0) * 100.0
    );
}

/// p50 and p99 in milliseconds over the query mix, repeated.
fn latencies(index: &oogst::search::SearchIndex) -> (f64, f64) {
    let mut samples = Vec::new();
    for round in 0..60 {
        for query in QUERIES {
            let request =
                SearchRequest { text: query.to_string(), sort: Sort::Relevance, limit: 20, ..Default::default() };
            let started = Instant::now();
            index.search(&request).unwrap();
            if round > 0 {
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[samples.len() * 99 / 100])
}
