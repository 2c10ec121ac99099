//! Contact without addresses: the log line kept of every relayed message (who, to whom, when;
//! never its text), the refusals recipients set, outbox rows that are deleted once delivered,
//! a practice's contact as a profile, and whether its contact address is shown at all.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactLog::Table)
                    .col(pk_auto(ContactLog::Id))
                    .col(integer_null(ContactLog::SenderUserId))
                    .col(integer_null(ContactLog::RecipientUserId))
                    .col(string(ContactLog::RecipientKind))
                    .col(integer_null(ContactLog::PracticeId))
                    .col(timestamp_with_time_zone(ContactLog::SentAt))
                    .foreign_key(&mut set_null(ContactLog::Table, ContactLog::SenderUserId, Users::Table, Users::Id))
                    .foreign_key(&mut set_null(ContactLog::Table, ContactLog::RecipientUserId, Users::Table, Users::Id))
                    .foreign_key(&mut set_null(
                        ContactLog::Table,
                        ContactLog::PracticeId,
                        Practices::Table,
                        Practices::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // The rate limit counts a sender's recent messages.
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_log_sender")
                    .table(ContactLog::Table)
                    .col(ContactLog::SenderUserId)
                    .col(ContactLog::SentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContactBlocks::Table)
                    .col(pk_auto(ContactBlocks::Id))
                    .col(integer(ContactBlocks::RecipientUserId))
                    .col(integer_null(ContactBlocks::SenderUserId))
                    .col(timestamp_with_time_zone(ContactBlocks::CreatedAt))
                    .foreign_key(&mut cascade(ContactBlocks::RecipientUserId))
                    .foreign_key(&mut cascade(ContactBlocks::SenderUserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_blocks_pair")
                    .table(ContactBlocks::Table)
                    .col(ContactBlocks::RecipientUserId)
                    .col(ContactBlocks::SenderUserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for column in
            [string_null(MailOutbox::ReplyTo), boolean(MailOutbox::PurgeAfterDelivery).default(false).to_owned()]
        {
            manager.alter_table(Table::alter().table(MailOutbox::Table).add_column(column).to_owned()).await?;
        }
        for column in [
            integer_null(Practices::ContactProfileId),
            boolean(Practices::ContactEmailPublic).default(false).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Practices::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Practices::ContactProfileId, Practices::ContactEmailPublic] {
            manager.alter_table(Table::alter().table(Practices::Table).drop_column(column).to_owned()).await?;
        }
        for column in [MailOutbox::ReplyTo, MailOutbox::PurgeAfterDelivery] {
            manager.alter_table(Table::alter().table(MailOutbox::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(ContactBlocks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ContactLog::Table).to_owned()).await
    }
}

/// A log line outlives the accounts and the practice it names: deleting one empties the
/// reference, so an account's deletion leaves no trace of it here.
fn set_null(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to_column: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(to_table, to_column).on_delete(ForeignKeyAction::SetNull).to_owned()
}

/// A refusal goes with the accounts it names.
fn cascade(column: ContactBlocks) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(ContactBlocks::Table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden)]
enum ContactLog {
    Table,
    Id,
    SenderUserId,
    RecipientUserId,
    RecipientKind,
    PracticeId,
    SentAt,
}

#[derive(DeriveIden)]
enum ContactBlocks {
    Table,
    Id,
    RecipientUserId,
    SenderUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    ReplyTo,
    PurgeAfterDelivery,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
    ContactProfileId,
    ContactEmailPublic,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
