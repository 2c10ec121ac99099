//! Member profiles: one per account, with a visibility per field and the owner's consent to
//! appear in the directory (`listed`, and when that was last chosen).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Profiles::Table)
                    .col(pk_auto(Profiles::Id))
                    .col(integer_uniq(Profiles::UserId))
                    .col(string_uniq(Profiles::Slug))
                    .col(string(Profiles::DisplayName))
                    .col(string(Profiles::JobTitle))
                    .col(string_null(Profiles::Province))
                    .col(json(Profiles::Municipalities))
                    .col(json(Profiles::Themes))
                    .col(json(Profiles::Advices))
                    .col(json(Profiles::Keywords))
                    .col(string_null(Profiles::ExpertiseKind))
                    .col(text(Profiles::Bio))
                    .col(json(Profiles::Languages))
                    .col(boolean(Profiles::Available))
                    .col(integer_null(Profiles::MaxRequestsPerMonth))
                    .col(boolean(Profiles::Listed).default(false))
                    .col(timestamp_with_time_zone_null(Profiles::ListedChangedAt))
                    .col(boolean(Profiles::HiddenByOffice).default(false))
                    .col(json(Profiles::Visibility))
                    .col(timestamp_with_time_zone(Profiles::CreatedAt))
                    .col(timestamp_with_time_zone(Profiles::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Profiles::Table, Profiles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_profiles_directory")
                    .table(Profiles::Table)
                    .col(Profiles::Listed)
                    .col(Profiles::HiddenByOffice)
                    .col(Profiles::DisplayName)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Profiles::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    Id,
    UserId,
    Slug,
    DisplayName,
    JobTitle,
    Province,
    Municipalities,
    Themes,
    Advices,
    Keywords,
    ExpertiseKind,
    Bio,
    Languages,
    Available,
    MaxRequestsPerMonth,
    Listed,
    ListedChangedAt,
    HiddenByOffice,
    Visibility,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
