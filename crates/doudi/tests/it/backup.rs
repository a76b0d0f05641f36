//! The restore drill (issue 16): a live county, served and written to by another process,
//! is backed up with `doudi backup`, restored elsewhere with `doudi restore`, and compared table
//! by table; on SQLite and PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::support::{Server, TEST_KEY, TempDir, TestDb, doudi, doudi_with, text, with_store};

/// Every row of every table of a database, as the store reads them for drills.
fn rows(url: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    with_store(url, async |store| store.table_rows().await.unwrap())
}

/// The restore target of a drill: a SQLite file not yet there, or an empty PostgreSQL database.
fn target(like: &TestDb, tag: &str) -> TestDb {
    if like.url.starts_with("sqlite:") {
        TestDb::sqlite(tag)
    } else if like.url.contains(COUNTY_SCHEMA) {
        TestDb::postgres(tag).in_schema(COUNTY_SCHEMA)
    } else {
        TestDb::postgres(tag)
    }
}

/// The schema of a county that shares its PostgreSQL database with others.
const COUNTY_SCHEMA: &str = "county_500235";

/// The drill's databases: SQLite, PostgreSQL in `public`, and PostgreSQL in a county's own
/// schema, whose backup holds that schema only.
fn drill_databases() -> Vec<TestDb> {
    let mut dbs = TestDb::all("drill");
    if dbs.len() > 1 {
        dbs.push(TestDb::postgres("drill_county").in_schema(COUNTY_SCHEMA));
    }
    dbs
}

#[test]
fn a_live_county_is_backed_up_while_it_works_and_restores_elsewhere_with_every_table_the_same() {
    for db in drill_databases() {
        let dir = TempDir::new("drill");
        let out = doudi(&db, &["demo", "--households", "40"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let server = Server::start(&db, &dir.0, &[("DOUDI_KEY", TEST_KEY)]);

        // Another process writes the while: one new account after another.
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (stop, written, url) = (stop.clone(), written.clone(), db.url.clone());
            std::thread::spawn(move || {
                let db = TestDb::at(&url);
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let name = format!("writer{i}");
                    let out = doudi(
                        &db,
                        &[
                            "user",
                            "add",
                            "--username",
                            &name,
                            "--name",
                            "写入者",
                            "--role",
                            "auditor",
                            "--password",
                            "临时密码-abcd-0001",
                        ],
                    );
                    assert!(out.status.success(), "{}", text(&out.stderr));
                    written.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        while written.load(Ordering::Relaxed) < 2 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }

        // A backup in the middle of the writes is one consistent moment: it restores, matches its
        // manifest, and its audit trail verifies to its last entry.
        let during = dir.path("during.backup");
        let out = doudi(&db, &["backup", "--out", during.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("backup written"),
            "{}",
            text(&out.stdout)
        );
        let manifest = std::fs::read_to_string(dir.path("during.backup.manifest")).unwrap();
        assert!(manifest.starts_with("doudi-backup v1\n"), "{manifest}");
        assert!(
            !manifest.contains(TEST_KEY),
            "the key is never in a manifest"
        );
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();

        let first = target(&db, "drill_first");
        let anchor = dir.path("first.anchor");
        let env = [
            ("DOUDI_KEY", TEST_KEY),
            ("DOUDI_AUDIT_ANCHOR", anchor.to_str().unwrap()),
        ];
        let out = doudi_with(
            &first,
            &["restore", "--from", during.to_str().unwrap()],
            &env,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("each table checked"),
            "{}",
            text(&out.stdout)
        );
        let out = doudi_with(&first, &["audit", "verify"], &env);
        assert!(
            out.status.success(),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("audit trail intact"));
        // A restore writes only where nothing is.
        let again = doudi_with(
            &first,
            &["restore", "--from", during.to_str().unwrap()],
            &env,
        );
        assert!(!again.status.success());
        // A wrong key is refused before anything is written.
        let elsewhere = target(&db, "drill_wrong_key");
        let wrong = doudi_with(
            &elsewhere,
            &["restore", "--from", during.to_str().unwrap()],
            &[("DOUDI_KEY", &"a5".repeat(32))],
        );
        assert!(!wrong.status.success());
        assert!(
            text(&wrong.stderr).contains("needs the data key"),
            "{}",
            text(&wrong.stderr)
        );

        // With the writes done, a backup restores to exactly the rows of every table; the
        // restored trail has one entry more, the restore itself.
        let after = dir.path("after.backup");
        let out = doudi(&db, &["backup", "--out", after.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let second = target(&db, "drill_second");
        let out = doudi(&second, &["restore", "--from", after.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        drop(server);
        let mut source = rows(&db.url);
        let mut restored = rows(&second.url);
        let restored_trail = restored.remove("audit_log").unwrap();
        let source_trail = source.remove("audit_log").unwrap();
        assert_eq!(restored_trail.len(), source_trail.len() + 1);
        let restore_entries: Vec<&String> = restored_trail
            .iter()
            .filter(|row| !source_trail.contains(row))
            .collect();
        assert_eq!(restore_entries.len(), 1);
        assert!(
            restore_entries[0].contains("restore"),
            "{}",
            restore_entries[0]
        );
        assert_eq!(
            source.keys().collect::<Vec<_>>(),
            restored.keys().collect::<Vec<_>>()
        );
        for (table, rows) in &source {
            assert!(
                restored[table] == *rows,
                "table {table} differs after the restore"
            );
        }
        assert!(source["households"].len() == 40);
        assert!(source["users"].len() >= 2);
    }
}

#[test]
fn a_backup_never_overwrites_and_a_broken_manifest_is_refused_by_line() {
    let db = TestDb::sqlite("backup-refusals");
    let dir = TempDir::new("backup-refusals");
    assert!(doudi(&db, &["demo", "--households", "5"]).status.success());
    let file = dir.path("b.backup");
    std::fs::write(&file, "x").unwrap();
    let out = doudi(&db, &["backup", "--out", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("never overwrites"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.path("b.backup.manifest"),
        "doudi-backup v1\nbackend sqlite\n",
    )
    .unwrap();
    let elsewhere = TestDb::sqlite("backup-refusals-target");
    let out = doudi(&elsewhere, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("line 2"),
        "{}",
        text(&out.stderr)
    );
}
