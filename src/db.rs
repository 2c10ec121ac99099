//! Database connection: SQLite (the embedded default) or PostgreSQL, chosen by URL.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};

/// Connects and applies pending migrations.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // One connection: SQLite has one writer anyway, and a second connection would let a
        // transaction that read first fail at its first write (SQLITE_BUSY_SNAPSHOT) instead
        // of waiting its turn. WAL keeps commits cheap; the busy timeout makes other
        // processes (an import next to the server) wait rather than fail.
        options.max_connections(1).map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        options.max_connections(16);
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Begins a transaction that holds the write lock from its start; every transaction that
/// writes begins here. On SQLite a deferred `BEGIN` that reads first fails at its first
/// write, without waiting, when another process committed in between (SQLITE_BUSY_SNAPSHOT:
/// an import next to the server lost files, the server answered 500). sea-orm only issues a
/// plain `BEGIN`, so the first statement is a write that changes nothing: it takes the lock
/// as `BEGIN IMMEDIATE` would, waiting out the busy timeout. PostgreSQL needs nothing.
pub async fn begin_write(db: &impl TransactionTrait) -> Result<DatabaseTransaction, DbErr> {
    let transaction = db.begin().await?;
    if transaction.get_database_backend() == DbBackend::Sqlite {
        transaction.execute_unprepared("DELETE FROM seaql_migrations WHERE 0").await?;
    }
    Ok(transaction)
}
