//! The question desk: questions asked by anyone (confirmed by mail first when asked without
//! an account), the themes they touch, and the office's queue over them. The archive columns
//! (`public_text`, `published_at`) are filled later, when an answered question is published.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(pk_auto(Questions::Id))
                    .col(string(Questions::Name))
                    .col(string(Questions::Email))
                    .col(string(Questions::Organisation))
                    .col(string(Questions::Role))
                    .col(string_null(Questions::Province))
                    .col(string(Questions::Municipality))
                    .col(text(Questions::Question))
                    .col(text(Questions::Context))
                    .col(text(Questions::Tried))
                    .col(date_null(Questions::NeededBy))
                    .col(boolean(Questions::ShareAnonymised).default(false))
                    .col(string(Questions::Status))
                    .col(integer_null(Questions::HandlerId))
                    .col(integer_null(Questions::AskerUserId))
                    .col(string(Questions::Source))
                    .col(string_null(Questions::ConfirmTokenHash))
                    .col(timestamp_with_time_zone_null(Questions::ConfirmExpiresAt))
                    .col(timestamp_with_time_zone_null(Questions::ConfirmedAt))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .col(timestamp_with_time_zone(Questions::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Questions::ClosedAt))
                    .col(text_null(Questions::PublicText))
                    .col(timestamp_with_time_zone_null(Questions::PublishedAt))
                    .foreign_key(&mut set_null(Questions::HandlerId))
                    .foreign_key(&mut set_null(Questions::AskerUserId))
                    .to_owned(),
            )
            .await?;
        // The office's queue lists confirmed questions by status, oldest or newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_queue")
                    .table(Questions::Table)
                    .col(Questions::Status)
                    .col(Questions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_confirm_token")
                    .table(Questions::Table)
                    .col(Questions::ConfirmTokenHash)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuestionThemes::Table)
                    .col(integer(QuestionThemes::QuestionId))
                    .col(integer(QuestionThemes::ThemeId))
                    .primary_key(Index::create().col(QuestionThemes::QuestionId).col(QuestionThemes::ThemeId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionThemes::Table, QuestionThemes::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionThemes::Table, QuestionThemes::ThemeId)
                            .to(Themes::Table, Themes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_question_themes_theme")
                    .table(QuestionThemes::Table)
                    .col(QuestionThemes::ThemeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(QuestionThemes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Questions::Table).to_owned()).await
    }
}

/// A question outlives the accounts it names: the asker's contact details are kept on the
/// question itself, so deleting an account only empties the reference.
fn set_null(column: Questions) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Questions::Table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::SetNull)
        .to_owned()
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    Name,
    Email,
    Organisation,
    Role,
    Province,
    Municipality,
    Question,
    Context,
    Tried,
    NeededBy,
    ShareAnonymised,
    Status,
    HandlerId,
    AskerUserId,
    Source,
    ConfirmTokenHash,
    ConfirmExpiresAt,
    ConfirmedAt,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
    PublicText,
    PublishedAt,
}

#[derive(DeriveIden)]
enum QuestionThemes {
    Table,
    QuestionId,
    ThemeId,
}

#[derive(DeriveIden)]
enum Themes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
