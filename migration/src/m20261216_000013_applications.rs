//! Applications to join the network: answers to a call's questions, kept as a draft behind
//! a private link until submitted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(pk_auto(Applications::Id))
                    .col(integer(Applications::CallId))
                    .col(string(Applications::Email))
                    // The private link's SHA-256; the link itself is only in the applicant's mail.
                    .col(string_uniq(Applications::TokenHash))
                    .col(string(Applications::Status))
                    .col(timestamp_with_time_zone_null(Applications::ConfirmedAt))
                    .col(json(Applications::Details))
                    .col(json(Applications::Answers))
                    .col(timestamp_with_time_zone_null(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Applications::WithdrawnAt))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::CallId)
                            .to(Calls::Table, Calls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One application per address and call: asking again mails a new link to the same one.
        manager
            .create_index(
                Index::create()
                    .name("idx_applications_call_email")
                    .table(Applications::Table)
                    .col(Applications::CallId)
                    .col(Applications::Email)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Applications::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    CallId,
    Email,
    TokenHash,
    Status,
    ConfirmedAt,
    Details,
    Answers,
    SubmittedAt,
    WithdrawnAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    Id,
}
