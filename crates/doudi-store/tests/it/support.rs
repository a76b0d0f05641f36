//! Test support: running one case against each backend, the actors of the tests, and
//! households to file.
//!
//! Every PostgreSQL case gets a database of its own, `doudi_test_<random hex>`, created on the
//! server `DOUDI_TEST_PG_URL` names (default `postgres://root@127.0.0.1:5432/postgres`) and
//! dropped when the case ends, even when it fails. `DOUDI_TEST_PG=skip` skips the PostgreSQL
//! variants; otherwise a server that cannot be reached fails them.

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Days, NaiveDate};
use doudi_core::{
    Actor, Category, DivisionCode, Employment, HealthInsurance, HouseholdFields, Housing, IdNumber,
    Need, NewHousehold, PersonFields, PersonName, PovertyCause, Relation, Role, Scope, SelfCare,
    WorkCapacity,
};
use doudi_store::Store;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Declares conformance cases: each `async fn name(store) { … }` becomes a module `name` with
/// the tests `sqlite` and `postgres`, which run the same body against each backend.
macro_rules! conformance {
    ($($(#[$meta:meta])* async fn $name:ident($store:ident) $body:block)*) => {$(
        $(#[$meta])*
        pub(crate) mod $name {
            #[allow(unused_imports)]
            use super::*;

            pub(crate) async fn case($store: std::sync::Arc<dyn doudi_store::Store>) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::on_sqlite(case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::support::on_postgres(case).await;
            }
        }
    )*};
}

pub(crate) use conformance;

/// Declares cases that need the database's URL (to reopen it, or to read it with raw SQL): each
/// `async fn name(url) { … }` runs against a fresh SQLite file and a fresh PostgreSQL database.
/// The case opens its stores itself.
macro_rules! on_databases {
    ($($(#[$meta:meta])* async fn $name:ident($url:ident) $body:block)*) => {$(
        $(#[$meta])*
        pub(crate) mod $name {
            #[allow(unused_imports)]
            use super::*;

            pub(crate) async fn case($url: String) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = crate::sqlite_file::TempDir::new();
                case(dir.sqlite_url("registry.db")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
                    eprintln!("note: DOUDI_TEST_PG=skip, so the PostgreSQL variant did not run");
                    return;
                }
                let database = crate::support::TestDatabase::create().await;
                case(database.url.clone()).await;
                drop(database);
            }
        }
    )*};
}

pub(crate) use on_databases;

/// The data key of every test store: fixed, so that a test can open a database twice.
pub fn test_keys() -> doudi_store::Keys {
    doudi_store::Keys::from_bytes(&[0x5a; 32])
}

/// Another key, which is not the test databases' key.
pub fn other_keys() -> doudi_store::Keys {
    doudi_store::Keys::from_bytes(&[0xa5; 32])
}

/// Runs a case against a fresh in-memory SQLite store.
pub async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let store = doudi_store::connect("sqlite::memory:", crate::support::test_keys())
        .await
        .expect("SQLite opens in memory");
    assert_eq!(store.backend(), "sqlite");
    case(store).await;
}

/// Runs a case against a store in a fresh PostgreSQL database, which is dropped afterwards.
pub async fn on_postgres<F, Fut>(case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
        eprintln!("note: DOUDI_TEST_PG=skip, so the PostgreSQL variant of this test did not run");
        return;
    }
    let database = TestDatabase::create().await;
    let store = doudi_store::connect(&database.url, crate::support::test_keys())
        .await
        .expect("the PostgreSQL store opens");
    assert_eq!(store.backend(), "postgres");
    case(store).await;
    drop(database);
}

/// A PostgreSQL database that exists for one test and is dropped with this guard.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    /// Where the test connects.
    pub url: String,
}

impl TestDatabase {
    /// Creates `doudi_test_<random hex>` on the server of `DOUDI_TEST_PG_URL`; [`Self::url`]
    /// works in its schema [`COUNTY_SCHEMA`].
    pub async fn create() -> TestDatabase {
        let admin_url = std::env::var("DOUDI_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into());
        let random = RandomState::new().hash_one(std::time::SystemTime::now());
        let name = format!("doudi_test_{random:016x}");
        let mut conn = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "cannot reach PostgreSQL at DOUDI_TEST_PG_URL ({e}); \
                 set DOUDI_TEST_PG=skip to skip the PostgreSQL variants"
            )
        });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        conn.close().await.ok();
        let url = in_schema(&with_database(&admin_url, &name), COUNTY_SCHEMA);
        TestDatabase {
            admin_url,
            name,
            url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with a
        // runtime of its own.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: test database {} was not dropped: {e}", self.name),
            Err(_) => eprintln!("warning: test database {} was not dropped", self.name),
        }
    }
}

/// The schema the PostgreSQL variants work in: a county's own, as where counties share a
/// database (the store creates it on its first start). The other crates' tests use `public`.
pub const COUNTY_SCHEMA: &str = "county_500235";

