//! The question desk's handling: introductions of experts to a question (a request the expert
//! accepts or declines by a link that works without logging in), the office's own replies to
//! the asker, the practices that helped, and the follow-up that asks the asker whether it helped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The archive: a title and the anonymised answer beside the anonymised question text;
        // and when the asker's personal data was removed. (SQLite alters one column at a time.)
        for column in [
            string_null(Questions::PublicTitle),
            text_null(Questions::PublicAnswer),
            timestamp_with_time_zone_null(Questions::PersonalDataRemovedAt),
        ] {
            manager.alter_table(Table::alter().table(Questions::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(QuestionIntroductions::Table)
                    .col(pk_auto(QuestionIntroductions::Id))
                    .col(integer(QuestionIntroductions::QuestionId))
                    .col(integer(QuestionIntroductions::ProfileId))
                    .col(string(QuestionIntroductions::Status))
                    .col(string_uniq(QuestionIntroductions::TokenHash))
                    .col(text(QuestionIntroductions::Note))
                    .col(integer_null(QuestionIntroductions::RequestedBy))
                    .col(timestamp_with_time_zone(QuestionIntroductions::RequestedAt))
                    .col(timestamp_with_time_zone(QuestionIntroductions::AnswerBy))
                    .col(timestamp_with_time_zone_null(QuestionIntroductions::AnsweredAt))
                    .col(text_null(QuestionIntroductions::DeclineReason))
                    .foreign_key(&mut to_question(QuestionIntroductions::Table, QuestionIntroductions::QuestionId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionIntroductions::Table, QuestionIntroductions::ProfileId)
                            .to(Profiles::Table, Profiles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut to_user(QuestionIntroductions::Table, QuestionIntroductions::RequestedBy))
                    .to_owned(),
            )
            .await?;
        // An expert is asked once per question; the expiry sweep looks for open requests.
        manager
            .create_index(
                Index::create()
                    .name("idx_question_introductions_expert")
                    .table(QuestionIntroductions::Table)
                    .col(QuestionIntroductions::QuestionId)
                    .col(QuestionIntroductions::ProfileId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_question_introductions_open")
                    .table(QuestionIntroductions::Table)
                    .col(QuestionIntroductions::Status)
                    .col(QuestionIntroductions::AnswerBy)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuestionReplies::Table)
                    .col(pk_auto(QuestionReplies::Id))
                    .col(integer(QuestionReplies::QuestionId))
                    .col(integer_null(QuestionReplies::AuthorId))
                    .col(string(QuestionReplies::AuthorName))
                    .col(text(QuestionReplies::Body))
                    .col(timestamp_with_time_zone(QuestionReplies::CreatedAt))
                    .foreign_key(&mut to_question(QuestionReplies::Table, QuestionReplies::QuestionId))
                    .foreign_key(&mut to_user(QuestionReplies::Table, QuestionReplies::AuthorId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuestionPractices::Table)
                    .col(integer(QuestionPractices::QuestionId))
                    .col(integer(QuestionPractices::PracticeId))
                    .primary_key(Index::create().col(QuestionPractices::QuestionId).col(QuestionPractices::PracticeId))
                    .foreign_key(&mut to_question(QuestionPractices::Table, QuestionPractices::QuestionId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionPractices::Table, QuestionPractices::PracticeId)
                            .to(Practices::Table, Practices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuestionFollowups::Table)
                    .col(integer(QuestionFollowups::QuestionId).primary_key())
                    .col(timestamp_with_time_zone(QuestionFollowups::DueAt))
                    .col(string_null(QuestionFollowups::TokenHash))
                    .col(timestamp_with_time_zone_null(QuestionFollowups::SentAt))
                    .col(integer_null(QuestionFollowups::Score))
                    .col(text_null(QuestionFollowups::Remark))
                    .col(timestamp_with_time_zone_null(QuestionFollowups::AnsweredAt))
                    .foreign_key(&mut to_question(QuestionFollowups::Table, QuestionFollowups::QuestionId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_question_followups_due")
                    .table(QuestionFollowups::Table)
                    .col(QuestionFollowups::SentAt)
                    .col(QuestionFollowups::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(QuestionFollowups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(QuestionPractices::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(QuestionReplies::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(QuestionIntroductions::Table).to_owned()).await?;
        for column in [Questions::PersonalDataRemovedAt, Questions::PublicAnswer, Questions::PublicTitle] {
            manager.alter_table(Table::alter().table(Questions::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

/// What belongs to a question goes with it.
fn to_question<T: IntoIden + 'static, C: IntoIden + 'static>(table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Questions::Table, Questions::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Who acted is kept as a reference that empties when their account is deleted.
fn to_user<T: IntoIden + 'static, C: IntoIden + 'static>(table: T, column: C) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::SetNull).to_owned()
}

#[derive(DeriveIden)]
enum QuestionIntroductions {
    Table,
    Id,
    QuestionId,
    ProfileId,
    Status,
    TokenHash,
    Note,
    RequestedBy,
    RequestedAt,
    AnswerBy,
    AnsweredAt,
    DeclineReason,
}

#[derive(DeriveIden)]
enum QuestionReplies {
    Table,
    Id,
    QuestionId,
    AuthorId,
    AuthorName,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuestionFollowups {
    Table,
    QuestionId,
    DueAt,
    TokenHash,
    SentAt,
    Score,
    Remark,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    PublicTitle,
    PublicAnswer,
    PersonalDataRemovedAt,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum QuestionPractices {
    Table,
    QuestionId,
    PracticeId,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
