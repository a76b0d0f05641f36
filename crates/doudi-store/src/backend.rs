//! The contract between the SQL both backends share (`shared_impl.rs` and `casework_impl.rs`,
//! `include!`d into `sqlite.rs` and `postgres.rs`) and each backend: the dialect hooks the
//! shared SQL calls, as a trait the compiler checks for both.

use async_trait::async_trait;
use doudi_core::{Actor, Month};

use crate::StoreError;

/// What a backend gives the shared SQL. Each store type implements it; the shared code calls
/// it as `Backend::hook(…)` or `self.hook(…)`.
#[async_trait]
pub(crate) trait Dialect: Send + Sync {
    /// The sqlx database type.
    type Db: sqlx::Database;
    /// The backend's name, as [`crate::Store::backend`] says it.
    const NAME: &'static str;
    /// How many values one statement may bind.
    const MAX_BIND_PARAMS: usize;
    /// What follows the read of the data key's row in a writer, to lock it against a rotation.
    const KEY_ROW_LOCK: &'static str;

    /// The whole-registry read behind [`crate::Store::snapshots`].
    async fn read_snapshots(
        &self,
        actor: &Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<doudi_core::facts::Snapshot>, StoreError>;

    /// A transaction that reads one consistent snapshot.
    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;

    /// Waits for this process's turn to write, where the backend wants writers one at a time:
    /// SQLite, whose one writer a second `BEGIN IMMEDIATE` would otherwise wait for by
    /// sleeping and retrying (up to 100 ms a try), gives turns in the order asked; PostgreSQL,
    /// whose writers run together, gives none. The turn is held as long as the transaction.
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>>;

    /// A write transaction, before the key check that `begin_write` adds.
    async fn begin_write_raw(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;

    /// Prepares a bulk import of `incoming` people; returns what [`Dialect::after_import`]
    /// runs afterwards.
    async fn prepare_import(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
        incoming: usize,
    ) -> Result<Vec<String>, sqlx::Error>;

    /// Finishes a bulk import with what [`Dialect::prepare_import`] set aside.
    async fn after_import(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
        deferred: Vec<String>,
    ) -> Result<(), sqlx::Error>;

    /// Lifts the refusal of updates of audit entries inside the caller's transaction; returns
    /// the statements that put it back.
    async fn unlock_audit_rows(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> Result<Vec<String>, sqlx::Error>;

    /// Makes audit appends one at a time.
    async fn lock_audit(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> Result<(), sqlx::Error>;

    /// Keeps other writers out of the registry for a transaction that rewrites it.
    async fn lock_registry(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> Result<(), sqlx::Error>;

    /// Reclaims the space of values that sealing or re-sealing replaced.
    async fn compact(pool: &sqlx::Pool<Self::Db>) -> Result<(), sqlx::Error>;

    /// After a bulk load: what the database's own upkeep would do in time ([`crate::Store::tidy`]).
    async fn tidy(pool: &sqlx::Pool<Self::Db>) -> Result<(), sqlx::Error>;
}
