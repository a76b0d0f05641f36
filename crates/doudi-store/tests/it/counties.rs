//! Counties sharing one PostgreSQL database, each in a schema of its own (the schema named
//! first in its URL's `search_path`, created on the county's first start): the layout a
//! province's database is distributed by on Citus, one distributed schema a county
//! (ARCHITECTURE.md, "A province on PostgreSQL, distributed by county"). Each county's process
//! sees only its own tables, keeps its own audit chain and backs up only its own schema.

use doudi_store::{HouseholdFilter, Page};

use crate::support::*;

const OTHER_SCHEMA: &str = "county_other";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_counties_in_schemas_of_one_database_see_only_their_own_households_and_audit() {
    if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
        eprintln!("note: DOUDI_TEST_PG=skip, so this PostgreSQL test did not run");
        return;
    }
    let database = TestDatabase::create().await;
    let other_url = database.url.replace(COUNTY_SCHEMA, OTHER_SCHEMA);
    let one = doudi_store::connect(&database.url, test_keys())
        .await
        .unwrap();
    let other = doudi_store::connect(&other_url, test_keys()).await.unwrap();

    one.create_household(&county(), &household("QL-0001", QINGLONG_1, &["张三"]))
        .await
        .unwrap();
    one.create_household(&county(), &household("QL-0002", QINGLONG_1, &["李四"]))
        .await
        .unwrap();
    // The same file number and identity numbers are another county's own business.
    other
        .create_household(&county(), &household("QL-0001", QINGLONG_1, &["张三"]))
        .await
        .unwrap();

    let all = Page {
        offset: 0,
        limit: 10,
    };
    let filter = HouseholdFilter::default();
    assert_eq!(
        one.households(&county(), &filter, all).await.unwrap().total,
        2
    );
    assert_eq!(
        other
            .households(&county(), &filter, all)
            .await
            .unwrap()
            .total,
        1
    );

    // Each chain verifies on its own; neither holds the other's entries.
    let (a, b) = (
        one.verify_audit(None).await.unwrap(),
        other.verify_audit(None).await.unwrap(),
    );
    assert!(a.is_intact() && b.is_intact(), "{a:?} {b:?}");
    assert_ne!(a.entries, b.entries, "two households filed, against one");

    // Upkeep after a load touches the county's own tables.
    one.tidy().await.unwrap();

    // A backup of one county holds its schema only.
    let dir = crate::sqlite_file::TempDir::new();
    let out = dir.0.join("one.dump");
    one.backup(&admin(), &out).await.unwrap();
    let listed = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(&out)
        .output()
        .expect("pg_restore runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&format!("TABLE {COUNTY_SCHEMA} households")),
        "{listed}"
    );
    assert!(!listed.contains(OTHER_SCHEMA), "{listed}");
}

#[tokio::test]
async fn a_search_path_naming_no_schema_the_store_can_create_is_refused_with_the_reason() {
    if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
        return;
    }
    let database = TestDatabase::create().await;
    let url = database.url.replace(COUNTY_SCHEMA, "pg_county");
    let Err(e) = doudi_store::connect(&url, test_keys()).await else {
        panic!("a schema named pg_county was accepted");
    };
    assert!(e.to_string().contains("county_500235"), "{e}");
}
