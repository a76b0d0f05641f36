//! Both backends' migrations make the same schema: a fresh SQLite database and a fresh
//! PostgreSQL database are migrated, their catalogues read, their column types mapped to one
//! vocabulary (the storage SQLite uses for each: dates, timestamps and text are `text`; money,
//! ids and booleans `integer`), and their tables, columns, keys, indexes and foreign keys
//! compared.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};

use crate::sqlite_file::TempDir;
use crate::support::{TestDatabase, test_keys};

/// An index created by `CREATE INDEX`, not by a key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

/// A foreign key: its columns, the table and columns it references, and what a delete does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    on_delete: String,
}

/// One table as both backends can describe it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// Column name → (type in the common vocabulary, NOT NULL).
    columns: BTreeMap<String, (String, bool)>,
    primary_key: Vec<String>,
    uniques: BTreeSet<Vec<String>>,
    indexes: BTreeMap<String, Index>,
    foreign_keys: BTreeSet<ForeignKey>,
}

type Schema = BTreeMap<String, Table>;

/// The migrations' own bookkeeping, which is not part of the schema.
const BOOKKEEPING: &str = "_sqlx_migrations";

/// A SQLite declared type in the common vocabulary (by SQLite's affinity rules).
fn sqlite_type(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.contains("BLOB") || t.is_empty() {
        "bytes"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
    .into()
}

/// A PostgreSQL type in the common vocabulary: what SQLite stores the same values as.
fn postgres_type(data_type: &str) -> String {
    match data_type {
        "bigint" | "integer" | "smallint" | "boolean" => "integer",
        "text"
        | "character varying"
        | "character"
        | "date"
        | "timestamp with time zone"
        | "timestamp without time zone"
        | "json"
        | "jsonb"
        | "uuid" => "text",
        "bytea" => "bytes",
        "real" | "double precision" => "real",
        other => panic!("the schema comparison does not know PostgreSQL's type {other}"),
    }
    .into()
}

/// A delete action in words, from SQLite's pragma or PostgreSQL's `confdeltype`.
fn on_delete(action: &str) -> String {
    match action {
        "a" | "NO ACTION" => "no action",
        "r" | "RESTRICT" => "restrict",
        "c" | "CASCADE" => "cascade",
        "n" | "SET NULL" => "set null",
        "d" | "SET DEFAULT" => "set default",
        other => panic!("unknown delete action {other}"),
    }
    .into()
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url)
        .await
        .expect("SQLite reopens");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> ?",
    )
    .bind(BOOKKEEPING)
    .fetch_all(&mut conn)
    .await
    .expect("sqlite_master reads");
    let mut schema = Schema::new();
    for (name, sql) in tables {
        let without_rowid = sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        let mut table = Table::default();
        let columns = sqlx::query(r#"SELECT name, type, "notnull", pk FROM pragma_table_info(?)"#)
            .bind(&name)
            .fetch_all(&mut conn)
            .await
            .expect("table_info reads");
        let mut key: Vec<(i64, String)> = Vec::new();
        for row in &columns {
            let pk: i64 = row.get("pk");
            if pk > 0 {
                key.push((pk, row.get("name")));
            }
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        for row in &columns {
            let column: String = row.get("name");
            let declared: String = row.get("type");
            let in_key = table.primary_key.contains(&column);
            // A rowid alias (the sole INTEGER key) and the key of a WITHOUT ROWID table can
            // never be NULL, whatever the declaration says.
            let rowid_alias =
                in_key && table.primary_key.len() == 1 && declared.eq_ignore_ascii_case("INTEGER");
            let not_null =
                row.get::<i64, _>("notnull") == 1 || rowid_alias || (in_key && without_rowid);
            table
                .columns
                .insert(column, (sqlite_type(&declared), not_null));
        }
        let indexes =
            sqlx::query(r#"SELECT name, "unique", origin, partial FROM pragma_index_list(?)"#)
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .expect("index_list reads");
        for row in indexes {
            let index: String = row.get("name");
            let origin: String = row.get("origin");
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut conn)
                    .await
                    .expect("index_info reads");
            let cols: Vec<String> = cols
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".into()))
                .collect();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    table.uniques.insert(cols);
                }
                _ => {
                    table.indexes.insert(
                        index,
                        Index {
                            columns: cols,
                            unique: row.get::<i64, _>("unique") == 1,
                            partial: row.get::<i64, _>("partial") == 1,
                        },
                    );
                }
            }
        }
        let keys = sqlx::query(
            r#"SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)
               ORDER BY id, seq"#,
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .expect("foreign_key_list reads");
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for row in keys {
            let fk = by_id.entry(row.get("id")).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                table: row.get("table"),
                references: Vec::new(),
                on_delete: on_delete(row.get("on_delete")),
            });
            fk.columns.push(row.get("from"));
            let to: Option<String> = row.get("to");
            fk.references
                .push(to.expect("every foreign key names the columns it references"));
        }
        table.foreign_keys = by_id.into_values().collect();
        schema.insert(name, table);
    }
    conn.close().await.ok();
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url)
        .await
        .expect("PostgreSQL reopens");
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1",
    )
    .bind(BOOKKEEPING)
    .fetch_all(&mut conn)
    .await
    .expect("the tables read");
    for name in tables {
        schema.insert(name, Table::default());
    }
    let columns = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, \
                is_nullable::text AS nullable \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut conn)
    .await
    .expect("the columns read");
    for row in columns {
        if let Some(table) = schema.get_mut(row.get::<&str, _>("t")) {
            table.columns.insert(
                row.get("c"),
                (
                    postgres_type(row.get("ty")),
                    row.get::<&str, _>("nullable") == "NO",
                ),
            );
        }
    }
    let constraints = sqlx::query(
        "SELECT cl.relname::text AS t, c.contype::text AS kind, \
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o) \
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n \
                  ORDER BY k.o) AS cols, \
            COALESCE(rf.relname::text, '') AS ref, \
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o) \
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n \
                  ORDER BY k.o) AS ref_cols, \
            c.confdeltype::text AS on_delete \
         FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         LEFT JOIN pg_class rf ON rf.oid = c.confrelid \
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')",
    )
    .fetch_all(&mut conn)
    .await
    .expect("the constraints read");
    for row in constraints {
        let Some(table) = schema.get_mut(row.get::<&str, _>("t")) else {
            continue;
        };
        let cols: Vec<String> = row.get("cols");
        match row.get::<&str, _>("kind") {
            "p" => table.primary_key = cols,
            "u" => {
                table.uniques.insert(cols);
            }
            _ => {
                table.foreign_keys.insert(ForeignKey {
                    columns: cols,
                    table: row.get("ref"),
                    references: row.get("ref_cols"),
                    on_delete: on_delete(row.get("on_delete")),
                });
            }
        }
    }
    // Indexes that no constraint made: those `CREATE INDEX` made.
    let indexes = sqlx::query(
        "SELECT t.relname::text AS t, i.relname::text AS name, ix.indisunique AS is_unique, \
            ix.indpred IS NOT NULL AS partial, \
            ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) \
                  FROM generate_series(1, ix.indnatts::int) AS k ORDER BY k) AS cols \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .fetch_all(&mut conn)
    .await
    .expect("the indexes read");
    for row in indexes {
        let Some(table) = schema.get_mut(row.get::<&str, _>("t")) else {
            continue;
        };
        let cols: Vec<String> = row.get("cols");
        let cols = cols
            .into_iter()
            .map(|c| {
                let plain = c.trim_matches('"');
                if plain
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    plain.to_string()
                } else {
                    "<expression>".to_string()
                }
            })
            .collect();
        table.indexes.insert(
            row.get("name"),
            Index {
                columns: cols,
                unique: row.get("is_unique"),
                partial: row.get("partial"),
            },
        );
    }
    conn.close().await.ok();
    schema
}

