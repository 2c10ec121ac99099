//! Organisations, the theme and advice taxonomies, practices, documents and the search outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_auto(Organisations::Id))
                    .col(string_uniq(Organisations::Slug))
                    .col(string(Organisations::Name))
                    .col(string(Organisations::Kind))
                    .col(string_null(Organisations::Province))
                    .col(json(Organisations::Municipalities))
                    .col(string_null(Organisations::Website))
                    .col(text(Organisations::Description))
                    .col(string(Organisations::NetworkRole))
                    .col(integer_null(Organisations::Tranche))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Themes::Table)
                    .col(pk_auto(Themes::Id))
                    .col(string_uniq(Themes::Slug))
                    .col(string(Themes::Name))
                    .col(text(Themes::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Advices::Table)
                    .col(pk_auto(Advices::Id))
                    .col(string_uniq(Advices::Slug))
                    .col(integer(Advices::Number))
                    .col(string(Advices::Name))
                    .col(text(Advices::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Practices::Table)
                    .col(pk_auto(Practices::Id))
                    .col(string_uniq(Practices::Slug))
                    .col(string(Practices::Title))
                    .col(text(Practices::Summary))
                    .col(text(Practices::Body))
                    .col(integer(Practices::OrganisationId))
                    .col(string_null(Practices::Province))
                    .col(json(Practices::AgeGroups))
                    .col(json(Practices::Partners))
                    .col(json(Practices::Results))
                    .col(string_null(Practices::ContactName))
                    .col(string_null(Practices::ContactRole))
                    .col(string_null(Practices::ContactEmail))
                    .col(json(Practices::Links))
                    .col(string(Practices::Status))
                    .col(timestamp_with_time_zone_null(Practices::PublishedAt))
                    .col(timestamp_with_time_zone(Practices::CreatedAt))
                    .col(timestamp_with_time_zone(Practices::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Practices::Table, Practices::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practices_organisation")
                    .table(Practices::Table)
                    .col(Practices::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_practices_status_published")
                    .table(Practices::Table)
                    .col(Practices::Status)
                    .col(Practices::PublishedAt)
                    .to_owned(),
            )
            .await?;
        create_link_table(manager, PracticeThemes::Table, PracticeThemes::ThemeId, Themes::Table, Themes::Id).await?;
        create_link_table(manager, PracticeAdvices::Table, PracticeAdvices::AdviceId, Advices::Table, Advices::Id)
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_auto(Documents::Id))
                    .col(string_uniq(Documents::Slug))
                    .col(string(Documents::Title))
                    .col(text(Documents::Body))
                    .col(integer_null(Documents::OrganisationId))
                    .col(integer_null(Documents::PracticeId))
                    .col(timestamp_with_time_zone(Documents::PublishedAt))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::PracticeId)
                            .to(Practices::Table, Practices::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(pk_auto(SearchOutbox::Id))
                    .col(string(SearchOutbox::ItemKind))
                    .col(integer(SearchOutbox::ItemId))
                    .col(timestamp_with_time_zone(SearchOutbox::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SearchOutbox::Table.into_iden(),
            Documents::Table.into_iden(),
            PracticeAdvices::Table.into_iden(),
            PracticeThemes::Table.into_iden(),
            Practices::Table.into_iden(),
            Advices::Table.into_iden(),
            Themes::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// A practice-to-taxonomy link table; rows go when their practice goes.
async fn create_link_table(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Copy + 'static,
    target_column: impl IntoIden + Copy + 'static,
    target_table: impl IntoIden + Copy + 'static,
    target_id: impl IntoIden + Copy + 'static,
) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(table)
                .col(integer(LinkColumn::PracticeId))
                .col(integer(target_column))
                .primary_key(Index::create().col(LinkColumn::PracticeId).col(target_column))
                .foreign_key(
                    ForeignKey::create()
                        .from(table, LinkColumn::PracticeId)
                        .to(Practices::Table, Practices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(table, target_column)
                        .to(target_table, target_id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum LinkColumn {
    PracticeId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    Province,
    Municipalities,
    Website,
    Description,
    NetworkRole,
    Tranche,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Themes {
    Table,
    Id,
    Slug,
    Name,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum Advices {
    Table,
    Id,
    Slug,
    Number,
    Name,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum Practices {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    Body,
    OrganisationId,
    Province,
    AgeGroups,
    Partners,
    Results,
    ContactName,
    ContactRole,
    ContactEmail,
    Links,
    Status,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PracticeThemes {
    Table,
    ThemeId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PracticeAdvices {
    Table,
    AdviceId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Documents {
    Table,
    Id,
    Slug,
    Title,
    Body,
    OrganisationId,
    PracticeId,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SearchOutbox {
    Table,
    Id,
    ItemKind,
    ItemId,
    CreatedAt,
}
