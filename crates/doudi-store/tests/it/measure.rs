//! Measures a county-sized registry: 100,000 households with 250,000 people and 1.5 million
//! monthly incomes, imported in one transaction, then listed and searched the way caseworkers
//! do. Ignored in normal runs; run it on purpose, preferably optimised:
//!
//! ```text
//! cargo test -p doudi-store --release --test it -- --ignored --nocapture measure
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use doudi_core::{
    Actor, Category, HouseholdFields, Housing, IdNumber, Income, IncomeKind, Money, Month, Need,
    NewHousehold, PersonId, PovertyCause, Relation, TownshipTable,
};
use doudi_store::{HouseholdFilter, Page, Store};

use crate::sqlite_file::TempDir;
use crate::support::*;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "春", "红", "建", "国",
];

/// A deterministic county: households spread evenly over the 42 townships and 10 communities
/// each, alternately of two and three members, each member with six months of wages.
fn county_registry(households: usize) -> Vec<NewHousehold> {
    let townships = TownshipTable::yunyang().townships;
    let mut next_person = 0usize;
    let mut seed: u64 = 0x5eed;
    let mut random = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    (0..households)
        .map(|i| {
            let township = &townships[i % townships.len()].code;
            let community = code(&format!("{township}{:03}", 1 + (i / townships.len()) % 10));
            let size = 2 + i % 2;
            let surname = SURNAMES[random(SURNAMES.len())];
            let members = (0..size)
                .map(|m| {
                    let n = next_person;
                    next_person += 1;
                    // Injective: the day gives n / 10, the sequence n % 10.
                    let birth = date(1940, 1, 1) + chrono::Days::new((n / 10) as u64);
                    let sequence = ((n % 10) * 100 + (n / 10) % 100) as u16;
                    let name = format!(
                        "{}{}{}",
                        if m == 1 {
                            SURNAMES[random(SURNAMES.len())]
                        } else {
                            surname
                        },
                        GIVEN[random(GIVEN.len())],
                        GIVEN[random(GIVEN.len())]
                    );
                    let relation = match m {
                        0 => Relation::Head,
                        1 => Relation::Spouse,
                        _ => Relation::Child,
                    };
                    person(
                        &name,
                        relation,
                        IdNumber::from_parts("500235", birth, sequence),
                    )
                })
                .collect::<Vec<_>>();
            let incomes = (0..size as i64)
                .flat_map(|p| {
                    (1..=6).map(move |m| Income {
                        person: PersonId(p),
                        month: Month::new(2026, m).unwrap(),
                        kind: IncomeKind::Wages,
                        amount: Money::from_fen(50_000 + p * 100 + i64::from(m)),
                    })
                })
                .collect();
            NewHousehold {
                fields: HouseholdFields {
                    number: format!("{}-{i:06}", &township.as_str()[6..]),
                    township: township.clone(),
                    community,
                    category: if i % 7 == 0 {
                        Category::Tekun
                    } else {
                        Category::Dibao
                    },
                    enrolled_on: date(2020, 1, 1) + chrono::Days::new((i % 1500) as u64),
                    exited_on: (i % 20 == 0).then(|| date(2025, 6, 30)),
                    address: format!("{}号", i),
                    phone: None,
                    bank_account: None,
                    housing: Housing::Owned,
                    causes: vec![PovertyCause::ALL[i % PovertyCause::ALL.len()]],
                    needs: vec![Need::Living],
                },
                members,
                incomes,
                assets: Vec::new(),
                expenses: Vec::new(),
                survey: None,
            }
        })
        .collect()
}

/// Runs `f` `n` times and returns the median and the slowest time.
async fn time<F, Fut, T>(n: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        std::hint::black_box(f().await);
        times.push(start.elapsed());
    }
    times.sort();
    (times[n / 2], times[n - 1])
}

