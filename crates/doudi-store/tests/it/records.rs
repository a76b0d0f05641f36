//! The bulk read behind exports and whole-registry evaluation.

use doudi_store::{HouseholdFilter, StoreError};

use crate::households::full_household;
use crate::support::*;

conformance! {
    async fn the_bulk_read_returns_every_household_in_scope_exactly_as_one_by_one(store) {
        let a = store.create_household(&county(), &full_household("QL-0001")).await.unwrap();
        let b = store.create_household(&county(), &household("QL-0002", QINGLONG_2, &["李四", "李小红"])).await.unwrap();
        let c = store.create_household(&county(), &household("RH-0001", RENHE_1, &["王五"])).await.unwrap();

        let all = store.records(&county(), &HouseholdFilter::default()).await.unwrap();
        let ids: Vec<_> = all.iter().map(|r| r.household.id).collect();
        assert_eq!(ids, vec![a, b, c]);
        for r in &all {
            assert_eq!(r, &store.household(&county(), r.household.id).await.unwrap(), "bulk and single reads agree");
        }
        assert!(!all[0].incomes.is_empty() && !all[0].assets.is_empty() && !all[0].surveys.is_empty());

        // A township caseworker gets only their township; a filter narrows further.
        let qinglong = store.records(&caseworker(QINGLONG), &HouseholdFilter::default()).await.unwrap();
        assert_eq!(qinglong.iter().map(|r| r.household.id).collect::<Vec<_>>(), vec![a, b]);
        let community = HouseholdFilter { community: Some(code(QINGLONG_2)), ..Default::default() };
        let only_b = store.records(&county(), &community).await.unwrap();
        assert_eq!(only_b.len(), 1);
        assert_eq!(only_b[0].members.len(), 2);

        // An administrator reads no household data, in bulk or otherwise.
        assert!(matches!(store.records(&admin(), &HouseholdFilter::default()).await, Err(StoreError::Forbidden)));
    }
}

/// The snapshot the rules read, made from a full record, keeping the months of the window.
pub fn expected_snapshot(
    r: &doudi_core::HouseholdRecord,
    from: doudi_core::Month,
    until: doudi_core::Month,
) -> doudi_core::facts::Snapshot {
    let mut s = doudi_core::facts::Snapshot::from_record(r);
    s.months.retain(|f| f.month >= from && f.month < until);
    s
}

conformance! {
    async fn rule_snapshots_read_table_by_table_agree_with_snapshots_made_from_full_records(store) {
        let a = store.create_household(&county(), &full_household("QL-0001")).await.unwrap();
        store.create_household(&county(), &household("QL-0002", QINGLONG_2, &["李四", "李小红"])).await.unwrap();
        store.create_household(&county(), &household("RH-0001", RENHE_1, &["王五"])).await.unwrap();
        let all = store.records(&county(), &HouseholdFilter::default()).await.unwrap();
        let months: Vec<doudi_core::Month> = all
            .iter()
            .flat_map(|r| r.incomes.iter().map(|i| i.month).chain(r.expenses.iter().map(|e| e.month)))
            .collect();
        let (first, last) = (*months.iter().min().unwrap(), *months.iter().max().unwrap());
        let after_last = last.plus(1);

        // The whole span: everything agrees, members in the same order (head first).
        let snapshots = store.snapshots(&county(), first, after_last).await.unwrap();
        let expected: Vec<_> = all.iter().map(|r| expected_snapshot(r, first, after_last)).collect();
        assert_eq!(snapshots, expected);
        assert!(snapshots[0].members.len() > 1 && !snapshots[0].months.is_empty());
        assert!(snapshots[0].months.iter().any(|f| f.medical.fen() > 0 || f.tuition.fen() > 0), "expenses are read");

        // A window of one month keeps that month's figures only.
        let one = store.snapshots(&county(), last, after_last).await.unwrap();
        let expected: Vec<_> = all.iter().map(|r| expected_snapshot(r, last, after_last)).collect();
        assert_eq!(one, expected);
        assert!(one.iter().all(|s| s.months.iter().all(|f| f.month == last)));

        // Scope holds: a township caseworker reads their township only; an administrator nothing.
        let qinglong = store.snapshots(&caseworker(QINGLONG), first, after_last).await.unwrap();
        assert_eq!(qinglong.len(), 2);
        assert_eq!(qinglong[0].id, a.0);
        assert!(matches!(store.snapshots(&admin(), first, after_last).await, Err(StoreError::Forbidden)));
    }
}
