//! What departments deliver, in the store (2.4, 2.5): a stay is recorded only against the
//! person's stays of the year it was computed with, only the latest can be cancelled, and an
//! education item is delivered once per student and term, each in the household's scope.

use std::sync::Arc;

use doudi_core::{Category, Department, HouseholdId, PersonId};
use doudi_store::delivery::{NewDelivery, NewStay, StayFilter};
use doudi_store::{Store, StoreError};

use crate::support::*;

async fn filed(store: &Arc<dyn Store>, number: &str, community: &str) -> (HouseholdId, PersonId) {
    let h = store
        .create_household(&county(), &household(number, community, &["张三"]))
        .await
        .unwrap();
    let person = store.household(&county(), h).await.unwrap().members[0].id;
    (h, person)
}

fn stay(person: PersonId, prior: i64, assistance_fen: i64) -> NewStay {
    NewStay {
        person,
        hospital: "云阳县人民医院".into(),
        level: "county".into(),
        in_county: true,
        admitted: date(2026, 10, 1),
        discharged: date(2026, 10, 5),
        category: Category::Dibao,
        special_disease: None,
        treat_first: true,
        total_fen: 100_000,
        in_catalogue_fen: 90_000,
        basic_fen: 59_500,
        critical_fen: 0,
        counted_fen: 30_500,
        assistance_fen,
        self_pay_fen: 100_000 - 59_500 - assistance_fen,
        explanation: "【住院医疗保障与医疗救助】（依据 2.4）".into(),
        prior,
    }
}

conformance! {
    async fn a_stay_is_recorded_only_against_the_stays_it_was_computed_with_and_only_the_latest_is_cancelled(store) {
        let (_, person) = filed(&store, "MD-1", QINGLONG_1).await;
        let yibao = department_officer(Department::MedicalInsurance);
        let first = store.record_stay(&yibao, &stay(person, 0, 24_400)).await.unwrap();
        // Computed before the first was recorded: refused, nothing written.
        let stale = store.record_stay(&yibao, &stay(person, 0, 24_400)).await.unwrap_err();
        assert!(matches!(stale, StoreError::Invalid(_)), "{stale}");
        let used = store.stay_usage(person, 2026).await.unwrap();
        assert_eq!((used.stays, used.counted_fen, used.assistance_fen), (1, 30_500, 24_400));
        let second = store.record_stay(&yibao, &stay(person, 1, 10_000)).await.unwrap();
        assert!(matches!(store.cancel_stay(&yibao, first, "录错").await, Err(StoreError::Invalid(_))));
        store.cancel_stay(&yibao, second, "录错").await.unwrap();
        assert_eq!(store.stay_usage(person, 2026).await.unwrap().stays, 1);
        // Townships read their own; education, another township and a caseworker settling are refused.
        assert_eq!(store.stays(&caseworker(QINGLONG), &StayFilter::default()).await.unwrap().len(), 1);
        assert!(store.stays(&caseworker(RENHE), &StayFilter::default()).await.unwrap().is_empty());
        assert!(matches!(
            store.stays(&department_officer(Department::Education), &StayFilter::default()).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.record_stay(&caseworker(QINGLONG), &stay(person, 1, 0)).await,
            Err(StoreError::Forbidden)
        ));
    }

    async fn an_education_item_is_delivered_once_per_student_and_term_in_scope(store) {
        let (h, person) = filed(&store, "ED-1", QINGLONG_1).await;
        let jiaoyu = department_officer(Department::Education);
        store.enrol(&jiaoyu, person, "2026-autumn", "青龙初中").await.unwrap();
        let delivery = NewDelivery {
            person,
            term: "2026-autumn".into(),
            item: "boarding_subsidy".into(),
            amount_fen: 62_500,
            delivered_on: date(2026, 11, 20),
            note: String::new(),
        };
        let id = store.record_delivery(&jiaoyu, &delivery).await.unwrap();
        let twice = store.record_delivery(&jiaoyu, &delivery).await.unwrap_err();
        assert!(matches!(twice, StoreError::Duplicate(_)), "{twice}");
        let kept = store.deliveries(&jiaoyu, "2026-autumn", None).await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!((kept[0].household, kept[0].school.as_str()), (h, "青龙初中"));
        assert!(matches!(
            store.record_delivery(&caseworker(RENHE), &delivery).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.withdraw_delivery(&caseworker(RENHE), id, "录错").await,
            Err(StoreError::NotFound)
        ));
        store.withdraw_delivery(&jiaoyu, id, "录错").await.unwrap();
        assert!(store.deliveries(&jiaoyu, "2026-autumn", None).await.unwrap().is_empty());
        assert_eq!(store.enrolments(&jiaoyu, "2026-autumn", None).await.unwrap().len(), 1);
    }
}
