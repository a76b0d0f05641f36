//! The whole-registry read of a SQLite file (`Store::snapshots`), through a read-only
//! connection of its own (rusqlite) on a blocking thread.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every row over a channel to
//! the async side: about 2 µs a row, which is 20 s for the ten million rows of a county of a
//! million households (members, six months of incomes). Reading the same rows in place costs a
//! tenth of that. The queries are the scans of `snapshots_through_sqlx` (same columns, same
//! [`SnapshotBuilder`]); the conformance suite checks that a file and the shared path agree.
//!
//! The read is one deferred transaction, so in WAL mode it sees one consistent state of the
//! registry while writers go on.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use doudi_core::facts::Snapshot;
use doudi_core::{Month, Scope};
use rusqlite::{OpenFlags, params_from_iter};

use crate::StoreError;
use crate::common::{ASSET_FACT_COLUMNS, PERSON_FACT_COLUMNS, PersonFacts, SnapshotBuilder};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::BulkRead(e.to_string())
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> StoreError {
        StoreError::BulkRead(e.to_string())
    }
}

/// Reads the rule snapshots of the households in `scope` that have not exited by `today`,
/// with the figures of the months from `from` up to, not including, `until`.
pub(crate) fn snapshots(
    keys: std::sync::Arc<crate::Keys>,
    file: &Path,
    scope: &Scope,
    from: Month,
    until: Month,
    today: NaiveDate,
) -> Result<Vec<Snapshot>, StoreError> {
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    let tx = conn.unchecked_transaction()?;

    // The households in scope that have not exited, as `push_list_filter` selects them.
    let (mut households, mut scope_values) = (
        String::from(
            "SELECT h.id FROM households h WHERE (h.exited_on IS NULL OR h.exited_on > ?)",
        ),
        vec![today.format("%Y-%m-%d").to_string()],
    );
    if let Scope::Division(code) = scope {
        households.push_str(if code.is_community() {
            " AND h.community = ?"
        } else {
            " AND h.township = ?"
        });
        scope_values.push(code.as_str().to_owned());
    }
    let scoped = matches!(scope, Scope::Division(_));
    let window = [from.to_string(), until.to_string()];

    let mut b = SnapshotBuilder::new(keys);
    {
        let sql = households.replacen("SELECT h.id", "SELECT h.id, h.category, h.township", 1)
            + " ORDER BY h.id";
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(&scope_values))?;
        while let Some(r) = rows.next()? {
            b.household(r.get(0)?, r.get_ref(1)?.as_str()?, r.get(2)?)?;
        }
    }
    {
        let mut sql = format!("SELECT {PERSON_FACT_COLUMNS} FROM persons p");
        let values: &[String] = if scoped {
            sql.push_str(&format!(" WHERE p.household_id IN ({households})"));
            &scope_values
        } else {
            &[]
        };
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(r) = rows.next()? {
            b.person(PersonFacts {
                id: r.get(0)?,
                household: r.get(1)?,
                id_number: r.get_ref(2)?.as_str()?,
                disability_kind: r.get_ref(3)?.as_str_or_null()?,
                disability_grade: r.get_ref(4)?.as_str_or_null()?,
                serious_illness: r.get(5)?,
                school_stage: r.get_ref(6)?.as_str_or_null()?,
                self_care: r.get_ref(7)?.as_str()?,
                boarding: r.get(8)?,
                head: r.get(9)?,
                position: r.get(10)?,
            })?;
        }
    }
    for table in ["incomes", "expenses"] {
        let kind = if table == "incomes" { "''" } else { "m.kind" };
        let mut sql = format!(
            "SELECT m.person_id, m.month, {kind}, m.amount_fen FROM {table} m \
             WHERE m.month >= ? AND m.month < ?"
        );
        let mut values = window.to_vec();
        if scoped {
            sql.push_str(&format!(
                " AND m.person_id IN (SELECT p.id FROM persons p WHERE p.household_id IN ({households}))"
            ));
            values.extend(scope_values.iter().cloned());
        }
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(&values))?;
        while let Some(r) = rows.next()? {
            b.figure(
                table,
                r.get(0)?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get(3)?,
            )?;
        }
    }
    {
        let mut sql = format!("SELECT {ASSET_FACT_COLUMNS} FROM assets a");
        let values: &[String] = if scoped {
            sql.push_str(&format!(" WHERE a.household_id IN ({households})"));
            &scope_values
        } else {
            &[]
        };
        sql.push_str(" GROUP BY a.household_id");
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(r) = rows.next()? {
            b.assets(r.get(0)?, r.get(1)?, r.get(2)?)?;
        }
    }
    tx.finish()?;
    Ok(b.finish())
}
