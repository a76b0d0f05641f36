//! Batches killed with SIGKILL at many points (issue 16): a household import, a payment run and
//! an evaluation written to a file, each killed at points spread over its run, then checked and
//! run again. A batch is atomic: after a kill it has written everything or nothing, and running
//! it again writes what is missing and duplicates nothing; on SQLite and PostgreSQL.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{TEST_KEY, TempDir, TestDb, doudi, text, with_store};

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
    with_store(url, async |store| store.manifest().await.unwrap().tables)
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

/// The members who die in the feed test: the second member of each of the first `n` households
/// with two or more (so a recorded death shows as the member gone), with a death file naming them
/// by identity number and name.
fn deaths_file(url: &str, n: usize, file: &std::path::Path) -> Vec<(i64, i64)> {
    let records = with_store(url, async |store| {
        store
            .records(
                &doudi_core::Actor::system("test"),
                &doudi_store::HouseholdFilter::default(),
            )
            .await
            .unwrap()
    });
    let mut csv = String::from("记录编号,姓名,身份证号码,死亡日期\n");
    let mut dead = Vec::new();
    for r in records.iter().filter(|r| r.members.len() >= 2).take(n) {
        let m = &r.members[1];
        csv.push_str(&format!(
            "D{:05},{},{},2026-11-20\n",
            dead.len() + 1,
            m.fields.name.as_str(),
            m.fields.id_number.as_str()
        ));
        dead.push((r.household.id.0, m.id.0));
    }
    assert_eq!(dead.len(), n, "enough households of two or more");
    std::fs::write(file, csv).unwrap();
    dead
}

/// Of the dead: how many are no longer members, and how many death alerts are done, new, or
/// otherwise; and the feed's imports and records.
fn feed_state(url: &str, dead: &[(i64, i64)]) -> (usize, BTreeMap<String, usize>, i64, i64) {
    with_store(url, async |store| {
        let system = doudi_core::Actor::system("test");
        let mut gone = 0;
        for (household, person) in dead {
            let r = store
                .household(&system, doudi_core::HouseholdId(*household))
                .await
                .unwrap();
            gone += usize::from(!r.members.iter().any(|m| m.id.0 == *person));
        }
        let alerts = store
            .alerts(&system, &doudi_store::discovery::AlertFilter::default())
            .await
            .unwrap();
        let mut states = BTreeMap::new();
        for a in alerts
            .iter()
            .filter(|a| a.rule == doudi_core::discovery::AlertRule::Death)
        {
            *states.entry(a.state.code().to_owned()).or_insert(0) += 1;
        }
        let tables = store.manifest().await.unwrap().tables;
        (gone, states, tables["feed_imports"], tables["feed_records"])
    })
}

#[test]
fn a_department_feed_killed_at_any_point_keeps_its_records_once_and_each_death_with_its_alert() {
    const DEATHS: usize = 600;
    for like in TestDb::all("crash_feed") {
        let demo = ["demo", "--households", "1500"];
        let dir = TempDir::new("crash_feed");
        let file = dir.path("deaths.csv");
        let reference = fresh(&like, "crash_feed_ref");
        assert!(doudi(&reference, &demo).status.success());
        let dead = deaths_file(&reference.url, DEATHS, &file);
        let feed = ["feed", "--kind", "death", file.to_str().unwrap()];
        let started = Instant::now();
        let out = doudi(&reference, &feed);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let run = started.elapsed();
        let all_done = BTreeMap::from([("done".to_owned(), DEATHS)]);
        assert_eq!(
            feed_state(&reference.url, &dead),
            (DEATHS, all_done.clone(), 1, DEATHS as i64),
            "an uninterrupted run records every death and closes its alert"
        );

        // The same county, the same file, killed again and again: each run takes up what the
        // one before left.
        let db = fresh(&like, "crash_feed");
        let mut between = 0;
        assert!(doudi(&db, &demo).status.success());
        assert_eq!(deaths_file(&db.url, DEATHS, &file), dead, "the same people");
        // Most of a run records deaths, one transaction each: sixteen points over it.
        for after in (0..16u32).map(|i| run * i / 14) {
            let finished = kill_after(&db, &feed, after);
            let (gone, states, imports, records) = feed_state(&db.url, &dead);
            let done = states.get("done").copied().unwrap_or(0);
            let new = states.get("new").copied().unwrap_or(0);
            assert!(
                (imports, records) == (0, 0) || (imports, records) == (1, DEATHS as i64),
                "killed after {after:?}: {imports} imports with {records} records, neither none nor all"
            );
            assert_eq!(
                done + new,
                if imports == 0 { 0 } else { DEATHS },
                "killed after {after:?}: every death alert is new or done ({states:?})"
            );
            assert_eq!(
                gone, done,
                "killed after {after:?}: a death is recorded exactly when its alert is done"
            );
            assert!(
                !finished || gone == DEATHS,
                "a finished run recorded every death"
            );
            eprintln!("killed after {after:?}: {imports} imports, {gone} deaths recorded");
            between += usize::from(imports == 1 && gone < DEATHS);
        }
        assert!(
            between > 0,
            "at least one kill fell between keeping the records and recording the last death"
        );
        let out = doudi(&db, &feed);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            feed_state(&db.url, &dead),
            (DEATHS, all_done, 1, DEATHS as i64),
            "after the last run: every death once, every alert done, the file kept once"
        );
    }
}
