//! Dutch full-text search over practices, documents, news, events and people. The index is a
//! cache of the database: `crate::search_sync` keeps it up to date through the outbox and
//! rebuilds it from scratch. A document some audiences may not see names them, and every
//! search leaves out what the searcher's audience may not see.

pub mod analyzer;
mod cache;
mod facets;
mod index;
pub mod query;
pub mod ranking;
mod schedule;
pub mod schema;
mod snippet;
mod store;
pub mod synonyms;

pub use index::{
    Hit, IndexSettings, SearchError, SearchIndex, SearchRequest, SearchResults, Sort, Widened, MAX_RESULT_WINDOW,
};
pub use ranking::Ranking;
pub use schema::{Audience, IndexItem, ItemKind, OrganisationRef, FACETS};
pub use store::IndexStore;
