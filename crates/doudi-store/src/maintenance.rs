//! Backups, and what a restore is checked against.
//!
//! A backup is a consistent copy of the whole database taken while others keep working: on
//! SQLite, `VACUUM INTO` a new file (one read transaction, so one moment of the database); on
//! PostgreSQL, a `pg_dump` custom-format archive of a snapshot the store exports from a
//! repeatable-read transaction (`pg_export_snapshot`), in which it also counts the rows. Either
//! way the store first records who took the backup in the audit trail, so the copy holds its own
//! record.
//!
//! A [`Manifest`] describes the copy: the backend, when it was taken, the id of the data key its
//! sealed values need (the key itself is never in a backup or its manifest: it is kept and
//! carried separately), the audit trail's head, and every table's row count. A restore compares
//! the restored database with it before the database is used.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use doudi_core::Actor;

use crate::{AuditAnchor, StoreError};

/// The first line of a manifest.
const TAG: &str = "doudi-backup v1";

/// What a backup holds (see the module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// When the copy was taken.
    pub taken_at: DateTime<Utc>,
    /// The id (a fingerprint) of the data key the copy's sealed values were written with.
    pub key_id: String,
    /// The audit trail's last entry in the copy.
    pub audit: Option<AuditAnchor>,
    /// Every table's name and number of rows.
    pub tables: BTreeMap<String, i64>,
}

impl Manifest {
    /// The manifest as text: a tag line, `key: value` lines, then one `table NAME ROWS` line
    /// per table.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{TAG}\nbackend: {}\ntaken_at: {}\nkey_id: {}\n",
            self.backend,
            self.taken_at.to_rfc3339(),
            self.key_id
        );
        if let Some(a) = &self.audit {
            out.push_str(&format!("audit: {} {}\n", a.seq, a.mac));
        }
        for (name, rows) in &self.tables {
            out.push_str(&format!("table {name} {rows}\n"));
        }
        out
    }

    /// Reads a manifest written by [`Manifest::to_text`], naming the line that is wrong.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, TAG)) => {}
            _ => {
                return Err(format!(
                    "not a doudi backup manifest (its first line is not `{TAG}`)"
                ));
            }
        }
        let (mut backend, mut taken_at, mut key_id, mut audit) = (None, None, None, None);
        let mut tables = BTreeMap::new();
        for (i, line) in lines {
            let bad = || format!("line {}: cannot read `{line}`", i + 1);
            if let Some(v) = line.strip_prefix("backend: ") {
                backend = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("taken_at: ") {
                taken_at = Some(
                    DateTime::parse_from_rfc3339(v)
                        .map_err(|_| bad())?
                        .with_timezone(&Utc),
                );
            } else if let Some(v) = line.strip_prefix("key_id: ") {
                key_id = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("audit: ") {
                let (seq, mac) = v.split_once(' ').ok_or_else(bad)?;
                audit = Some(AuditAnchor {
                    seq: seq.parse().map_err(|_| bad())?,
                    mac: mac.to_owned(),
                });
            } else if let Some(v) = line.strip_prefix("table ") {
                let (name, rows) = v.rsplit_once(' ').ok_or_else(bad)?;
                tables.insert(name.to_owned(), rows.parse().map_err(|_| bad())?);
            } else if !line.trim().is_empty() {
                return Err(bad());
            }
        }
        Ok(Manifest {
            backend: backend.ok_or("the manifest names no backend")?,
            taken_at: taken_at.ok_or("the manifest has no taken_at")?,
            key_id: key_id.ok_or("the manifest has no key_id")?,
            audit,
            tables,
        })
    }

    /// How `other` (a restored database) differs from this manifest's copy, in words; empty
    /// when it holds the same tables with the same numbers of rows and the same audit head.
    pub fn differences(&self, other: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        if self.key_id != other.key_id {
            out.push(format!(
                "data key {} instead of {}",
                other.key_id, self.key_id
            ));
        }
        if self.audit != other.audit {
            out.push(format!(
                "audit trail ends at entry {} instead of {}",
                other.audit.as_ref().map_or(0, |a| a.seq),
                self.audit.as_ref().map_or(0, |a| a.seq)
            ));
        }
        for (name, rows) in &self.tables {
            match other.tables.get(name) {
                None => out.push(format!("table {name} is missing")),
                Some(theirs) if theirs != rows => {
                    out.push(format!("table {name} has {theirs} rows instead of {rows}"));
                }
                Some(_) => {}
            }
        }
        for name in other.tables.keys() {
            if !self.tables.contains_key(name) {
                out.push(format!("table {name} is not in the backup"));
            }
        }
        out
    }
}

