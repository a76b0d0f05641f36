//! Backups: a copy of the whole database taken while it is in use, which restores to the same
//! rows on both backends, with a manifest that describes it and a record in the audit trail.

use doudi_core::{Actor, Role};
use doudi_store::{Manifest, StoreError};

use crate::support::*;

fn admin() -> Actor {
    Actor {
        role: Role::Admin,
        ..Actor::system("备份")
    }
}

/// A PostgreSQL archive restored into a fresh database, as `doudi restore` does.
fn pg_restore(archive: &std::path::Path, url: &str) {
    let out = std::process::Command::new("pg_restore")
        .args([
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
        ])
        .arg("--dbname")
        .arg(url)
        .arg(archive)
        .output()
        .expect("pg_restore runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

on_databases! {
    async fn a_backup_restores_to_exactly_the_rows_it_was_taken_from(url) {
        let store = doudi_store::connect(&url, test_keys()).await.unwrap();
        for (number, names) in [("QL-0001", &["张三", "张小"][..]), ("QL-0002", &["李四"][..])] {
            store.create_household(&county(), &household(number, QINGLONG_1, names)).await.unwrap();
        }
        let dir = crate::sqlite_file::TempDir::new();
        let out = dir.0.join("backup.copy");

        let refused = store.backup(&caseworker(QINGLONG), &out).await;
        assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");

        let manifest = store.backup(&admin(), &out).await.unwrap();
        assert_eq!(manifest.backend, store.backend());
        assert_eq!(manifest.tables["households"], 2);
        assert_eq!(manifest.tables["persons"], 3);
        assert!(!manifest.key_id.is_empty());
        // The copy holds its own record: the backup's entry is the last of its trail.
        let now = store.manifest().await.unwrap();
        assert!(manifest.differences(&now).is_empty(), "{:?}", manifest.differences(&now));
        assert_eq!(manifest.audit, store.audit_head().await.unwrap());
        // The manifest reads back as written.
        assert_eq!(Manifest::parse(&manifest.to_text()).unwrap(), manifest);
        // A backup never overwrites.
        let again = store.backup(&admin(), &out).await;
        assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");

        // Restored elsewhere, every table holds the same rows.
        let (restored_url, _database) = if store.backend() == "sqlite" {
            let copy = dir.0.join("restored.db");
            std::fs::copy(&out, &copy).unwrap();
            (format!("sqlite://{}", copy.display()), None)
        } else {
            let database = TestDatabase::create().await;
            pg_restore(&out, &database.url);
            (database.url.clone(), Some(database))
        };
        let restored = doudi_store::connect(&restored_url, test_keys()).await.unwrap();
        assert!(manifest.differences(&restored.manifest().await.unwrap()).is_empty());
        assert_eq!(restored.table_rows().await.unwrap(), store.table_rows().await.unwrap());
        let anchor = manifest.audit.clone().unwrap();
        let report = restored.verify_audit(Some(&anchor)).await.unwrap();
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.anchored, Some(anchor.seq));

        // A change after the backup is a difference the manifest names.
        store.create_household(&county(), &household("QL-0003", QINGLONG_1, &["王五"])).await.unwrap();
        let later = store.manifest().await.unwrap();
        let differences = manifest.differences(&later);
        assert!(differences.iter().any(|d| d == "table households has 3 rows instead of 2"), "{differences:?}");
    }
}

#[test]
fn a_manifest_that_is_not_one_is_refused_by_line() {
    assert!(
        Manifest::parse("hello")
            .unwrap_err()
            .contains("not a doudi backup manifest")
    );
    let bad = "doudi-backup v1\nbackend: sqlite\ntaken_at: yesterday\n";
    assert!(Manifest::parse(bad).unwrap_err().starts_with("line 3"));
    let missing = "doudi-backup v1\nbackend: sqlite\n";
    assert!(Manifest::parse(missing).is_err());
}
