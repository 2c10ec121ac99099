//! Uploaded files on documents, document themes, and news.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(News::Table)
                    .col(pk_auto(News::Id))
                    .col(string_uniq(News::Slug))
                    .col(string(News::Title))
                    .col(text(News::Summary))
                    .col(text(News::Body))
                    .col(timestamp_with_time_zone(News::PublishedAt))
                    .col(integer_null(News::AuthorId))
                    .col(string(News::AuthorName))
                    .col(json(News::Themes))
                    .col(json(News::Practices))
                    .col(timestamp_with_time_zone(News::CreatedAt))
                    .col(timestamp_with_time_zone(News::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_news_published").table(News::Table).col(News::PublishedAt).to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters a table one column at a time.
        let columns = [
            text(Documents::Description).default("").to_owned(),
            string(Documents::Kind).default("oogstdocument").to_owned(),
            json(Documents::Themes).default("[]").to_owned(),
            string_null(Documents::FileHash),
            string_null(Documents::FileName),
            string_null(Documents::ContentType),
            big_integer_null(Documents::FileSize),
            string(Documents::TextStatus).default("ok").to_owned(),
            integer_null(Documents::NewsId),
        ];
        for column in columns {
            manager.alter_table(Table::alter().table(Documents::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Documents::Description,
            Documents::Kind,
            Documents::Themes,
            Documents::FileHash,
            Documents::FileName,
            Documents::ContentType,
            Documents::FileSize,
            Documents::TextStatus,
            Documents::NewsId,
        ] {
            manager.alter_table(Table::alter().table(Documents::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(News::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum News {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    Body,
    PublishedAt,
    AuthorId,
    AuthorName,
    Themes,
    Practices,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Documents {
    Table,
    Description,
    Kind,
    Themes,
    FileHash,
    FileName,
    ContentType,
    FileSize,
    TextStatus,
    NewsId,
}
