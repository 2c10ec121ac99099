//! Pages the programme office words itself (accessibility statement, privacy statement,
//! contact). A page without a row shows its default text, so only edited pages are stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SitePages::Table)
                    .col(string(SitePages::Slug).primary_key())
                    .col(string(SitePages::Title))
                    .col(text(SitePages::BodyMarkdown))
                    .col(timestamp_with_time_zone(SitePages::UpdatedAt))
                    .col(string(SitePages::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SitePages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SitePages {
    Table,
    Slug,
    Title,
    BodyMarkdown,
    UpdatedAt,
    UpdatedBy,
}
