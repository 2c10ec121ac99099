//! Oogst: the knowledge platform of the learning network "Met Andere Ogen".
//!
//! Layers, each importing only the ones below it (no module imports one above, and the
//! domains form no cycle):
//! - `startup`, `cli`, `demo`: the application as a whole;
//! - `routes` (HTTP, thin: HTML pages and `/api/v1` JSON);
//! - work that spans domains: `search_sync` (the index kept in step with the database),
//!   `member_list` and `import` (bulk imports), and `matching` (experts and practices
//!   suggested for a question, drawing on `profiles`, `practices`, `documents` and `search`);
//! - domain modules owning the rules (`practices`, `documents`, `events`, `news`,
//!   `organisations`, `profiles`, `accounts`, `site_pages`, `taxonomy`, `personal_data`,
//!   `contact`, the relay between members, which draws on `profiles` and `practices`, and
//!   `questions`, the question desk, and `calls`, the open calls to join the network);
//! - shared parts below the domains: `actor` (the acting person and who may do what),
//!   `audit`, `outbox`, `search` (the tantivy index, which knows no domain), `mail`,
//!   `validation`, `dutch_time`, `link_token`, `vocabulary`, `markdown`, `pagination`, `db`, `config`;
//! - sea-orm entities (the `entity` crate).

/// mimalloc instead of the system allocator, for the server, the CLI, the tests and the
/// benchmarks alike: a search allocates and frees many small buffers (posting blocks, stored
/// documents, snippets) on several threads, and glibc's allocator took an eighth of a
/// search's time (see benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod calls;
pub mod cli;
pub mod config;
pub mod contact;
pub mod db;
pub mod demo;
pub mod documents;
pub mod dutch_time;
pub mod events;
pub mod import;
pub mod link_token;
pub mod mail;
pub mod markdown;
pub mod matching;
pub mod member_list;
pub mod news;
pub mod organisations;
pub mod outbox;
pub mod pagination;
pub mod personal_data;
pub mod practices;
pub mod profiles;
pub mod questions;
pub mod routes;
pub mod search;
pub mod search_sync;
pub mod site_pages;
pub mod spreadsheet;
pub mod startup;
pub mod taxonomy;
pub mod templates;
pub mod validation;
pub mod vocabulary;
