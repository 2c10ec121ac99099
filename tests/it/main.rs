//! Integration tests: the real server on a random port with its own database and data
//! folder, driven over HTTP. Storage tests run on SQLite and on PostgreSQL
//! (`OOGST_TEST_DATABASE_URL`, else a private server, see `common::postgres_server`).

mod common;
#[path = "../../benches/shared/distractors.rs"]
mod distractors;
mod files;
#[path = "../../benches/shared/matching.rs"]
mod matching_set;
#[path = "../../benches/shared/relevance.rs"]
mod relevance_set;
mod smtp;

mod account_deletion;
mod accounts;
mod browse;
mod browser;
mod calls;
mod conformance;
mod contact;
mod documents;
mod editing;
mod events;
mod forms;
mod import;
mod introductions;
mod lifecycle;
mod matching;
mod member_import;
mod member_invitations;
mod news;
mod organisation_contacts;
mod pages;
mod people_search;
mod profiles;
mod questions;
mod relevance;
mod search;
mod security;
mod site_pages;