async fn measure(store: Arc<dyn Store>) {
    let households = county_registry(100_000);
    let people: usize = households.iter().map(|h| h.members.len()).sum();
    let incomes: usize = households.iter().map(|h| h.incomes.len()).sum();
    println!(
        "[{}] registry: {} households, {people} people, {incomes} incomes",
        store.backend(),
        households.len()
    );

    let start = Instant::now();
    let counts = store
        .import_households(&Actor::system("测量导入"), &households)
        .await
        .unwrap();
    let import = start.elapsed();
    assert_eq!(counts.households, 100_000);
    println!("[{}] import: {} ms", store.backend(), import.as_millis());

    let worker = caseworker(QINGLONG);
    let default = HouseholdFilter::default();
    let page = |offset| Page { offset, limit: 50 };
    let first = store.households(&worker, &default, page(0)).await.unwrap();
    println!(
        "[{}] township {QINGLONG}: {} households not exited",
        store.backend(),
        first.total
    );

    let mut report = Vec::new();
    let cases: Vec<(&str, Actor, HouseholdFilter, Page)> = vec![
        ("township page 1", worker.clone(), default.clone(), page(0)),
        (
            "township last page",
            worker.clone(),
            default.clone(),
            page(first.total - 50),
        ),
        (
            "township, initials 'w'",
            worker.clone(),
            HouseholdFilter {
                query: Some("w".into()),
                ..default.clone()
            },
            page(0),
        ),
        (
            "township, name '明'",
            worker.clone(),
            HouseholdFilter {
                query: Some("明".into()),
                ..default.clone()
            },
            page(0),
        ),
        (
            "township, cause 因残",
            worker.clone(),
            HouseholdFilter {
                cause: Some(PovertyCause::Disability),
                ..default.clone()
            },
            page(0),
        ),
        ("county page 1", county(), default.clone(), page(0)),
        (
            "county, initials 'zwj'",
            county(),
            HouseholdFilter {
                query: Some("zwj".into()),
                ..default.clone()
            },
            page(0),
        ),
        (
            "county, id suffix 4 digits",
            county(),
            HouseholdFilter {
                query: Some(households[777].members[0].id_number.as_str()[14..].into()),
                ..default.clone()
            },
            page(0),
        ),
        (
            "county, whole id",
            county(),
            HouseholdFilter {
                query: Some(households[777].members[1].id_number.as_str().into()),
                ..default.clone()
            },
            page(0),
        ),
        (
            "county, name '建国'",
            county(),
            HouseholdFilter {
                query: Some("建国".into()),
                ..default.clone()
            },
            page(0),
        ),
    ];
    for (label, actor, filter, page) in &cases {
        let (median, max) = time(20, || store.households(actor, filter, *page)).await;
        let total = store.households(actor, filter, *page).await.unwrap().total;
        report.push((label.to_string(), total, median, max));
    }
    let everyone = county();
    let (median, max) = time(5, || store.township_counts(&everyone)).await;
    report.push(("township counts (county)".into(), 42, median, max));
    let id = first.rows[0].id;
    let (median, max) = time(20, || store.household(&worker, id)).await;
    report.push(("one household with everything".into(), 1, median, max));

    let ms = |d: &Duration| {
        format!(
            "{}.{:02} ms",
            d.as_micros() / 1000,
            d.as_micros() % 1000 / 10
        )
    };
    for (label, total, median, max) in &report {
        println!(
            "[{}] {label:<32} {total:>7} rows  median {:>10}  max {:>10}",
            store.backend(),
            ms(median),
            ms(max)
        );
    }
    let township_page = report[0].2.max(report[1].2);
    assert!(
        township_page < Duration::from_millis(50),
        "a township page takes {township_page:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measures a county-sized registry; run with --ignored --nocapture (and --release)"]
async fn measure_a_county_of_100000_households_on_sqlite() {
    let dir = TempDir::new();
    let store = doudi_store::connect(&dir.sqlite_url("county.db"), crate::support::test_keys())
        .await
        .unwrap();
    measure(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measures a county-sized registry; run with --ignored --nocapture (and --release)"]
async fn measure_a_county_of_100000_households_on_postgres() {
    on_postgres(measure).await;
}
