//! Joining the network: the programme office's open calls (oproepen) to apply as
//! inspiratieregio or aandeelhouder.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Calls::Table)
                    .col(pk_auto(Calls::Id))
                    .col(string_uniq(Calls::Slug))
                    .col(string(Calls::Kind))
                    .col(string(Calls::Title))
                    .col(text(Calls::Introduction))
                    .col(timestamp_with_time_zone(Calls::OpensAt))
                    // None: open all year (the aandeelhouder route).
                    .col(timestamp_with_time_zone_null(Calls::ClosesAt))
                    .col(integer_null(Calls::Places))
                    .col(date_null(Calls::DecisionOn))
                    .col(json(Calls::Questions))
                    .col(integer_null(Calls::WordLimit))
                    .col(boolean(Calls::AttachmentsAllowed))
                    .col(integer_null(Calls::CreatedBy))
                    .col(timestamp_with_time_zone(Calls::CreatedAt))
                    .col(timestamp_with_time_zone(Calls::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Calls::Table, Calls::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Calls::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    Id,
    Slug,
    Kind,
    Title,
    Introduction,
    OpensAt,
    ClosesAt,
    Places,
    DecisionOn,
    Questions,
    WordLimit,
    AttachmentsAllowed,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
