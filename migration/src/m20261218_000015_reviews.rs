//! Reviewing applications: each call's criteria and scale, the reviewers the office assigns
//! to a call, their reviews, and the selection the office marks.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        let columns = [
            json(Calls::Criteria).default("[]").to_owned(),
            integer(Calls::ScaleMax).default(5).to_owned(),
            integer_null(Calls::Tranche),
        ];
        for column in columns {
            manager.alter_table(Table::alter().table(Calls::Table).add_column(column).to_owned()).await?;
        }
        let selected = boolean(Applications::Selected).default(false).to_owned();
        manager.alter_table(Table::alter().table(Applications::Table).add_column(selected).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(CallReviewers::Table)
                    .col(integer(CallReviewers::CallId))
                    .col(integer(CallReviewers::UserId))
                    .col(timestamp_with_time_zone(CallReviewers::CreatedAt))
                    .primary_key(Index::create().col(CallReviewers::CallId).col(CallReviewers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CallReviewers::Table, CallReviewers::CallId)
                            .to(Calls::Table, Calls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CallReviewers::Table, CallReviewers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .col(pk_auto(Reviews::Id))
                    .col(integer(Reviews::ApplicationId))
                    .col(integer(Reviews::ReviewerId))
                    // Criterion key → score, and criterion key → remark.
                    .col(json(Reviews::Scores))
                    .col(json(Reviews::Remarks))
                    // The reviewer declared a conflict of interest: no scores.
                    .col(boolean(Reviews::Conflict))
                    .col(timestamp_with_time_zone_null(Reviews::SubmittedAt))
                    .col(timestamp_with_time_zone(Reviews::CreatedAt))
                    .col(timestamp_with_time_zone(Reviews::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reviews::Table, Reviews::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reviews::Table, Reviews::ReviewerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_application_reviewer")
                    .table(Reviews::Table)
                    .col(Reviews::ApplicationId)
                    .col(Reviews::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Reviews::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CallReviewers::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Applications::Table).drop_column(Applications::Selected).to_owned())
            .await?;
        for column in [Calls::Criteria, Calls::ScaleMax, Calls::Tranche] {
            manager.alter_table(Table::alter().table(Calls::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Calls {
    Table,
    Id,
    Criteria,
    ScaleMax,
    Tranche,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    Selected,
}

#[derive(DeriveIden)]
enum CallReviewers {
    Table,
    CallId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    ApplicationId,
    ReviewerId,
    Scores,
    Remarks,
    Conflict,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
