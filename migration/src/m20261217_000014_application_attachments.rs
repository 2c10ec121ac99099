//! Files an applicant attaches to an application, when the call allows attachments.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicationAttachments::Table)
                    .col(pk_auto(ApplicationAttachments::Id))
                    .col(integer(ApplicationAttachments::ApplicationId))
                    // The file lives in the file store by this SHA-256, like a document's.
                    .col(string(ApplicationAttachments::FileHash))
                    .col(string(ApplicationAttachments::FileName))
                    .col(string(ApplicationAttachments::ContentType))
                    .col(big_integer(ApplicationAttachments::FileSize))
                    .col(timestamp_with_time_zone(ApplicationAttachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationAttachments::Table, ApplicationAttachments::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_attachments_application")
                    .table(ApplicationAttachments::Table)
                    .col(ApplicationAttachments::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApplicationAttachments::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ApplicationAttachments {
    Table,
    Id,
    ApplicationId,
    FileHash,
    FileName,
    ContentType,
    FileSize,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}
