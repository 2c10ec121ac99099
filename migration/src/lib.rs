//! Database migrations, applied by `oogst serve` at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261130_000001_foundation;
mod m20261130_000002_accounts_and_mail;
mod m20261130_000003_files_and_news;
mod m20261130_000004_events;
mod m20261210_000005_event_sequence;
mod m20261211_000006_site_pages;
mod m20261212_000007_profiles;
mod m20261213_000008_organisation_contacts;
mod m20261213_000009_contact_relay;
mod m20261214_000010_questions;
mod m20261214_000011_question_introductions;
mod m20261215_000012_calls;
mod m20261216_000013_applications;
mod m20261217_000014_application_attachments;
mod m20261218_000015_reviews;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_foundation::Migration),
            Box::new(m20261130_000002_accounts_and_mail::Migration),
            Box::new(m20261130_000003_files_and_news::Migration),
            Box::new(m20261130_000004_events::Migration),
            Box::new(m20261210_000005_event_sequence::Migration),
            Box::new(m20261211_000006_site_pages::Migration),
            Box::new(m20261212_000007_profiles::Migration),
            Box::new(m20261213_000008_organisation_contacts::Migration),
            Box::new(m20261213_000009_contact_relay::Migration),
            Box::new(m20261214_000010_questions::Migration),
            Box::new(m20261214_000011_question_introductions::Migration),
            Box::new(m20261215_000012_calls::Migration),
            Box::new(m20261216_000013_applications::Migration),
            Box::new(m20261217_000014_application_attachments::Migration),
            Box::new(m20261218_000015_reviews::Migration),
        ]
    }
}