/// Notes `what` when SQLite's and PostgreSQL's differ.
fn compare<T: PartialEq + std::fmt::Debug>(out: &mut Vec<String>, what: &str, s: &T, p: &T) {
    if s != p {
        out.push(format!("{what}: SQLite {s:?}, PostgreSQL {p:?}"));
    }
}

/// Notes every named item (column, index) that differs between SQLite and PostgreSQL.
fn compare_by_name<T: PartialEq + std::fmt::Debug>(
    out: &mut Vec<String>,
    what: &str,
    s: &BTreeMap<String, T>,
    p: &BTreeMap<String, T>,
) {
    let names: BTreeSet<&String> = s.keys().chain(p.keys()).collect();
    for name in names {
        compare(out, &format!("{what} {name}"), &s.get(name), &p.get(name));
    }
}

/// Every difference between the two schemas, one line each, in words.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only in SQLite"));
                continue;
            }
            (None, _) => {
                out.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
        };
        let columns = format!("{name} column");
        compare_by_name(&mut out, &columns, &s.columns, &p.columns);
        compare(
            &mut out,
            &format!("{name} primary key"),
            &s.primary_key,
            &p.primary_key,
        );
        compare(
            &mut out,
            &format!("{name} unique keys"),
            &s.uniques,
            &p.uniques,
        );
        compare_by_name(&mut out, &format!("{name} index"), &s.indexes, &p.indexes);
        compare(
            &mut out,
            &format!("{name} foreign keys"),
            &s.foreign_keys,
            &p.foreign_keys,
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_migrate_to_the_same_tables_columns_keys_indexes_and_foreign_keys() {
    if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
        eprintln!("note: DOUDI_TEST_PG=skip, so the schema comparison did not run");
        return;
    }
    let dir = TempDir::new();
    let sqlite_url = dir.sqlite_url("schema.db");
    doudi_store::connect(&sqlite_url, test_keys())
        .await
        .expect("SQLite migrates");
    let database = TestDatabase::create().await;
    doudi_store::connect(&database.url, test_keys())
        .await
        .expect("PostgreSQL migrates");

    let sqlite = sqlite_schema(&sqlite_url).await;
    let postgres = postgres_schema(&database.url).await;
    assert!(
        sqlite.len() > 10 && sqlite.contains_key("cases") && sqlite.contains_key("audit_log"),
        "the SQLite catalogue was read: {:?}",
        sqlite.keys().collect::<Vec<_>>()
    );
    assert!(
        sqlite["cases"].indexes.contains_key("cases_household")
            && !sqlite["persons"].foreign_keys.is_empty(),
        "indexes and foreign keys were read"
    );
    let found = differences(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "the backends' schemas differ:\n{}",
        found.join("\n")
    );
    drop(database);
}

