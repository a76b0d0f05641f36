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
