//! The SQLite backend: one database file in WAL mode (or `sqlite::memory:` for tests), with its
//! migrations in `migrations/sqlite`.
//!
//! Writers take the database's write lock when their transaction begins (`BEGIN IMMEDIATE`), so
//! that a writer never fails half-way because another committed after it read; readers run
//! alongside in WAL mode. The SQL itself is shared with PostgreSQL (`shared_impl.rs`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The sqlx database this backend speaks.
type Db = sqlx::Sqlite;
/// The store type the shared implementation is for.
type Backend = SqliteStore;

/// A registry stored in SQLite.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The database file; `None` in memory.
    file: Option<std::path::PathBuf>,
    keys: KeyCell,
    /// Reads' audit entries waiting to be written together.
    audit_reads: Arc<crate::audit::ReadQueue>,
    /// Turns to write, one writer of this process at a time ([`Dialect::write_turn`]).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// The divisions as last read.
    divisions: Arc<crate::cache::DivisionCache>,
}

impl SqliteStore {
    /// Opens `sqlite://path/to/file.db` (creating the file if missing) or `sqlite::memory:`,
    /// applies the migrations, seeds the township table and checks (or, for a database without
    /// one, adopts) the data key.
    pub async fn connect(url: &str, keys: Keys) -> Result<SqliteStore, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?;
        let file = (!in_memory).then(|| options.get_filename().to_owned());
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache per connection keeps a county's indexes in memory, which
            // is what makes an import of 100,000 households take seconds.
            .pragma("cache_size", "-65536")
            // Pages read through a memory map rather than copied in: after another
            // connection's write (every read records itself in the audit trail) each
            // connection drops its page cache, and re-reading through the map costs no copy.
            .pragma("mmap_size", "1073741824")
            .pragma("temp_store", "memory");
        let pool = if in_memory {
            // The connections to one in-memory database share it only while one of them is
            // open: keep exactly one, for ever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        }
        .connect_with(options)
        .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        seed_townships(&pool).await?;
        let store = SqliteStore {
            pool,
            keys: key_cell(keys),
            file,
            audit_reads: Arc::default(),
            writer: Arc::default(),
            divisions: Arc::default(),
        };
        store.adopt_key().await?;
        store.rechain_legacy_audit().await?;
        Ok(store)
    }
}

#[async_trait]
impl crate::backend::Dialect for SqliteStore {
    type Db = Db;
    const NAME: &'static str = "sqlite";
    const MAX_BIND_PARAMS: usize = 32_766;

    /// The whole-registry read of [`Store::snapshots`]: from a file, through a connection of
    /// its own that reads rows without sqlx's per-row hand-over between threads (see
    /// [`crate::bulk`]); in memory, through sqlx.
    async fn read_snapshots(
        &self,
        actor: &Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<doudi_core::facts::Snapshot>, StoreError> {
        // The file path knows scopes, not pairings: a paired cadre's few households go
        // through the shared path.
        match &self.file {
            Some(file) if actor.role != doudi_core::Role::PairedCadre => {
                let (file, scope, keys) = (file.clone(), actor.scope.clone(), self.keys());
                let today = common::today();
                tokio::task::spawn_blocking(move || {
                    crate::bulk::snapshots(keys, &file, &scope, from, until, today)
                })
                .await
                .map_err(|e| StoreError::BulkRead(format!("the reading thread failed: {e}")))?
            }
            _ => self.snapshots_through_sqlx(actor, from, until).await,
        }
    }

    /// A transaction that reads one consistent snapshot.
    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool.begin().await
    }

