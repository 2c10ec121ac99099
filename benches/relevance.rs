//! Ranking quality on the judged queries of `benches/relevance/queries.yaml`: Oogst as it
//! ranks, the same with each ranking feature switched off, and a baseline (plain BM25 over
//! title and body with the classic Dutch Snowball stemmer), all on one corpus in one run.
//! `cargo bench --bench relevance`; see benches/relevance/README.md.

#[path = "shared/distractors.rs"]
mod distractors;
#[path = "shared/relevance.rs"]
mod relevance;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use oogst::search::Ranking;
use relevance::{figures, Baseline, Corpus, Figures, Judged, TABLE_HEADER};

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("relevance bench failed: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Each ranking feature switched off in turn: what it is worth is the difference with Oogst.
fn variants() -> Vec<(&'static str, Ranking)> {
    let oogst = Ranking::default();
    vec![
        ("Oogst", oogst),
        ("Oogst without title weight", Ranking { title_weight: 0.0, ..oogst }),
        ("Oogst with title weight 1", Ranking { title_weight: 1.0, ..oogst }),
        ("Oogst without compound parts", Ranking { compounds: false, ..oogst }),
        ("Oogst without synonyms/acronyms", Ranking { synonyms: false, ..oogst }),
        ("Oogst without typo tolerance", Ranking { typos: false, ..oogst }),
        ("Oogst with proximity", Ranking { proximity: true, ..oogst }),
        ("Oogst with a minimum match of 50%", Ranking { min_match_share: 0.5, ..oogst }),
        ("Oogst with every feature off", Ranking::plain()),
    ]
}

async fn run() -> Result<()> {
    let pages = distractors::load();
    if pages.is_empty() {
        println!(
            "note: no distractor corpus on this machine (apt-get install {}); no distractors",
            distractors::PACKAGES.join(" ")
        );
    }
    println!("## Demo content among {} distractor pages\n", pages.len());
    evaluate(Corpus::Demo, &pages, &relevance::judged()).await?;
    let seeds = relevance::seed_documents();
    if seeds.is_empty() {
        println!("\n(no seed documents next to the repository: the seed set is left out)");
    } else {
        println!("\n## {} seed documents among {} distractor pages\n", seeds.len(), pages.len());
        evaluate(Corpus::Seeds(&seeds), &pages, &relevance::seed_judged()).await?;
    }
    Ok(())
}

/// One judged set on its own corpus: the comparison, the figures by kind of query, and the
/// queries whose wanted item is not near the top.
async fn evaluate(corpus: Corpus<'_>, pages: &[distractors::Distractor], judged: &[Judged]) -> Result<()> {
    let started = Instant::now();
    let folder = tempfile::tempdir()?;
    let storage = relevance::build_corpus(folder.path(), corpus, pages).await?;
    let items = relevance::indexed_items(&storage).await?;
    let baseline = Baseline::build(&items)?;
    println!(
        "{} items, {} judged queries; set up in {:.1} s\n",
        items.len(),
        judged.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{TABLE_HEADER}");
    println!("{}", figures(judged, |text| baseline.ranking(text)).row("baseline: BM25, title + body, Snowball"));
    for (name, ranking) in variants() {
        println!("{}", figures(judged, |text| relevance::oogst_ranking(&storage, text, &ranking)).row(name));
    }

    let by_kind = group_by_kind(judged);
    println!("\nBy kind of query:\n\n{TABLE_HEADER}");
    for (kind, queries) in &by_kind {
        let queries = queries.iter().copied();
        println!("{}", figures(queries.clone(), |text| baseline.ranking(text)).row(&format!("baseline, {kind}")));
        let oogst: Figures = figures(queries, |text| relevance::oogst_ranking(&storage, text, &Ranking::default()));
        println!("{}", oogst.row(&format!("Oogst, {kind}")));
    }

    // OOGST_BENCH_LIST_FROM_RANK=2 lists every query whose wanted item is not first.
    let list_from: usize = std::env::var("OOGST_BENCH_LIST_FROM_RANK").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    println!("\nQueries where Oogst ranks the wanted item below {}:\n", list_from - 1);
    for query in judged {
        let ranked = relevance::oogst_ranking(&storage, &query.query, &Ranking::default());
        let rank = ranked.iter().position(|key| query.relevant.get(key) == Some(&2));
        if rank.is_none_or(|rank| rank + 1 >= list_from) {
            let found = rank.map_or("not in the first ten".to_string(), |rank| format!("rank {}", rank + 1));
            println!("- {:?} ({found}; first: {})", query.query, ranked.first().map_or("nothing", String::as_str));
        }
    }
    Ok(())
}

fn group_by_kind(judged: &[Judged]) -> BTreeMap<&str, Vec<&Judged>> {
    let mut groups: BTreeMap<&str, Vec<&Judged>> = BTreeMap::new();
    for query in judged {
        groups.entry(query.kind.as_str()).or_default().push(query);
    }
    groups
}
