//! Batches killed with SIGKILL at many points (issue 16): a household import, a payment run and
//! an evaluation written to a file, each killed at points spread over its run, then checked and
//! run again. A batch is atomic: after a kill it has written everything or nothing, and running
//! it again writes what is missing and duplicates nothing; on SQLite and PostgreSQL.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{TEST_KEY, TempDir, TestDb, doudi, text};

/// Runs `doudi ARGS` and kills it with SIGKILL after `after`, unless it finished first; says
/// whether it finished.
fn kill_after(db: &TestDb, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doudi"))
        .args(args)
        .env("DOUDI_DB", &db.url)
        .env("DOUDI_KEY", TEST_KEY)
        .env_remove("DOUDI_KEY_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("doudi starts");
    let started = Instant::now();
    while started.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    if child.try_wait().unwrap().is_some() {
        return true;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    false
}

/// The rows of each table of a database.
fn counts(url: &str) -> BTreeMap<String, i64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let keys = doudi_store::Keys::parse(TEST_KEY).unwrap();
        let store = doudi_store::connect(url, keys).await.unwrap();
        store.manifest().await.unwrap().tables
    })
}

/// How long `doudi ARGS` takes on a fresh database made by `setup`, and the database after it.
fn timed(tag: &str, like: &TestDb, setup: &dyn Fn(&TestDb), args: &[&str]) -> (Duration, TestDb) {
    let db = fresh(like, tag);
    setup(&db);
    let started = Instant::now();
    let out = doudi(&db, args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (started.elapsed(), db)
}

fn fresh(like: &TestDb, tag: &str) -> TestDb {
    if like.url.starts_with("sqlite:") {
        TestDb::sqlite(tag)
    } else {
        TestDb::postgres(tag)
    }
}

/// Ten points from the start of a run to a little after its end.
fn points(run: Duration) -> Vec<Duration> {
    (0..10u32).map(|i| run * i / 8).collect()
}

const TABLES: [&str; 3] = ["households", "persons", "incomes"];

#[test]
fn an_import_killed_at_any_point_has_written_all_or_nothing_and_runs_again_without_duplicates() {
    for like in TestDb::all("crash_import") {
        let demo = ["demo", "--households", "1000"];
        let (run, reference) = timed("crash_import_ref", &like, &|_| {}, &demo);
        let whole = counts(&reference.url);
        assert_eq!(whole["households"], 1000);
        for (i, after) in points(run).into_iter().enumerate() {
            let db = fresh(&like, &format!("crash_import_{i}"));
            let finished = kill_after(&db, &demo, after);
            let now = counts(&db.url);
            let written = now.get("households").copied().unwrap_or(0);
            for table in TABLES {
                let rows = now.get(table).copied().unwrap_or(0);
                assert!(
                    rows == 0 || rows == whole[table],
                    "killed after {after:?}: {table} has {rows} rows, neither none nor all {}",
                    whole[table]
                );
                assert_eq!(rows == 0, written == 0, "{table} and households agree");
            }
            assert!(
                !finished || written == 1000,
                "a finished import wrote everything"
            );
            // Run again: what is missing is written, nothing twice.
            let _ = doudi(&db, &demo);
            let again = counts(&db.url);
            for table in TABLES {
                assert_eq!(
                    again[table], whole[table],
                    "{table} after the rerun ({after:?})"
                );
            }
        }
    }
}

#[test]
fn a_payment_run_killed_at_any_point_pays_each_line_once_when_run_again() {
    for like in TestDb::all("crash_pay") {
        let setup = |db: &TestDb| {
            let out = doudi(
                db,
                &[
                    "bench",
                    "payments",
                    "--db",
                    &db.url,
                    "--entitlements",
                    "3000",
                ],
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
        };
        let pay = ["pay", "--month", "2026-11"];
        let (run, reference) = timed("crash_pay_ref", &like, &setup, &pay);
        let before = 3000; // the benchmark's own run of 2026-12
        assert_eq!(counts(&reference.url)["payments"], before + 3000);
        let db = fresh(&like, "crash_pay");
        setup(&db);
        for after in points(run) {
            let finished = kill_after(&db, &pay, after);
            let lines = counts(&db.url)["payments"];
            assert!(
                lines == before || lines == before + 3000,
                "killed after {after:?}: {lines} payment lines, neither the month's none nor all"
            );
            assert!(!finished || lines == before + 3000);
        }
        let out = doudi(&db, &pay);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            counts(&db.url)["payments"],
            before + 3000,
            "every line once"
        );
    }
}

#[test]
fn an_evaluation_killed_while_writing_leaves_no_file_or_the_whole_file() {
    let db = TestDb::sqlite("crash_eval");
    assert!(
        doudi(&db, &["demo", "--households", "3000"])
            .status
            .success()
    );
    let dir = TempDir::new("crash_eval");
    let file = dir.path("decisions.jsonl");
    let eval = [
        "eval",
        "--month",
        "2026-11",
        "--explain",
        "--output",
        file.to_str().unwrap(),
    ];
    let started = Instant::now();
    let out = doudi(&db, &eval);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = started.elapsed();
    // One line per household not exited.
    let whole = std::fs::read_to_string(&file).unwrap().lines().count();
    assert!(whole > 2000, "{whole}");
    for after in points(run) {
        std::fs::remove_file(&file).unwrap_or_default();
        let finished = kill_after(&db, &eval, after);
        match std::fs::read_to_string(&file) {
            Err(_) => assert!(!finished, "a finished evaluation wrote its file"),
            Ok(written) => assert_eq!(written.lines().count(), whole, "killed after {after:?}"),
        }
    }
}
