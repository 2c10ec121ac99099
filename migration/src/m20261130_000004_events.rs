//! Events, their programme (plenary items and workshops), registrations, and calendar
//! attachments on outgoing mail.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(pk_auto(Events::Id))
                    .col(string_uniq(Events::Slug))
                    .col(string(Events::Title))
                    .col(string(Events::Kind))
                    .col(text(Events::Description))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(string(Events::Location))
                    .col(string(Events::Address))
                    .col(string_null(Events::OnlineUrl))
                    .col(integer_null(Events::OrganisationId))
                    .col(boolean(Events::MembersOnly))
                    .col(integer(Events::Capacity))
                    // Places taken by confirmed registrations; raised only by a conditional
                    // UPDATE that also checks the capacity, so it can never pass it.
                    .col(integer(Events::Confirmed).default(0))
                    .col(timestamp_with_time_zone_null(Events::RegistrationOpensAt))
                    .col(timestamp_with_time_zone_null(Events::RegistrationClosesAt))
                    .col(timestamp_with_time_zone_null(Events::CancelledAt))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(timestamp_with_time_zone(Events::UpdatedAt))
                    .check(Expr::col(Events::Confirmed).lte(Expr::col(Events::Capacity)))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Events::Table, Events::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_events_starts").table(Events::Table).col(Events::StartsAt).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeItems::Table)
                    .col(pk_auto(ProgrammeItems::Id))
                    .col(integer(ProgrammeItems::EventId))
                    .col(timestamp_with_time_zone(ProgrammeItems::StartsAt))
                    .col(timestamp_with_time_zone(ProgrammeItems::EndsAt))
                    .col(string(ProgrammeItems::Title))
                    .col(string(ProgrammeItems::Kind))
                    .col(integer_null(ProgrammeItems::Capacity))
                    .col(integer(ProgrammeItems::Confirmed).default(0))
                    .check(
                        Expr::col(ProgrammeItems::Capacity)
                            .is_null()
                            .or(Expr::col(ProgrammeItems::Confirmed).lte(Expr::col(ProgrammeItems::Capacity))),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProgrammeItems::Table, ProgrammeItems::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(pk_auto(Registrations::Id))
                    .col(integer(Registrations::EventId))
                    .col(integer_null(Registrations::UserId))
                    .col(string(Registrations::Name))
                    .col(string(Registrations::Email))
                    .col(string(Registrations::Organisation))
                    .col(string(Registrations::Role))
                    .col(text(Registrations::Remarks))
                    .col(string(Registrations::Status))
                    .col(string_null(Registrations::ConfirmTokenHash))
                    .col(timestamp_with_time_zone_null(Registrations::ConfirmExpiresAt))
                    .col(string(Registrations::CancelTokenHash))
                    .col(timestamp_with_time_zone_null(Registrations::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(Registrations::WaitlistedAt))
                    .col(timestamp_with_time_zone_null(Registrations::CancelledAt))
                    .col(timestamp_with_time_zone_null(Registrations::RemindedAt))
                    .col(boolean_null(Registrations::Attended))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Registrations::Table, Registrations::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One live registration per address and event; a cancelled one does not count.
        // Partial indexes are written the same way on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_registrations_live_email ON registrations (event_id, email) \
                 WHERE status <> 'cancelled'",
            )
            .await?;
        for (name, column) in [
            ("idx_registrations_confirm", Registrations::ConfirmTokenHash),
            ("idx_registrations_cancel", Registrations::CancelTokenHash),
        ] {
            manager.create_index(Index::create().name(name).table(Registrations::Table).col(column).to_owned()).await?;
        }
        // Waitlist positions and participant lists look up an event's registrations by status.
        manager
            .create_index(
                Index::create()
                    .name("idx_registrations_event_status")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RegistrationChoices::Table)
                    .col(integer(RegistrationChoices::RegistrationId))
                    .col(integer(RegistrationChoices::ItemId))
                    .primary_key(
                        Index::create().col(RegistrationChoices::RegistrationId).col(RegistrationChoices::ItemId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RegistrationChoices::Table, RegistrationChoices::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RegistrationChoices::Table, RegistrationChoices::ItemId)
                            .to(ProgrammeItems::Table, ProgrammeItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(MailOutbox::Table).add_column(text_null(MailOutbox::Calendar)).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Documents::Table).add_column(integer_null(Documents::EventId)).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Documents::Table).drop_column(Documents::EventId).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(MailOutbox::Table).drop_column(MailOutbox::Calendar).to_owned())
            .await?;
        for table in [
            RegistrationChoices::Table.into_iden(),
            Registrations::Table.into_iden(),
            ProgrammeItems::Table.into_iden(),
            Events::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Slug,
    Title,
    Kind,
    Description,
    StartsAt,
    EndsAt,
    Location,
    Address,
    OnlineUrl,
    OrganisationId,
    MembersOnly,
    Capacity,
    Confirmed,
    RegistrationOpensAt,
    RegistrationClosesAt,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProgrammeItems {
    Table,
    Id,
    EventId,
    StartsAt,
    EndsAt,
    Title,
    Kind,
    Capacity,
    Confirmed,
}

#[derive(DeriveIden, Clone, Copy)]
enum Registrations {
    Table,
    Id,
    EventId,
    UserId,
    Name,
    Email,
    Organisation,
    Role,
    Remarks,
    Status,
    ConfirmTokenHash,
    ConfirmExpiresAt,
    CancelTokenHash,
    ConfirmedAt,
    WaitlistedAt,
    CancelledAt,
    RemindedAt,
    Attended,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RegistrationChoices {
    Table,
    RegistrationId,
    ItemId,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    EventId,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Calendar,
}
