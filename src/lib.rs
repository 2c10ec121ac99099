//! Oogst: the knowledge platform of the learning network "Met Andere Ogen".
//!
//! Layers: `routes` (HTTP, thin) → domain modules (`practices`, `organisations`,
//! `documents`, `taxonomy`, `import`, `demo`) → sea-orm entities (`entity` crate).
//! `search` owns the tantivy index, kept in step with the database through the
//! `outbox`.

pub mod accounts;
pub mod audit;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod events;
pub mod import;
pub mod mail;
pub mod markdown;
pub mod news;
pub mod organisations;
pub mod outbox;
pub mod pagination;
pub mod personal_data;
pub mod practices;
pub mod profiles;
pub mod routes;
pub mod search;
pub mod site_pages;
pub mod startup;
pub mod taxonomy;
pub mod templates;
pub mod validation;
