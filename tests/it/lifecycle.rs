//! Restarts, crashes and rebuilds: the index is a cache of the database.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{app_with_fixtures, hit_slugs, import, Backend, TestEnv};
use crate::storage_test;

const QUERIES: [&str; 4] = ["q=thuiszitters", "q=OZA", "theme=thuiszitters&theme=monitoring", "q=warme+overdracht"];

async fn results(app: &crate::common::TestApp) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for query in QUERIES {
        all.push(hit_slugs(&app.search(query).await));
    }
    all
}

async fn restart_and_reindex_keep_results(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;
    let before = results(&app).await;
    assert!(before.iter().all(|hits| !hits.is_empty()), "{before:?}");
    app.stop().await;

    // A restart keeps data and index.
    let app = env.spawn(false).await;
    assert_eq!(results(&app).await, before);
    app.stop().await;

    // `oogst reindex` rebuilds from the database into a fresh folder.
    let config = env.config();
    let output = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .arg("reindex")
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &config.database_url)
        .output()
        .expect("oogst reindex runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("12 items"));
    let app = env.spawn(false).await;
    assert_eq!(results(&app).await, before);

    // While the server runs, reindex refuses instead of swapping the index under it.
    let busy = Command::new(env!("CARGO_BIN_EXE_oogst"))
        .arg("reindex")
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &config.database_url)
        .output()
        .unwrap();
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("oogst serve"));
    app.stop().await;

    // A deleted index is rebuilt from the database at start-up.
    std::fs::remove_dir_all(env.dir.path().join("index")).unwrap();
    let app = env.spawn(false).await;
    assert_eq!(results(&app).await, before);
    app.stop().await;
    env.finish().await;
}
storage_test!(restart_and_reindex_keep_results);

async fn changes_made_while_down_are_indexed_at_start(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = env.spawn(false).await;
    app.stop().await;
    // Written to the database and outbox while no server runs (as after a crash between
    // commit and indexing): start-up must apply them.
    let report = import(&env.config(), &[crate::common::fixtures("practices")]).await;
    assert_eq!(report.imported, 12);
    let app = env.spawn(false).await;
    assert_eq!(app.search("kind=practice").await["total"], 11);
    app.stop().await;
    env.finish().await;
}
storage_test!(changes_made_while_down_are_indexed_at_start);

/// Deletes the first file of the active index generation with this extension; returns the
/// generation's folder.
fn delete_index_file(data_dir: &Path, extension: &str) -> PathBuf {
    let index = data_dir.join("index");
    let generation = index.join(std::fs::read_to_string(index.join("CURRENT")).unwrap().trim());
    let file = std::fs::read_dir(&generation)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|found| found == extension))
        .unwrap_or_else(|| panic!("no .{extension} file in {}", generation.display()));
    std::fs::remove_file(file).unwrap();
    generation
}

fn reindex(env: &TestEnv) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_oogst"))
        .arg("reindex")
        .env("OOGST_DATA_DIR", env.dir.path())
        .env("OOGST_DATABASE_URL", &env.config().database_url)
        .output()
        .expect("oogst reindex runs")
}

async fn a_damaged_index_is_set_aside_and_rebuilt(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = app_with_fixtures(&env).await;
    let before = results(&app).await;
    app.stop().await;

    // A missing positions file: tantivy would only notice at the first phrase search.
    let damaged = delete_index_file(env.dir.path(), "pos");
    let app = env.spawn(false).await;
    assert_eq!(results(&app).await, before);
    assert!(PathBuf::from(format!("{}.damaged", damaged.display())).is_dir(), "the damaged generation is kept aside");

    // A server holding a damaged index still keeps reindex away.
    delete_index_file(env.dir.path(), "store");
    let busy = reindex(&env);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("oogst serve"));
    app.stop().await;

    // Without a server, reindex rebuilds past the damaged index.
    let rebuilt = reindex(&env);
    let output = format!("{}{}", String::from_utf8_lossy(&rebuilt.stdout), String::from_utf8_lossy(&rebuilt.stderr));
    assert!(rebuilt.status.success(), "{output}");
    assert!(output.contains("search index damaged") && output.contains("12 items"), "{output}");
    let app = env.spawn(false).await;
    assert_eq!(results(&app).await, before);
    app.stop().await;
    env.finish().await;
}
storage_test!(a_damaged_index_is_set_aside_and_rebuilt);
