//! What only a SQLite file shows: it is created when missing, keeps what was filed across
//! restarts, and lets writers on several connections wait for each other without losing an
//! update.

use std::path::PathBuf;

use doudi_store::{HouseholdFilter, Page};
use sqlx::Connection;

use crate::support::*;

/// A directory that is removed with this guard.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory under the system's temporary directory.
    pub fn new() -> TempDir {
        use std::hash::{BuildHasher, RandomState};
        let random = RandomState::new().hash_one(std::time::SystemTime::now());
        let dir = std::env::temp_dir().join(format!("doudi-store-test-{random:016x}"));
        std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
        TempDir(dir)
    }

    /// The URL of a database file in this directory.
    pub fn sqlite_url(&self, file: &str) -> String {
        format!("sqlite://{}", self.0.join(file).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_is_created_when_missing_and_keeps_what_was_filed() {
    let dir = TempDir::new();
    let path = dir.0.join("registry.db");
    assert!(!path.exists());
    {
        let store =
            doudi_store::connect(&dir.sqlite_url("registry.db"), crate::support::test_keys())
                .await
                .unwrap();
        store
            .create_household(&county(), &household("QL-0601", QINGLONG_1, &["韩一"]))
            .await
            .unwrap();
    }
    assert!(path.exists());

    let store = doudi_store::connect(&dir.sqlite_url("registry.db"), crate::support::test_keys())
        .await
        .unwrap();
    let page = store
        .households(
            &county(),
            &HouseholdFilter::default(),
            Page {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].head_name.as_str(), "韩一");
    assert_eq!(
        store.divisions().await.unwrap().len(),
        42,
        "reseeding the townships adds none"
    );

    let mut conn = sqlx::SqliteConnection::connect(&dir.sqlite_url("registry.db"))
        .await
        .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_on_a_sqlite_file_wait_for_each_other_and_lose_no_update() {
    let dir = TempDir::new();
    let store = doudi_store::connect(&dir.sqlite_url("registry.db"), crate::support::test_keys())
        .await
        .unwrap();
    crate::households::many_writers_lose_no_update(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_edits_on_a_sqlite_file_let_exactly_one_through() {
    let dir = TempDir::new();
    let store = doudi_store::connect(&dir.sqlite_url("registry.db"), crate::support::test_keys())
        .await
        .unwrap();
    crate::households::two_simultaneous_edits_from_one_version_let_exactly_one_through::case(store)
        .await;
}

/// The non-unique indexes of `persons`, by name.
async fn person_indexes(url: &str) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'persons' \
         AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|(name,)| name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_import_rebuilds_the_search_indexes_and_a_failed_one_keeps_them() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("registry.db");
    let store = doudi_store::connect(&url, crate::support::test_keys())
        .await
        .unwrap();
    let indexes = person_indexes(&url).await;
    assert_eq!(indexes.len(), 4, "{indexes:?}");

    // Large enough to have the indexes set aside, and failing on its last household.
    store
        .create_household(&county(), &household("BIG-0000", QINGLONG_1, &["许一"]))
        .await
        .unwrap();
    let mut batch = crate::import::batch("BIG", 50);
    let filed = store
        .households(
            &county(),
            &HouseholdFilter::default(),
            Page {
                offset: 0,
                limit: 1,
            },
        )
        .await
        .unwrap();
    batch[49].members[0].id_number = filed.rows[0].head_id_number.clone();
    batch[0].fields.number = "BIG-NEW".into();
    assert!(store.import_households(&county(), &batch).await.is_err());
    assert_eq!(
        person_indexes(&url).await,
        indexes,
        "the failed import changed nothing"
    );

    batch[49].members[0].id_number = fresh_id();
    store.import_households(&county(), &batch).await.unwrap();
    assert_eq!(
        person_indexes(&url).await,
        indexes,
        "the indexes are back after the import"
    );
    let by_initials = HouseholdFilter {
        query: Some("zy".into()),
        ..Default::default()
    };
    let page = store
        .households(
            &county(),
            &by_initials,
            Page {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 50, "郑一 of every imported household");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_reads_rule_snapshots_through_its_own_connection_and_agrees_with_full_records()
 {
    let dir = TempDir::new();
    let store = doudi_store::connect(&dir.sqlite_url("registry.db"), crate::support::test_keys())
        .await
        .expect("the file opens");
    let a = store
        .create_household(&county(), &crate::households::full_household("QL-0001"))
        .await
        .unwrap();
    store
        .create_household(
            &county(),
            &household("QL-0002", QINGLONG_2, &["李四", "李小红"]),
        )
        .await
        .unwrap();
    store
        .create_household(&county(), &household("RH-0001", RENHE_1, &["王五"]))
        .await
        .unwrap();
    let all = store
        .records(&county(), &HouseholdFilter::default())
        .await
        .unwrap();
    let months: Vec<doudi_core::Month> = all
        .iter()
        .flat_map(|r| {
            r.incomes
                .iter()
                .map(|i| i.month)
                .chain(r.expenses.iter().map(|e| e.month))
        })
        .collect();
    let (first, last) = (*months.iter().min().unwrap(), *months.iter().max().unwrap());
    for (from, until) in [(first, last.plus(1)), (last, last.plus(1))] {
        let read = store.snapshots(&county(), from, until).await.unwrap();
        let expected: Vec<_> = all
            .iter()
            .map(|r| crate::records::expected_snapshot(r, from, until))
            .collect();
        assert_eq!(read, expected, "window {from}–{until}");
    }
    let qinglong = store
        .snapshots(&caseworker(QINGLONG), first, last.plus(1))
        .await
        .unwrap();
    assert_eq!(qinglong.iter().map(|s| s.id).collect::<Vec<_>>().len(), 2);
    assert_eq!(qinglong[0].id, a.0);
    assert_eq!(qinglong[0].members.len(), all[0].members.len());
}

/// The divisions a store keeps in memory (`cache::DivisionCache`): what another process adds
/// (`doudi community add` beside a running server) shows within two seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_another_process_adds_shows_in_the_divisions_within_two_seconds() {
    use doudi_core::{Division, DivisionKind};
    let dir = TempDir::new();
    let url = dir.sqlite_url("registry.db");
    let server = doudi_store::connect(&url, test_keys()).await.unwrap();
    let command = doudi_store::connect(&url, test_keys()).await.unwrap();
    assert_eq!(server.divisions().await.unwrap().len(), 42);
    let community = Division {
        code: code(QINGLONG_1),
        name: "复兴社区".into(),
        kind: DivisionKind::Community,
        parent: Some(code(QINGLONG)),
    };
    command.put_community(&county(), &community).await.unwrap();
    assert_eq!(
        command.divisions().await.unwrap().len(),
        43,
        "its own change at once"
    );
    let started = std::time::Instant::now();
    while server.divisions().await.unwrap().len() == 42 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the other process's community never showed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
