//! Keeps the index in step with the database: the outbox worker applies recorded changes
//! in batches, and a rebuild writes a fresh index generation from scratch.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use indicatif::ProgressBar;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entity::{document, search_outbox};

use crate::questions::archive;
use crate::search::{IndexItem, IndexSettings, IndexStore, ItemKind, SearchError, SearchIndex};
use crate::{documents, events, news, practices, profiles};

/// Outbox rows applied per commit, and items loaded per query during a rebuild.
const BATCH: u64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("index task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Applies every pending outbox row to the index, a batch per commit. Returns how many
/// rows were applied. Idempotent: a crash between commit and delete re-applies a batch.
pub async fn apply_outbox(db: &DatabaseConnection, index: &Arc<SearchIndex>) -> Result<usize, SyncError> {
    let mut applied = 0;
    loop {
        let rows = search_outbox::Entity::find().order_by_asc(search_outbox::Column::Id).limit(BATCH).all(db).await?;
        let Some(last) = rows.last().map(|row| row.id) else {
            return Ok(applied);
        };
        let mut keys: BTreeSet<(ItemKind, i32)> =
            rows.iter().filter_map(|row| Some((ItemKind::parse(&row.item_kind)?, row.item_id))).collect();
        keys.extend(attached_documents(db, &keys).await?);
        let items = load_items(db, &keys).await?;
        let keys: Vec<(ItemKind, i32)> = keys.into_iter().collect();
        let writer_index = Arc::clone(index);
        tokio::task::spawn_blocking(move || writer_index.replace(&keys, &items)).await??;
        search_outbox::Entity::delete_many().filter(search_outbox::Column::Id.lte(last)).exec(db).await?;
        applied += rows.len();
    }
}

fn ids_of(keys: &BTreeSet<(ItemKind, i32)>, wanted: ItemKind) -> Vec<i32> {
    keys.iter().filter(|(kind, _)| *kind == wanted).map(|(_, id)| *id).collect()
}

/// Documents take the visibility of what they are attached to: when a practice, news item
/// or event changes (published, archived, scheduled, members only), so do its documents.
async fn attached_documents(
    db: &DatabaseConnection,
    keys: &BTreeSet<(ItemKind, i32)>,
) -> Result<Vec<(ItemKind, i32)>, DbErr> {
    let ids = documents::attached_ids(
        db,
        &ids_of(keys, ItemKind::Practice),
        &ids_of(keys, ItemKind::News),
        &ids_of(keys, ItemKind::Event),
    )
    .await?;
    Ok(ids.into_iter().map(|id| (ItemKind::Document, id)).collect())
}

async fn load_items(db: &DatabaseConnection, keys: &BTreeSet<(ItemKind, i32)>) -> Result<Vec<IndexItem>, DbErr> {
    let ids_of = |wanted: ItemKind| ids_of(keys, wanted);
    let mut items = practices::index_items(db, &ids_of(ItemKind::Practice)).await?;
    items.extend(documents::index_items(db, &ids_of(ItemKind::Document)).await?);
    items.extend(news::index_items(db, &ids_of(ItemKind::News)).await?);
    items.extend(events::index_items(db, &ids_of(ItemKind::Event)).await?);
    items.extend(profiles::index_items(db, &ids_of(ItemKind::Person)).await?);
    items.extend(archive::index_items(db, &ids_of(ItemKind::Question)).await?);
    Ok(items)
}

/// The long-running worker that owns index writes while the server runs. It polls the
/// outbox, so changes from any process (the server, an import) are picked up alike.
pub async fn run_worker(db: DatabaseConnection, index: Arc<SearchIndex>, poll: Duration) {
    loop {
        if let Err(error) = apply_outbox(&db, &index).await {
            tracing::error!(%error, "applying search outbox failed; retrying");
        }
        tokio::time::sleep(poll).await;
    }
}

/// Opens the active index, or builds one from the database when there is none (first
/// start, a deleted index, or a new schema version) or it is damaged.
pub async fn open_or_rebuild(
    db: &DatabaseConnection,
    store: &IndexStore,
    settings: IndexSettings,
) -> Result<Arc<SearchIndex>, SyncError> {
    if let Some(index) = open_current(store, settings)? {
        return Ok(Arc::new(index));
    }
    tracing::info!("no usable search index; building one from the database");
    rebuild(db, store, settings, None).await
}

/// The active generation, opened; `None` when there is none, or when it cannot be opened:
/// then it is set aside with a warning, since the database can always rebuild it. `Busy`
/// while another process writes it.
fn open_current(store: &IndexStore, settings: IndexSettings) -> Result<Option<SearchIndex>, SearchError> {
    let Some(current) = store.current()? else {
        return Ok(None);
    };
    match SearchIndex::open(&current, settings) {
        Ok(index) => Ok(Some(index)),
        Err(SearchError::Busy) => Err(SearchError::Busy),
        Err(error) => {
            let aside = store.set_aside(&current)?;
            tracing::warn!(%error, set_aside = %aside.display(), "search index damaged; rebuilding it from the database");
            Ok(None)
        }
    }
}

/// Builds a complete index in a fresh generation, then swaps it in.
pub async fn rebuild(
    db: &DatabaseConnection,
    store: &IndexStore,
    settings: IndexSettings,
    progress: Option<&ProgressBar>,
) -> Result<Arc<SearchIndex>, SyncError> {
    // Fails with `Busy` while a server holds the writer: it would miss the swap.
    drop(open_current(store, settings)?);
    // Everything recorded up to now is covered by reading the tables afterwards.
    let covered =
        search_outbox::Entity::find().order_by_desc(search_outbox::Column::Id).one(db).await?.map(|row| row.id);
    if let Some(bar) = progress {
        let total = practices::count_published(db).await?
            + document::Entity::find().count(db).await?
            + entity::news::Entity::find().count(db).await?
            + entity::event::Entity::find().count(db).await?
            + entity::profile::Entity::find().count(db).await?
            + archive::count(db).await?;
        bar.set_length(total);
    }
    let generation = store.new_generation().map_err(SearchError::from)?;
    let index = Arc::new(SearchIndex::open(&generation, settings)?);
    for kind in ItemKind::ALL {
        let mut after = 0;
        loop {
            let (items, last) = index_items_after(db, kind, after).await?;
            let Some(last) = last else { break };
            let (count, batch_index) = (items.len() as u64, Arc::clone(&index));
            tokio::task::spawn_blocking(move || batch_index.add_batch(&items)).await??;
            if let Some(bar) = progress {
                bar.inc(count);
            }
            after = last;
        }
    }
    let commit_index = Arc::clone(&index);
    tokio::task::spawn_blocking(move || commit_index.commit()).await??;
    store.activate(&generation).map_err(SearchError::from)?;
    if let Some(covered) = covered {
        search_outbox::Entity::delete_many().filter(search_outbox::Column::Id.lte(covered)).exec(db).await?;
    }
    Ok(index)
}

/// The next batch of items of `kind` after database id `after`, as the index holds them
/// (public items once, people once per level that may see them), and the last id read
/// (`None` when there are no more).
pub async fn index_items_after(
    db: &DatabaseConnection,
    kind: ItemKind,
    after: i32,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    match kind {
        ItemKind::Practice => practices::index_items_after(db, after, BATCH).await,
        ItemKind::Document => documents::index_items_after(db, after, BATCH).await,
        ItemKind::News => news::index_items_after(db, after, BATCH).await,
        ItemKind::Event => events::index_items_after(db, after, BATCH).await,
        ItemKind::Person => profiles::index_items_after(db, after, BATCH).await,
        ItemKind::Question => archive::index_items_after(db, after, BATCH).await,
    }
}
