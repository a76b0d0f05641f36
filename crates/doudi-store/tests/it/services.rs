//! Bought care services in the store (3.3): providers kept by the county and the disabled
//! persons' federation; a month's service only for a member with a disability of a current
//! household in scope, once; quality checks; the list filtered by month, provider and
//! unchecked.

use std::sync::Arc;

use doudi_core::services::{CheckResult, ServiceKind};
use doudi_core::{
    Department, Disability, DisabilityGrade, DisabilityKind, HouseholdId, Month, PersonId,
};
use doudi_store::services::{NewProvider, NewServiceRecord, ServiceCheck, ServiceFilter};
use doudi_store::{Store, StoreError};

use crate::support::*;

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn federation() -> doudi_core::Actor {
    department_officer(Department::DisabledFederation)
}

/// A household of `community` whose head has a grade-one physical disability and whose child
/// has none; returns the household, the head and the child.
async fn filed(
    store: &Arc<dyn Store>,
    number: &str,
    community: &str,
) -> (HouseholdId, PersonId, PersonId) {
    let mut h = household(number, community, &["张三丰", "张小明"]);
    h.members[0].disability = Some(Disability {
        kind: DisabilityKind::Physical,
        grade: DisabilityGrade::One,
    });
    let id = store.create_household(&county(), &h).await.unwrap();
    let record = store.household(&county(), id).await.unwrap();
    (id, record.members[0].id, record.members[1].id)
}

fn provider(name: &str) -> NewProvider {
    NewProvider {
        name: name.into(),
        kinds: vec![ServiceKind::HomeCare, ServiceKind::Rehabilitation],
        contact: "王经理 023-5555".into(),
    }
}

fn service(provider: i64, person: PersonId, m: &str) -> NewServiceRecord {
    NewServiceRecord {
        provider,
        person,
        kind: ServiceKind::HomeCare,
        month: month(m),
        hours: 40,
        cost_fen: 120_000,
    }
}

fn check(result: CheckResult) -> ServiceCheck {
    ServiceCheck {
        checked_on: date(2026, 11, 20),
        checker: "县残联".into(),
        result,
        note: "入户回访".into(),
    }
}

conformance! {
    async fn providers_are_kept_by_the_county_and_the_federation_under_unique_names(store) {
        assert!(matches!(store.add_provider(&caseworker(QINGLONG), &provider("安康居家")).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.add_provider(&department_officer(Department::Housing), &provider("安康居家")).await, Err(StoreError::Forbidden)));
        store.add_provider(&federation(), &provider("安康居家")).await.unwrap();
        let twice = store.add_provider(&county(), &provider("安康居家")).await.unwrap_err();
        assert!(matches!(&twice, StoreError::Duplicate(m) if m.contains("安康居家")), "{twice}");
        let list = store.providers(&caseworker(QINGLONG)).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].kinds, vec![ServiceKind::HomeCare, ServiceKind::Rehabilitation]);
        assert!(matches!(store.providers(&department_officer(Department::Housing)).await, Err(StoreError::Forbidden)));
    }

    async fn a_service_is_recorded_once_for_a_disabled_member_of_a_current_household_in_scope(store) {
        let (_, head, child) = filed(&store, "SV-1", QINGLONG_1).await;
        let (_, renhe_head, _) = filed(&store, "SV-2", RENHE_1).await;
        let p = store.add_provider(&county(), &provider("安康居家")).await.unwrap();
        let served = store.served_persons(&caseworker(QINGLONG)).await.unwrap();
        assert_eq!(served.iter().map(|s| s.person).collect::<Vec<_>>(), vec![head]);
        assert_eq!((served[0].name.as_str(), served[0].disability.as_str()), ("张*丰", "肢体一级"));

        assert!(matches!(store.record_service(&caseworker(QINGLONG), &service(p, child, "2026-11")).await, Err(StoreError::Invalid(m)) if m.contains("未登记残疾")));
        assert!(matches!(store.record_service(&caseworker(QINGLONG), &service(p, renhe_head, "2026-11")).await, Err(StoreError::NotFound)));
        assert!(matches!(store.record_service(&auditor(), &service(p, head, "2026-11")).await, Err(StoreError::Forbidden)));
        let mut institution = service(p, head, "2026-11");
        institution.kind = ServiceKind::InstitutionalCare;
        assert!(matches!(store.record_service(&county(), &institution).await, Err(StoreError::Invalid(m)) if m.contains("未登记提供")));
        let id = store.record_service(&caseworker(QINGLONG), &service(p, head, "2026-11")).await.unwrap();
        assert!(matches!(store.record_service(&federation(), &service(p, head, "2026-11")).await, Err(StoreError::Duplicate(_))));
        store.record_service(&federation(), &service(p, head, "2026-10")).await.unwrap();
        store.record_service(&federation(), &service(p, renhe_head, "2026-11")).await.unwrap();

        assert_eq!(store.service_records(&caseworker(QINGLONG), &ServiceFilter::default()).await.unwrap().len(), 2, "a township sees its own");
        assert_eq!(store.service_records(&federation(), &ServiceFilter::default()).await.unwrap().len(), 3);
        let november = ServiceFilter { month: Some(month("2026-11")), ..ServiceFilter::default() };
        assert_eq!(store.service_records(&county(), &november).await.unwrap().len(), 2);
        assert_eq!(store.providers(&caseworker(RENHE)).await.unwrap()[0].cost_fen, 120_000);

        assert!(matches!(store.check_service(&caseworker(RENHE), id, &check(CheckResult::Pass)).await, Err(StoreError::NotFound)));
        store.check_service(&federation(), id, &check(CheckResult::Fail)).await.unwrap();
        let unchecked = ServiceFilter { unchecked: true, ..ServiceFilter::default() };
        let left = store.service_records(&county(), &unchecked).await.unwrap();
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|r| r.id != id));
        let all = store.service_records(&county(), &ServiceFilter::default()).await.unwrap();
        let checked = all.iter().find(|r| r.id == id).unwrap();
        assert_eq!(checked.check.as_ref().map(|c| c.result), Some(CheckResult::Fail));
        assert_eq!(checked.name, "张*丰");
    }
}
