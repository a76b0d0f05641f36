//! A bounded run of `doudi bench load` (issue 16): caseworkers' reads and visit writes against
//! the real server over loopback for a few seconds, on SQLite and PostgreSQL. The property is
//! that every request answers 200 and every kind of request was sent; the speed figures belong
//! to the benchmark (README, "Load"), not to this test.

use crate::support::{TestDb, doudi, text};

#[test]
fn a_short_load_of_mixed_reads_and_writes_answers_every_request_on_both_databases() {
    for db in TestDb::all("load") {
        let out = doudi(
            &db,
            &[
                "bench",
                "load",
                "--db",
                &db.url,
                "--households",
                "2000",
                "--reads",
                "40",
                "--writes",
                "8",
                "--seconds",
                "4",
                "--warmup",
                "1",
                "--connections",
                "8",
            ],
        );
        let printed = text(&out.stdout);
        assert!(out.status.success(), "{printed}\n{}", text(&out.stderr));
        for kind in [
            "reads",
            "writes",
            "list",
            "page",
            "json",
            "entitlement",
            "work",
            "visit",
        ] {
            let line = printed
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{kind} ")))
                .unwrap_or_else(|| panic!("no line for {kind}:\n{printed}"));
            assert!(line.contains(", 0 errors;"), "{line}");
            assert!(!line.contains(" 0 sent"), "{line}");
        }
    }
}
