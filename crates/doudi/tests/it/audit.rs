//! `doudi audit` end to end: the trail of a demo county verifies, lists its entries, and, on
//! PostgreSQL, a row corrupted behind the application's back makes `verify` fail and name it.
//! (Tampering on SQLite is covered by the store's conformance suite: no sqlite3 CLI is assumed
//! here.)

use std::process::Command;

use crate::support::{TestDb, doudi, text};

/// Runs SQL on the test's own PostgreSQL database, as someone with database access could.
fn psql_on(db: &TestDb, sql: &str) {
    let out = Command::new("psql")
        .args([db.url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql failed: {}", text(&out.stderr));
}

#[test]
fn the_demo_trail_verifies_and_a_corrupted_row_makes_verify_fail_naming_it() {
    for db in TestDb::all("audit") {
        let out = doudi(&db, &["demo", "--households", "20"]);
        assert!(out.status.success(), "{}", text(&out.stderr));

        let out = doudi(&db, &["audit", "verify"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(stdout.contains("audit trail intact"), "{stdout}");

        let out = doudi(&db, &["audit", "list", "--limit", "5"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(stdout.contains("\timport\timport\t"), "{stdout}");

        if !db.url.starts_with("postgres") {
            continue;
        }
        psql_on(&db, "ALTER TABLE audit_log DISABLE TRIGGER USER");
        psql_on(
            &db,
            "UPDATE audit_log SET detail = '导入1户' WHERE action = 'import'",
        );
        let (seq,) = {
            let out = Command::new("psql")
                .args([
                    db.url.as_str(),
                    "-tAc",
                    "SELECT seq FROM audit_log WHERE action = 'import'",
                ])
                .output()
                .unwrap();
            (text(&out.stdout).trim().to_owned(),)
        };
        let out = doudi(&db, &["audit", "verify"]);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "verify must fail on a corrupted trail"
        );
        assert!(
            stderr.contains(&format!(
                "audit trail BROKEN at entry {seq}: entry {seq} was altered"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn the_anchor_outside_the_database_finds_a_trail_cut_short_or_emptied() {
    use crate::support::TEST_KEY;
    use crate::support::{TempDir, doudi_with};

    for db in TestDb::all("anchor") {
        let dir = TempDir::new("anchor");
        let anchor = dir.path("trail.anchor");
        let env = [
            ("DOUDI_KEY", TEST_KEY),
            ("DOUDI_AUDIT_ANCHOR", anchor.to_str().unwrap()),
        ];
        let out = doudi_with(&db, &["demo", "--households", "20"], &env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let noted = std::fs::read_to_string(&anchor).expect("the demo anchored its entries");
        assert!(noted.starts_with("doudi-audit-anchor v1\nseq "), "{noted}");

        let out = doudi_with(&db, &["audit", "verify"], &env);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains("audit trail intact") && stdout.contains("checked"),
            "{stdout}"
        );
        // A listing appends an entry and moves the anchor on.
        assert!(doudi_with(&db, &["audit", "list"], &env).status.success());
        let head: i64 = std::fs::read_to_string(&anchor)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()[4..]
            .parse()
            .unwrap();

        if !db.url.starts_with("postgres") {
            continue;
        }
        // Someone with database access cuts the newest entries: the chain alone still links.
        psql_on(&db, "ALTER TABLE audit_log DISABLE TRIGGER USER");
        psql_on(
            &db,
            &format!("DELETE FROM audit_log WHERE seq > {}", head - 2),
        );
        let out = doudi_with(&db, &["audit", "verify"], &env);
        assert!(!out.status.success(), "verify must fail on a cut trail");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "entries {} to {head} were cut off: the trail ends at entry {}",
                head - 1,
                head - 2
            )),
            "{stderr}"
        );
        // Commands that append go on, but never re-anchor the cut trail.
        let out = doudi_with(&db, &["audit", "list"], &env);
        assert!(
            text(&out.stderr).contains("no longer holds entry"),
            "{}",
            text(&out.stderr)
        );
        assert!(!doudi_with(&db, &["audit", "verify"], &env).status.success());

        // Emptied altogether.
        psql_on(&db, "DELETE FROM audit_log");
        let out = doudi_with(&db, &["audit", "verify"], &env);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("the trail was emptied"),
            "{}",
            text(&out.stderr)
        );
    }
}
