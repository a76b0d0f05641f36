//! The household list: filters, search by name, pinyin initials and identity number, exited
//! households, paging and totals.

use std::sync::Arc;

use doudi_core::{Category, IdNumber, PovertyCause, Relation};
use doudi_store::{HouseholdFilter, Page, Store, StoreError};

use crate::support::*;

/// The identity numbers of the registry below, chosen so that their endings differ.
struct Ids {
    zhang: IdNumber,
    li: IdNumber,
    wang: IdNumber,
    zhao: IdNumber,
    exited: IdNumber,
}

/// An identity number whose check character is X.
fn id_ending_in_x() -> IdNumber {
    (0..1000)
        .map(|seq| IdNumber::from_parts("500235", date(1972, 8, 9), seq))
        .find(|id| id.as_str().ends_with('X'))
        .unwrap()
}

/// QL-001 (张三丰, 李梅), QL-002 (王小明, tekun, disability), RH-001 (赵四, lack of labour),
/// QL-003 (张大山, exited).
async fn registry(store: &Arc<dyn Store>) -> Ids {
    let ids = Ids {
        zhang: IdNumber::from_parts("500235", date(1960, 5, 1), 13),
        li: IdNumber::from_parts("500235", date(1962, 3, 4), 246),
        wang: id_ending_in_x(),
        zhao: IdNumber::from_parts("500235", date(1955, 11, 30), 579),
        exited: IdNumber::from_parts("500235", date(1950, 2, 2), 801),
    };
    let mut a = household("QL-001", QINGLONG_1, &[]);
    a.members = vec![
        person("张三丰", Relation::Head, ids.zhang.clone()),
        person("李梅", Relation::Spouse, ids.li.clone()),
    ];
    let mut b = household("QL-002", QINGLONG_2, &[]);
    b.members = vec![person("王小明", Relation::Head, ids.wang.clone())];
    b.fields.category = Category::Tekun;
    b.fields.causes = vec![PovertyCause::Disability];
    let mut c = household("RH-001", RENHE_1, &[]);
    c.members = vec![person("赵四", Relation::Head, ids.zhao.clone())];
    c.fields.causes = vec![PovertyCause::Illness, PovertyCause::LackOfLabour];
    let mut d = household("QL-003", QINGLONG_1, &[]);
    d.members = vec![person("张大山", Relation::Head, ids.exited.clone())];
    d.fields.exited_on = Some(date(2025, 1, 1));
    for h in [c, b, d, a] {
        store.create_household(&county(), &h).await.unwrap();
    }
    ids
}