    /// This process's writers one at a time, in the order they asked.
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        Some(self.writer.clone().lock_owned().await)
    }

    /// A transaction that holds the write lock from its start, waiting (up to the busy
    /// timeout) for another writer to finish.
    /// [`Backend::begin_write`] adds the key check.
    async fn begin_write_raw(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Lifts the trigger that refuses updates of audit entries, for re-chaining the trail inside
    /// the caller's transaction (SQLite's DDL is transactional, and `BEGIN IMMEDIATE` keeps every
    /// other writer out meanwhile); returns the statements that put it back exactly as it was.
    async fn unlock_audit_rows(conn: &mut Conn) -> Result<Vec<String>, sqlx::Error> {
        let saved: Vec<(String,)> = sqlx::query_as(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_update'",
        )
        .fetch_all(&mut *conn)
        .await?;
        if !saved.is_empty() {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(&mut *conn)
                .await?;
        }
        Ok(saved.into_iter().map(|(sql,)| sql).collect())
    }

    /// How a writer reads the data key's row: nothing to lock, since `BEGIN IMMEDIATE` already
    /// puts every writer, a rotation among them, one after another.
    const KEY_ROW_LOCK: &'static str = "";

    /// Prepares a bulk import of `incoming` people. The import's transaction already holds the
    /// database's write lock, so nothing needs locking; but when the import at least doubles the
    /// registry, the secondary indexes of `persons` are dropped for the import and rebuilt after it
    /// (in the same transaction): building an index from sorted data costs a fraction of inserting
    /// 250,000 names and identity numbers one by one in random order. The index definitions are
    /// taken from the schema itself, so they come back exactly as the migrations made them. Unique
    /// indexes stay, so that duplicates are still refused.
    async fn prepare_import(conn: &mut Conn, incoming: usize) -> Result<Vec<String>, sqlx::Error> {
        let (filed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons")
            .fetch_one(&mut *conn)
            .await?;
        if (incoming as i64) < filed {
            return Ok(Vec::new());
        }
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master \
         WHERE type = 'index' AND tbl_name = 'persons' AND sql IS NOT NULL \
         AND sql NOT LIKE 'CREATE UNIQUE%'",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *conn)
                .await?;
        }
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Rebuilds the indexes [`prepare_import`] set aside. (`INTEGER PRIMARY KEY` continues after
    /// the largest id by itself.)
    async fn after_import(conn: &mut Conn, deferred: Vec<String>) -> Result<(), sqlx::Error> {
        for sql in deferred {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Makes audit appends one at a time. Nothing to do: every write transaction already holds the
    /// database's write lock from its start (`BEGIN IMMEDIATE`).
    async fn lock_audit(_conn: &mut Conn) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// Keeps other writers out of the registry for a transaction that rewrites it (the first
    /// sealing, a key rotation). Nothing to do: the transaction holds the write lock from its start.
    async fn lock_registry(_conn: &mut Conn) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// Rewrites the database file after identifiers were sealed or re-sealed, so that the values
    /// they replaced do not linger in free pages or in the write-ahead log.
    async fn compact(pool: &SqlitePool) -> Result<(), sqlx::Error> {
        sqlx::query("VACUUM").execute(pool).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Nothing: SQLite keeps no visibility map, and this store never gathers statistics for
    /// its planner (`ANALYZE`), so its plans do not change with what was loaded.
    async fn tidy(_pool: &SqlitePool) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

include!("shared_impl.rs");
include!("casework_impl.rs");
include!("discovery_impl.rs");
include!("delivery_impl.rs");
include!("disaster_impl.rs");
include!("services_impl.rs");
include!("housing_impl.rs");
include!("jobs_impl.rs");
include!("units_impl.rs");
include!("publications_impl.rs");
include!("social_impl.rs");
include!("visits_impl.rs");

/// Backups by `VACUUM INTO` (see `maintenance.rs`).
#[async_trait]
impl crate::maintenance::Maintenance for SqliteStore {
    async fn backup(
        &self,
        actor: &Actor,
        out: &std::path::Path,
    ) -> Result<crate::maintenance::Manifest, StoreError> {
        if !crate::maintenance::may_back_up(actor) {
            return Err(StoreError::Forbidden);
        }
        if self.file.is_none() {
            return Err(StoreError::Invalid(
                "an in-memory database has no file to back up".into(),
            ));
        }
        if out.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; a backup never overwrites a file",
                out.display()
            )));
        }
        let target = out
            .to_str()
            .ok_or_else(|| StoreError::Invalid("the backup's path is not UTF-8".into()))?
            .to_owned();
        let taken_at = Utc::now();
        self.record_audit(actor, AuditAction::Backup, "database", "备份整个数据库")
            .await?;
        // One read transaction: the copy is the database of one moment, while writers go on.
        sqlx::query("VACUUM INTO ?")
            .bind(&target)
            .execute(&self.pool)
            .await?;
        let path = out.to_owned();
        tokio::task::spawn_blocking(move || {
            crate::maintenance::sqlite_file_manifest(&path, taken_at, true)
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("the backup's check stopped: {e}")))?
    }

    async fn manifest(&self) -> Result<crate::maintenance::Manifest, StoreError> {
        let file = self.file.clone().ok_or_else(|| {
            StoreError::Invalid("an in-memory database has no file to describe".into())
        })?;
        tokio::task::spawn_blocking(move || {
            crate::maintenance::sqlite_file_manifest(&file, Utc::now(), false)
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("the read stopped: {e}")))?
    }

    async fn table_rows(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
        let file = self.file.clone().ok_or_else(|| {
            StoreError::Invalid("an in-memory database has no file to read".into())
        })?;
        tokio::task::spawn_blocking(move || crate::maintenance::sqlite_file_rows(&file))
            .await
            .map_err(|e| StoreError::Invalid(format!("the read stopped: {e}")))?
    }
}
include!("inspections_impl.rs");
include!("funds_impl.rs");
include!("dashboard_impl.rs");
