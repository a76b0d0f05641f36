//! Housing applications in the store (2.6): one open application per household, filed and
//! decided in the actor's scope by the roles that may, each decision once, with its audit entry.

use std::sync::Arc;

use doudi_core::housing::{HousingKind, HousingState};
use doudi_core::{Category, Department, HouseholdId, Housing, Money, Month};
use doudi_store::housing::{HousingDecision, HousingFilter, NewHousingApplication};
use doudi_store::{Store, StoreError};

use crate::support::*;

async fn filed(
    store: &Arc<dyn Store>,
    number: &str,
    community: &str,
    housing: Housing,
) -> HouseholdId {
    let mut h = household(number, community, &["张三"]);
    h.fields.housing = housing;
    h.fields.category = Category::Tekun;
    store.create_household(&county(), &h).await.unwrap()
}

fn application(household: HouseholdId, kind: HousingKind) -> NewHousingApplication {
    NewHousingApplication {
        household,
        kind,
        filed_on: date(2026, 11, 20),
        note: "租住私房，房租占收入一半".into(),
    }
}

conformance! {
    async fn a_household_has_one_open_housing_application_and_each_is_decided_once(store) {
        let h = filed(&store, "HS-1", QINGLONG_1, Housing::RentedPrivate).await;
        let qinglong = caseworker(QINGLONG);
        let a = store
            .file_housing(&qinglong, &application(h, HousingKind::RentSubsidy))
            .await
            .unwrap();
        assert_eq!(
            (a.state, a.category, a.housing, a.household_number.as_str()),
            (HousingState::Filed, Category::Tekun, Housing::RentedPrivate, "HS-1")
        );
        let again = store
            .file_housing(&qinglong, &application(h, HousingKind::PublicRental))
            .await
            .unwrap_err();
        assert!(matches!(&again, StoreError::Duplicate(m) if m.contains("不能重复申请")), "{again}");

        // A rent subsidy application is not allotted a flat.
        let officer = department_officer(Department::Housing);
        let wrong = store
            .decide_housing(
                &officer,
                a.id,
                &HousingDecision::Allocate {
                    unit: "3栋501".into(),
                    area_centi_m2: 4_500,
                    rent: Money::from_yuan(100),
                    from: date(2026, 12, 1),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(wrong, StoreError::Invalid(_)), "{wrong}");
        let granted = store
            .decide_housing(
                &officer,
                a.id,
                &HousingDecision::Subsidise {
                    monthly: Money::from_yuan(300),
                    from: Month::parse("2026-12").unwrap(),
                    to: Month::parse("2027-05").unwrap(),
                },
            )
            .await
            .unwrap();
        assert_eq!(granted.state, HousingState::Subsidised);
        assert_eq!(granted.subsidy, Some(Money::from_yuan(300)));
        assert_eq!(granted.to_month, Month::parse("2027-05").ok());
        assert!(granted.decided_at.is_some());
        let twice = store
            .decide_housing(&officer, a.id, &HousingDecision::Refuse { reason: "重复".into() })
            .await
            .unwrap_err();
        assert!(matches!(twice, StoreError::Invalid(_)), "{twice}");
        // Decided, the household may file again.
        store
            .file_housing(&qinglong, &application(h, HousingKind::PublicRental))
            .await
            .unwrap();
        let subsidised = HousingFilter {
            state: Some(HousingState::Subsidised),
            ..HousingFilter::default()
        };
        assert_eq!(store.housing_applications(&county(), &subsidised).await.unwrap().len(), 1);
        assert_eq!(store.housing_applications(&county(), &HousingFilter::default()).await.unwrap().len(), 2);
    }

    async fn housing_applications_are_read_and_written_only_in_scope_and_by_the_roles_that_may(store) {
        let h = filed(&store, "HS-2", QINGLONG_1, Housing::Homeless).await;
        let renhe = caseworker(RENHE);
        let refused = store
            .file_housing(&renhe, &application(h, HousingKind::PublicRental))
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::NotFound), "{refused}");
        for actor in [
            auditor(),
            community_worker(QINGLONG_1),
            department_officer(Department::Education),
            department_officer(Department::HumanResources),
        ] {
            let e = store
                .file_housing(&actor, &application(h, HousingKind::PublicRental))
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Forbidden), "{:?}: {e}", actor.role);
        }
        let a = store
            .file_housing(&department_officer(Department::Housing), &application(h, HousingKind::PublicRental))
            .await
            .unwrap();
        assert!(store.housing_applications(&renhe, &HousingFilter::default()).await.unwrap().is_empty());
        assert!(matches!(store.housing_application(&renhe, a.id).await, Err(StoreError::NotFound)));
        assert_eq!(store.housing_application(&community_worker(QINGLONG_1), a.id).await.unwrap().id, a.id);
        assert!(matches!(
            store.housing_applications(&department_officer(Department::Education), &HousingFilter::default()).await,
            Err(StoreError::Forbidden)
        ));
        // A township files and withdraws, but does not decide.
        let qinglong = caseworker(QINGLONG);
        let e = store
            .decide_housing(&qinglong, a.id, &HousingDecision::Refuse { reason: "不符合".into() })
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e}");
        let withdrawn = store
            .decide_housing(&qinglong, a.id, &HousingDecision::Withdraw { reason: "已自行租到住房".into() })
            .await
            .unwrap();
        assert_eq!(withdrawn.state, HousingState::Withdrawn);
        assert_eq!(withdrawn.reason.as_deref(), Some("已自行租到住房"));
    }

    async fn an_unsound_decision_is_refused_and_changes_nothing(store) {
        let h = filed(&store, "HS-4", QINGLONG_1, Housing::Unsafe).await;
        let a = store.file_housing(&county(), &application(h, HousingKind::RentSubsidy)).await.unwrap();
        for decision in [
            HousingDecision::Subsidise {
                monthly: Money::from_yuan(100),
                from: Month::parse("2027-02").unwrap(),
                to: Month::parse("2027-01").unwrap(),
            },
            HousingDecision::Refuse { reason: "  ".into() },
        ] {
            let e = store.decide_housing(&county(), a.id, &decision).await.unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        }
        assert_eq!(store.housing_application(&county(), a.id).await.unwrap().state, HousingState::Filed);
    }

    async fn a_household_whose_housing_is_secure_files_nothing(store) {
        let h = filed(&store, "HS-3", QINGLONG_1, Housing::Owned).await;
        let e = store
            .file_housing(&county(), &application(h, HousingKind::RentSubsidy))
            .await
            .unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(m) if m.contains("住房有保障")), "{e}");
        assert!(store.housing_applications(&county(), &HousingFilter::default()).await.unwrap().is_empty());
    }
}