/// The file numbers the filter lists for the county, in order.
async fn numbers(store: &Arc<dyn Store>, filter: HouseholdFilter) -> Vec<String> {
    let page = store
        .households(
            &county(),
            &filter,
            Page {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.rows.len());
    page.rows.into_iter().map(|r| r.number).collect()
}

fn query(q: &str) -> HouseholdFilter {
    HouseholdFilter {
        query: Some(q.into()),
        ..Default::default()
    }
}

conformance! {
    async fn search_finds_a_household_by_pinyin_initials(store) {
        registry(&store).await;
        assert_eq!(numbers(&store, query("zsf")).await, ["QL-001"]);
        assert_eq!(numbers(&store, query("ZS")).await, ["QL-001", "RH-001"], "张三丰 and 赵四");
        assert_eq!(numbers(&store, query("lm")).await, ["QL-001"], "any member, not only the head");
        assert_eq!(numbers(&store, query("wxm")).await, ["QL-002"]);
        assert!(numbers(&store, query("qq")).await.is_empty());
        let with_exited = HouseholdFilter { include_exited: true, ..query("zd") };
        assert_eq!(numbers(&store, with_exited).await, ["QL-003"]);
    }

    async fn search_finds_a_household_by_the_last_digits_of_an_id_number(store) {
        let ids = registry(&store).await;
        let tail = |id: &IdNumber, n: usize| id.as_str()[18 - n..].to_owned();
        assert_eq!(numbers(&store, query(&tail(&ids.li, 4))).await, ["QL-001"]);
        assert_eq!(numbers(&store, query(&tail(&ids.zhao, 8))).await, ["RH-001"]);
        // A lower-case x is the same as X.
        assert_eq!(numbers(&store, query(&tail(&ids.wang, 6).to_lowercase())).await, ["QL-002"]);
        assert!(numbers(&store, query("0000")).await.is_empty());
        let r = store.households(&county(), &query("123"), Page { offset: 0, limit: 10 }).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "three digits are too few to search by: {r:?}");
    }

    async fn search_finds_a_household_by_a_whole_id_number_in_either_form(store) {
        let ids = registry(&store).await;
        assert_eq!(numbers(&store, query(ids.zhang.as_str())).await, ["QL-001"]);
        // The legacy 15-digit form of the same number: no century, no check character.
        let legacy = format!("{}{}", &ids.zhang.as_str()[..6], &ids.zhang.as_str()[8..17]);
        assert_eq!(numbers(&store, query(&legacy)).await, ["QL-001"]);
        let mut wrong = ids.zhang.as_str().to_owned();
        let last = if wrong.ends_with('1') { "2" } else { "1" };
        wrong.replace_range(17.., last);
        let r = store.households(&county(), &query(&wrong), Page { offset: 0, limit: 10 }).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("校验位")), "{r:?}");
    }

    async fn search_finds_a_household_by_file_number_address_or_phone_tail_and_refuses_a_query_too_short(store) {
        registry(&store).await;
        assert_eq!(numbers(&store, query("ql-002")).await, ["QL-002"], "file number, any case");
        assert_eq!(numbers(&store, query("RH")).await, ["RH-001"]);
        let qinglong = store.households(&county(), &HouseholdFilter { township: Some(code(QINGLONG)), ..Default::default() }, Page { offset: 0, limit: 10 }).await.unwrap();
        let first = qinglong.rows[0].id;
        let record = store.household(&county(), first).await.unwrap();
        let mut fields = record.household.fields.clone();
        fields.address = "复兴路锦绣巷17号".into();
        fields.phone = Some(doudi_core::Phone::parse("13911112468").unwrap());
        store.update_household(&county(), first, record.household.version, &fields).await.unwrap();
        assert_eq!(numbers(&store, query("锦绣巷")).await, vec![record.household.fields.number.clone()]);
        assert_eq!(numbers(&store, query("2468")).await, vec![record.household.fields.number.clone()], "the phone's last digits");
        assert_eq!(numbers(&store, query("13911112468")).await, vec![record.household.fields.number.clone()]);
        // Outside the caseworker's township the phone is not found.
        let renhe = store.households(&caseworker(RENHE), &query("2468"), Page { offset: 0, limit: 10 }).await.unwrap();
        assert_eq!(renhe.total, 0);
        for short in ["1", "12", "123", "q", "-"] {
            let r = store.households(&county(), &query(short), Page { offset: 0, limit: 10 }).await;
            assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("至少")), "{short}: {r:?}");
        }
    }

    async fn search_finds_a_household_by_part_of_a_members_name(store) {
        registry(&store).await;
        assert_eq!(numbers(&store, query("小明")).await, ["QL-002"]);
        assert_eq!(numbers(&store, query("梅")).await, ["QL-001"]);
        assert_eq!(numbers(&store, query("张")).await, ["QL-001"], "the exited 张大山 is not listed");
        assert!(numbers(&store, query("%%")).await.is_empty(), "LIKE wildcards are searched literally");
        assert!(numbers(&store, query("张_")).await.is_empty());
    }

    async fn the_list_filters_by_township_community_category_and_cause(store) {
        registry(&store).await;
        let f = HouseholdFilter::default;
        assert_eq!(numbers(&store, HouseholdFilter { township: Some(code(QINGLONG)), ..f() }).await, ["QL-001", "QL-002"]);
        assert_eq!(numbers(&store, HouseholdFilter { community: Some(code(QINGLONG_2)), ..f() }).await, ["QL-002"]);
        assert_eq!(numbers(&store, HouseholdFilter { category: Some(Category::Tekun), ..f() }).await, ["QL-002"]);
        assert_eq!(numbers(&store, HouseholdFilter { cause: Some(PovertyCause::Illness), ..f() }).await, ["QL-001", "RH-001"]);
        assert_eq!(numbers(&store, HouseholdFilter { cause: Some(PovertyCause::LackOfLabour), ..f() }).await, ["RH-001"]);
        assert!(numbers(&store, HouseholdFilter { cause: Some(PovertyCause::LackOfSkills), ..f() }).await.is_empty());
        let combined = HouseholdFilter { township: Some(code(QINGLONG)), cause: Some(PovertyCause::Illness), query: Some("lm".into()), ..f() };
        assert_eq!(numbers(&store, combined).await, ["QL-001"]);
    }

    async fn exited_households_are_listed_only_when_asked_for(store) {
        registry(&store).await;
        let mut leaving = household("QL-004", QINGLONG_1, &["钱多多"]);
        leaving.fields.exited_on = Some(date(2099, 12, 31));
        store.create_household(&county(), &leaving).await.unwrap();
        assert_eq!(numbers(&store, HouseholdFilter::default()).await, ["QL-001", "QL-002", "QL-004", "RH-001"], "an exit date still to come has not happened");
        let all = HouseholdFilter { include_exited: true, ..Default::default() };
        assert_eq!(numbers(&store, all).await, ["QL-001", "QL-002", "QL-003", "QL-004", "RH-001"]);
    }

    async fn a_list_row_shows_the_head_the_members_and_the_causes(store) {
        let ids = registry(&store).await;
        let page = store.households(&county(), &query("zsf"), Page { offset: 0, limit: 10 }).await.unwrap();
        let row = &page.rows[0];
        assert_eq!(row.head_name.as_str(), "张三丰");
        assert_eq!(row.head_id_number, ids.zhang);
        assert_eq!(row.members, 2);
        assert_eq!((row.township.as_str(), row.community.as_str()), (QINGLONG, QINGLONG_1));
        assert_eq!(row.category, Category::Dibao);
        assert_eq!(row.causes, vec![PovertyCause::Illness]);
        assert_eq!(row.enrolled_on, date(2024, 1, 1));
        assert_eq!(row.exited_on, None);
    }

    async fn the_list_pages_in_file_number_order_with_the_total(store) {
        // 501 households, filed out of order in one import.
        let batch: Vec<_> = (0..501).rev().map(|i| household(&format!("P-{i:04}"), QINGLONG_1, &["孟一"])).collect();
        store.import_households(&county(), &batch).await.unwrap();
        let list = |offset, limit| {
            let store = store.clone();
            async move { store.households(&county(), &HouseholdFilter::default(), Page { offset, limit }).await.unwrap() }
        };
        let first = list(0, 10).await;
        assert_eq!(first.total, 501);
        let expected: Vec<String> = (0..10).map(|i| format!("P-{i:04}")).collect();
        assert_eq!(first.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>(), expected);
        let last = list(495, 10).await;
        assert_eq!(last.rows.len(), 6);
        assert_eq!(last.rows[5].number, "P-0500");
        let beyond = list(600, 10).await;
        assert_eq!((beyond.total, beyond.rows.len()), (501, 0));
        let capped = list(0, 10_000).await;
        assert_eq!(capped.rows.len(), 500, "a page holds at most 500 rows");
        let silly = list(-5, -1).await;
        assert_eq!((silly.total, silly.rows.len()), (501, 0));
    }
}
