//! A revision counter per event for the SEQUENCE of its calendar entries: calendars only
//! replace an entry by a higher SEQUENCE, and a counter grows with every change, also with
//! several changes within one second.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Events::Table).add_column(integer(Events::Sequence).default(0)).to_owned(),
            )
            .await?;
        // Calendars already hold entries with the SEQUENCE of before, the seconds between
        // creation and the last change; the counter starts there so the next change still wins.
        let seconds_since_creation = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => {
                "CAST(EXTRACT(EPOCH FROM updated_at - created_at) AS integer)"
            }
            _ => "CAST(strftime('%s', updated_at) - strftime('%s', created_at) AS integer)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE events SET sequence = {seconds_since_creation} WHERE updated_at > created_at"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::Sequence).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Sequence,
}