#[test]
fn the_comparison_notices_a_column_of_another_type_and_an_index_made_partial() {
    let mut sqlite = Schema::new();
    let mut table = Table::default();
    table
        .columns
        .insert("amount_fen".into(), ("integer".into(), true));
    table.indexes.insert(
        "t_open".into(),
        Index {
            columns: vec!["amount_fen".into()],
            unique: true,
            partial: true,
        },
    );
    sqlite.insert("t".into(), table);
    let mut postgres = Schema::new();
    let mut table = Table::default();
    table
        .columns
        .insert("amount_fen".into(), (postgres_type("text"), true));
    table.indexes.insert(
        "t_open".into(),
        Index {
            columns: vec!["amount_fen".into()],
            unique: true,
            partial: false,
        },
    );
    postgres.insert("t".into(), table);
    let found = differences(&sqlite, &postgres);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(sqlite_type("BIGINT"), postgres_type("boolean"));
    assert_eq!(
        sqlite_type("TEXT"),
        postgres_type("timestamp with time zone")
    );
}

/// The tables that hang off a household (a `household_id`, `person_id`, `case_id` or `visit_id`)
/// yet are not one county's: each is province-wide on purpose (ARCHITECTURE.md, "A province on
/// PostgreSQL, distributed by county").
const PROVINCE_WIDE: [&str; 2] = [
    // A department's file before matching covers the province.
    "feed_records",
    // A caseworker's ruling on a record linkage, looked up from every county.
    "link_decisions",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_that_hangs_off_a_household_carries_its_county_code() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("county.db");
    doudi_store::connect(&url, test_keys())
        .await
        .expect("SQLite migrates");
    let schema = sqlite_schema(&url).await;
    let keyed = ["household_id", "person_id", "case_id", "visit_id"];
    let mut without = Vec::new();
    let mut with = 0;
    for (name, table) in &schema {
        let hangs = name == "households" || keyed.iter().any(|k| table.columns.contains_key(*k));
        if !hangs || PROVINCE_WIDE.contains(&name.as_str()) {
            continue;
        }
        match table.columns.get("county") {
            Some((ty, true)) if ty == "text" => with += 1,
            other => without.push(format!("{name}: {other:?}")),
        }
    }
    assert!(
        without.is_empty(),
        "household-scoped tables without a NOT NULL county: {without:?}"
    );
    assert!(with >= 35, "only {with} household-scoped tables were found");
}

crate::support::on_databases! {
    async fn what_is_filed_carries_its_county_and_the_database_refuses_a_household_of_another(url) {
        use crate::support::{QINGLONG_1, county, household};
        let store = doudi_store::connect(&url, test_keys()).await.unwrap();
        let id = store
            .create_household(&county(), &household("QL-K001", QINGLONG_1, &["赵一", "赵二"]))
            .await
            .unwrap();
        let mut raw = crate::audit::Raw::connect(&url).await;
        let households = raw.texts(&format!("SELECT county FROM households WHERE id = {}", id.0)).await;
        let persons = raw.texts(&format!("SELECT county FROM persons WHERE household_id = {}", id.0)).await;
        assert_eq!(households, [Some("500235".to_owned())]);
        assert_eq!(persons, [Some("500235".to_owned()), Some("500235".to_owned())]);
        let refused = raw
            .refused(&format!("UPDATE households SET county = '500101' WHERE id = {}", id.0))
            .await;
        assert!(refused.contains("households_county"), "{refused}");
    }
}