/// Backups and the whole-database reads a restore drill compares.
#[async_trait]
pub trait Maintenance {
    /// Records the backup under `actor` (the system, an administrator) in the audit trail, then
    /// writes a consistent copy of the whole database to `out`, which must not exist (SQLite: a
    /// database file; PostgreSQL: a `pg_dump` custom archive, which needs `pg_dump` on the
    /// path), and returns its manifest.
    async fn backup(&self, actor: &Actor, out: &Path) -> Result<Manifest, StoreError>;

    /// The manifest of the database as it is now (one consistent read).
    async fn manifest(&self) -> Result<Manifest, StoreError>;

    /// Every row of every table as text, each table's rows sorted: what two databases are
    /// compared by. Reads everything, so it is for drills and tests, not for a running county.
    async fn table_rows(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError>;
}

/// Only an administrator or the system (the command line) takes a backup.
pub(crate) fn may_back_up(actor: &Actor) -> bool {
    matches!(
        actor.role,
        doudi_core::Role::Admin | doudi_core::Role::System
    )
}

/// The manifest of a SQLite database file, read on a read-only connection of its own after
/// checking the file's integrity (`PRAGMA integrity_check`): what `doudi restore` compares a
/// copied file with before putting it in place.
///
/// `check` runs the integrity check first (seconds on a county's file; done on copies, not on
/// the live database).
pub fn sqlite_file_manifest(
    path: &Path,
    taken_at: DateTime<Utc>,
    check: bool,
) -> Result<Manifest, StoreError> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if check {
        let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt(format!(
                "the SQLite file fails its integrity check: {verdict}"
            )));
        }
    }
    // One read transaction: every count of one moment.
    conn.execute_batch("BEGIN")?;
    let names: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut tables = BTreeMap::new();
    for name in names {
        let rows: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |r| {
            r.get(0)
        })?;
        tables.insert(name, rows);
    }
    let key_id: String = conn
        .query_row("SELECT key_id FROM data_key WHERE id = 1", [], |r| r.get(0))
        .unwrap_or_default();
    let audit = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(AuditAnchor {
                    seq: r.get(0)?,
                    mac: r.get(1)?,
                })
            },
        )
        .ok();
    conn.execute_batch("COMMIT")?;
    Ok(Manifest {
        backend: "sqlite".into(),
        taken_at,
        key_id,
        audit,
        tables,
    })
}

/// Every row of every table of a SQLite file, as text (see [`Maintenance::table_rows`]).
pub(crate) fn sqlite_file_rows(path: &Path) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    use rusqlite::types::ValueRef;
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.execute_batch("BEGIN")?;
    let names: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = BTreeMap::new();
    for name in names {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\""))?;
        let columns = stmt.column_count();
        let mut rows = Vec::new();
        let mut cursor = stmt.query([])?;
        while let Some(row) = cursor.next()? {
            let mut cells = Vec::with_capacity(columns);
            for i in 0..columns {
                cells.push(match row.get_ref(i)? {
                    ValueRef::Null => "NULL".to_owned(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => format!("{x:?}"),
                    ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
                    ValueRef::Blob(b) => format!("blob:{}", crate::keys::hex(b)),
                });
            }
            rows.push(cells.join("|"));
        }
        rows.sort();
        out.insert(name, rows);
    }
    conn.execute_batch("COMMIT")?;
    Ok(out)
}

/// How many tables the PostgreSQL database at `url` has in its schema: a restore goes only into
/// an empty one.
pub async fn pg_table_count(url: &str) -> Result<i64, StoreError> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            backend: "sqlite".into(),
            taken_at: DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            key_id: "abc".into(),
            audit: Some(AuditAnchor {
                seq: 7,
                mac: "ff".into(),
            }),
            tables: [("households".to_owned(), 2), ("persons".to_owned(), 5)].into(),
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = manifest();
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
    }

    #[test]
    fn the_differences_name_each_table_the_key_and_the_trail() {
        let m = manifest();
        assert!(m.differences(&m).is_empty());
        let mut other = m.clone();
        other.key_id = "xyz".into();
        other.audit = None;
        other.tables.insert("persons".into(), 4);
        other.tables.remove("households");
        other.tables.insert("extra".into(), 1);
        assert_eq!(
            m.differences(&other),
            [
                "data key xyz instead of abc",
                "audit trail ends at entry 0 instead of 7",
                "table households is missing",
                "table persons has 4 rows instead of 5",
                "table extra is not in the backup",
            ]
        );
    }
}