/// `url` with `schema` first in its connections' `search_path`.
pub fn in_schema(url: &str, schema: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}options=-c%20search_path%3D{schema}")
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[test]
fn the_test_database_replaces_the_database_of_the_url() {
    assert_eq!(
        with_database("postgres://root@127.0.0.1:5432/postgres", "t"),
        "postgres://root@127.0.0.1:5432/t"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "t"),
        "postgres://u:p@h/t?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "t"), "postgres://h/t");
}

// ---- divisions ----

/// 青龙街道.
pub const QINGLONG: &str = "500235002";
/// A community of 青龙街道.
pub const QINGLONG_1: &str = "500235002001";
/// Another community of 青龙街道.
pub const QINGLONG_2: &str = "500235002002";
/// 人和街道.
pub const RENHE: &str = "500235003";
/// A community of 人和街道.
pub const RENHE_1: &str = "500235003001";

/// A division code.
pub fn code(s: &str) -> DivisionCode {
    DivisionCode::parse(s).expect("a valid division code")
}

// ---- actors ----

fn actor(id: i64, name: &str, role: Role, scope: Scope) -> Actor {
    Actor {
        user_id: id,
        username: format!("user{id}"),
        display_name: name.into(),
        role,
        scope,
        department: None,
        client: "192.0.2.7".into(),
        purpose: String::new(),
    }
}

/// A county approver: reads and writes the whole county.
pub fn county() -> Actor {
    actor(1, "县局审批员", Role::CountyApprover, Scope::County)
}

/// A caseworker of a township.
pub fn caseworker(township: &str) -> Actor {
    actor(
        2,
        "乡镇经办员",
        Role::TownshipCaseworker,
        Scope::Division(code(township)),
    )
}

/// A worker of a community.
pub fn community_worker(community: &str) -> Actor {
    actor(
        3,
        "社区工作人员",
        Role::CommunityWorker,
        Scope::Division(code(community)),
    )
}

/// The administrator, who manages accounts and sees no household data.
pub fn admin() -> Actor {
    actor(4, "系统管理员", Role::Admin, Scope::County)
}

/// An auditor, who reads the whole county and changes nothing.
pub fn auditor() -> Actor {
    actor(5, "审计员", Role::Auditor, Scope::County)
}

/// An officer of a department, for the whole county.
pub fn department_officer(department: doudi_core::Department) -> Actor {
    Actor {
        department: Some(department),
        ..actor(6, "部门工作人员", Role::DepartmentOfficer, Scope::County)
    }
}

/// A social organisation, which sees no identified household data.
pub fn social_organisation() -> Actor {
    actor(7, "社会组织", Role::SocialOrganisation, Scope::County)
}

/// The command line, which manages accounts.
pub fn command_line() -> Actor {
    Actor::system("测试")
}

// ---- people and households ----

/// A date.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// An identity number no other call returns.
pub fn fresh_id() -> IdNumber {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let birth = date(1950, 1, 1) + Days::new(u64::from(n / 1000));
    IdNumber::from_parts("500235", birth, (n % 1000) as u16)
}

/// A member with plain defaults.
pub fn person(name: &str, relation: Relation, id: IdNumber) -> PersonFields {
    PersonFields {
        name: PersonName::parse(name).expect("a valid name"),
        id_number: id,
        relation,
        disability: None,
        serious_illness: false,
        disease: String::new(),
        special_disease: None,
        self_care: SelfCare::Full,
        work_capacity: WorkCapacity::Full,
        willing_to_work: true,
        employment: Employment::Unemployed,
        school_stage: None,
        boarding: false,
        insurance: HealthInsurance::Resident,
        family_doctor: false,
        health_record: false,
        phone: None,
    }
}

/// Household fields with plain defaults in `community`.
pub fn fields(number: &str, community: &str) -> HouseholdFields {
    HouseholdFields {
        number: number.into(),
        township: code(&community[..9]),
        community: code(community),
        category: Category::Dibao,
        enrolled_on: date(2024, 1, 1),
        exited_on: None,
        address: "青龙街道滨江路1号".into(),
        phone: None,
        bank_account: None,
        housing: Housing::Owned,
        causes: vec![PovertyCause::Illness],
        needs: vec![Need::Living],
    }
}

/// A household in `community` whose members have these names: the first is the head, the
/// others are children; identity numbers are fresh.
pub fn household(number: &str, community: &str, names: &[&str]) -> NewHousehold {
    let members = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            person(
                n,
                if i == 0 {
                    Relation::Head
                } else {
                    Relation::Child
                },
                fresh_id(),
            )
        })
        .collect();
    NewHousehold {
        fields: fields(number, community),
        members,
        incomes: Vec::new(),
        assets: Vec::new(),
        expenses: Vec::new(),
        survey: None,
    }
}
