//! The PostgreSQL backend, with its migrations in `migrations/postgres`.
//!
//! Reads run in a read-only repeatable-read transaction, so that a household is read as one
//! consistent whole; writes run at read committed, where the version check of every household
//! mutation (`UPDATE … WHERE version = $expected`) serialises writers of one household. The
//! SQL itself is shared with SQLite (`shared_impl.rs`).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The sqlx database this backend speaks.
type Db = sqlx::Postgres;
/// The store type the shared implementation is for.
type Backend = PgStore;

/// A registry stored in PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    keys: KeyCell,
    /// Reads' audit entries waiting to be written together.
    audit_reads: Arc<crate::audit::ReadQueue>,
    /// The divisions as last read.
    divisions: Arc<crate::cache::DivisionCache>,
    /// The URL it was opened with, for `pg_dump`.
    url: Secret,
}

/// A database URL, which may hold a password: never printed.
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("postgres://…")
    }
}

impl PgStore {
    /// Connects to `postgres://…`, applies the migrations, seeds the township table and checks
    /// (or, for a database without one, adopts) the data key.
    pub async fn connect(url: &str, keys: Keys) -> Result<PgStore, StoreError> {
        // Just-in-time compilation costs more (100 ms and up) than it saves on this store's
        // queries, which each touch at most a county's worth of rows.
        // Every connection says which county it works for: the `county` column of every
        // household-scoped table defaults to it (migration 0025).
        let options = PgConnectOptions::from_str(url)?.options([
            ("jit", "off"),
            ("doudi.county", doudi_core::division::COUNTY_CODE),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(options)
            .await?;
        create_own_schema(&pool).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        seed_townships(&pool).await?;
        let store = PgStore {
            pool,
            keys: key_cell(keys),
            audit_reads: Arc::default(),
            divisions: Arc::default(),
            url: Secret(url.to_owned()),
        };
        store.adopt_key().await?;
        store.rechain_legacy_audit().await?;
        Ok(store)
    }
}

/// A county's own schema, named first in the URL's `search_path`
/// (`postgres://…/province?options=-c%20search_path%3Dcounty_500235`), is created on its first
/// start, so that the migrations create the county's tables in it. One database can then hold
/// several counties, each process seeing only its own tables (ARCHITECTURE.md, "A province on
/// PostgreSQL"). Without such an option the store works in `public`, as before.
async fn create_own_schema(pool: &PgPool) -> Result<(), StoreError> {
    let current: Option<String> = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(pool)
        .await?;
    if current.is_some() {
        return Ok(());
    }
    let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
        .fetch_one(pool)
        .await?;
    let first = path.split(',').next().unwrap_or("").trim();
    let plain = first.trim_matches('"');
    let valid = !plain.is_empty()
        && plain.len() <= 63
        && plain.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && plain
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !plain.starts_with("pg_");
    if !valid {
        return Err(StoreError::Invalid(format!(
            "search_path {path:?} names no schema this store can create: the first schema \
             should be lower-case letters, digits and _, such as county_500235"
        )));
    }
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {plain}"))
        .execute(pool)
        .await?;
    tracing::info!(schema = plain, "created the county's schema");
    Ok(())
}

#[async_trait]
impl crate::backend::Dialect for PgStore {
    type Db = Db;
    const NAME: &'static str = "postgres";
    const MAX_BIND_PARAMS: usize = 65_535;

    /// The whole-registry read of [`Store::snapshots`].
    async fn read_snapshots(
        &self,
        actor: &Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<doudi_core::facts::Snapshot>, StoreError> {
        self.snapshots_through_sqlx(actor, from, until).await
    }

    /// A transaction that reads one consistent snapshot.
    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
    }

    /// No turns: PostgreSQL's writers run together.
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        None
    }

    /// A read-committed transaction; household mutations lock the household's row.
    /// [`Backend::begin_write`] adds the key check.
    async fn begin_write_raw(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Prepares a bulk import of `incoming` people: keeps other writers out of `households` and
    /// `persons` while the import assigns their ids itself (readers carry on). Returns the
    /// statements to run after the import: statistics are refreshed when the import at least
    /// doubles the registry, so that the planner does not plan for the empty tables it last saw.
    async fn prepare_import(conn: &mut Conn, incoming: usize) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query("LOCK TABLE households, persons IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
        // The planner's own estimate (-1 before the table was ever analysed) is enough to tell
        // whether the import doubles the registry; counting 10 million rows took a second
        // for every batch of a province's import.
        let (filed,): (i64,) = sqlx::query_as(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = 'persons'::regclass",
        )
        .fetch_one(&mut *conn)
        .await?;
        let mut after = Vec::new();
        if (incoming as i64) >= filed {
            after.push(
                "ANALYZE households, persons, incomes, expenses, assets, surveys, change_log"
                    .into(),
            );
        }
        Ok(after)
    }

    /// Moves the identity sequences past the ids an import assigned, and runs what
    /// [`prepare_import`] asked for.
    async fn after_import(conn: &mut Conn, deferred: Vec<String>) -> Result<(), sqlx::Error> {
        for table in ["households", "persons"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            );
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        for sql in deferred {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Lifts the trigger that refuses updates of audit entries, for re-chaining the trail inside
    /// the caller's transaction (`ALTER TABLE` is transactional and locks the table against every
    /// other writer until the transaction ends); returns the statement that puts it back.
    async fn unlock_audit_rows(conn: &mut Conn) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .execute(&mut *conn)
            .await?;
        Ok(vec![
            "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change".into(),
        ])
    }

    /// How a writer reads the data key's row: locked against a rotation, which takes the row
    /// `FOR UPDATE` first, so that a rotation waits for the writers that checked the old key and
    /// the writers that come after it wait for the rotation and then see the new key id.
    const KEY_ROW_LOCK: &'static str = " FOR KEY SHARE";

    /// Makes audit appends one at a time, so that two writers never both read the same last entry
    /// and fork the chain: a transaction-scoped advisory lock, taken just before the last entry is
    /// read and released when the transaction ends. At read committed, the read that follows sees
    /// every entry committed before the lock was granted. The lock is the schema's: counties
    /// sharing a database in schemas of their own each keep a chain of their own, and do not
    /// wait for each other's (two schemas whose names hash alike merely share a lock).
    async fn lock_audit(conn: &mut Conn) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(AUDIT_LOCK)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Keeps other writers out of the registry for a transaction that rewrites it (the first
    /// sealing, a key rotation); readers carry on.
    async fn lock_registry(conn: &mut Conn) -> Result<(), sqlx::Error> {
        sqlx::query("LOCK TABLE households, persons IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// After identifiers were sealed or re-sealed, the row versions they replaced are reclaimed by
    /// (auto)vacuum; nothing to do at once. (An operator who wants them gone immediately runs
    /// `VACUUM FULL households, persons`, as the README says.)
    async fn compact(_pool: &PgPool) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// `VACUUM (ANALYZE)` of the store's own tables (a county's schema, where counties share the
    /// database, not theirs): the planner's statistics, and the visibility map that lets the
    /// counts of a township's households come from an index alone. Autovacuum does the same
    /// some time after a load; it is off on some servers (this project's CI machines).
    async fn tidy(pool: &PgPool) -> Result<(), sqlx::Error> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(pool)
        .await?;
        if !tables.is_empty() {
            sqlx::query(&format!("VACUUM (ANALYZE) {}", tables.join(", ")))
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}

/// The first key of the advisory lock that makes a schema's audit appends one at a time ("audt"
/// in ASCII); the second is the hash of the schema's name.
const AUDIT_LOCK: i32 = 0x6175_6474;

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

/// Backups by `pg_dump` of a snapshot the store exports (see `maintenance.rs`).
#[async_trait]
impl crate::maintenance::Maintenance for PgStore {
    async fn backup(
        &self,
        actor: &Actor,
        out: &std::path::Path,
    ) -> Result<crate::maintenance::Manifest, StoreError> {
        if !crate::maintenance::may_back_up(actor) {
            return Err(StoreError::Forbidden);
        }
        if out.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; a backup never overwrites a file",
                out.display()
            )));
        }
        let taken_at = Utc::now();
        self.record_audit(actor, AuditAction::Backup, "database", "备份整个数据库")
            .await?;
        let mut tx = self.begin_read().await?;
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        // Only the store's own schema: a county's, where several share the database (the
        // default `public` schema holds one county, and the whole database is dumped).
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&mut *tx)
            .await?;
        let (url, path) = (self.url.0.clone(), out.to_owned());
        // pg_dump reads the snapshot this transaction exported, so it must stay open until the
        // dump is done; the counts below read the same snapshot.
        let dump = tokio::task::spawn_blocking(move || {
            let mut command = std::process::Command::new("pg_dump");
            command.args(["--format=custom", "--no-owner", "--no-privileges"]);
            // `public` itself is left out of the dump, as a whole database's dump leaves it
            // out: the database it is restored into has one.
            if schema != "public" {
                command.arg(format!("--schema={schema}"));
            }
            command
                .arg(format!("--snapshot={snapshot}"))
                .arg("--file")
                .arg(&path)
                .arg("--dbname")
                .arg(&url)
                .stdin(std::process::Stdio::null())
                .output()
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("pg_dump stopped: {e}")))?
        .map_err(|e| StoreError::Invalid(format!("pg_dump cannot run ({e}); is it installed?")))?;
        if !dump.status.success() {
            let _ = std::fs::remove_file(out);
            return Err(StoreError::Invalid(format!(
                "pg_dump failed: {}",
                String::from_utf8_lossy(&dump.stderr).trim()
            )));
        }
        let manifest = pg_manifest(&mut tx, taken_at).await?;
        tx.commit().await?;
        Ok(manifest)
    }

    async fn manifest(&self) -> Result<crate::maintenance::Manifest, StoreError> {
        let mut tx = self.begin_read().await?;
        let manifest = pg_manifest(&mut tx, Utc::now()).await?;
        tx.commit().await?;
        Ok(manifest)
    }

    async fn table_rows(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
        let mut tx = self.begin_read().await?;
        let mut out = std::collections::BTreeMap::new();
        for name in pg_tables(&mut tx).await? {
            let mut rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM \"{name}\" t"))
                    .fetch_all(&mut *tx)
                    .await?;
            rows.sort();
            out.insert(name, rows);
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// The tables of the store's schema, by name.
async fn pg_tables(tx: &mut sqlx::Transaction<'static, Db>) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut **tx)
    .await?)
}

/// The manifest of what `tx` sees.
async fn pg_manifest(
    tx: &mut sqlx::Transaction<'static, Db>,
    taken_at: DateTime<Utc>,
) -> Result<crate::maintenance::Manifest, StoreError> {
    let mut tables = std::collections::BTreeMap::new();
    for name in pg_tables(tx).await? {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{name}\""))
            .fetch_one(&mut **tx)
            .await?;
        tables.insert(name, rows);
    }
    let key_id: Option<String> = sqlx::query_scalar("SELECT key_id FROM data_key WHERE id = 1")
        .fetch_optional(&mut **tx)
        .await?;
    let audit: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    Ok(crate::maintenance::Manifest {
        backend: "postgres".into(),
        taken_at,
        key_id: key_id.unwrap_or_default(),
        audit: audit.map(|(seq, mac)| AuditAnchor { seq, mac }),
        tables,
    })
}
include!("inspections_impl.rs");
include!("funds_impl.rs");
include!("dashboard_impl.rs");
