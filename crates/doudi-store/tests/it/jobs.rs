//! Employment help in the store (2.7): openings, referrals in the member's scope, a hire that
//! records the member employed with history in the same transaction, and training.

use std::sync::Arc;

use doudi_core::jobs::{OpeningKind, ReferralState};
use doudi_core::{Department, Employment, HouseholdId, Money, PersonId, WorkCapacity};
use doudi_store::jobs::{NewOpening, NewReferral, NewTraining, ReferralFilter};
use doudi_store::{Store, StoreError};

use crate::support::*;

fn opening(kind: OpeningKind) -> NewOpening {
    NewOpening {
        employer: "云阳县保洁服务公司".into(),
        title: "保洁员".into(),
        kind,
        township: QINGLONG.into(),
        community: Some(QINGLONG_1.into()),
        hours_per_week: 40,
        pay: Money::from_yuan(2_000),
        places: 2,
        skills: "保洁".into(),
        partial_ok: false,
        disability_ok: true,
    }
}

async fn member(store: &Arc<dyn Store>, number: &str, community: &str) -> (HouseholdId, PersonId) {
    let h = store
        .create_household(&county(), &household(number, community, &["张三"]))
        .await
        .unwrap();
    (
        h,
        store.household(&county(), h).await.unwrap().members[0].id,
    )
}

fn referral(opening: i64, person: PersonId) -> NewReferral {
    NewReferral {
        opening,
        person,
        referred_on: date(2026, 11, 20),
    }
}

conformance! {
    async fn a_hire_records_the_member_employed_with_history_in_the_same_transaction(store) {
        let hr = department_officer(Department::HumanResources);
        let o = store.add_opening(&hr, &opening(OpeningKind::Job)).await.unwrap();
        assert_eq!((o.open, o.referred, o.fields.pay), (true, 0, Money::from_yuan(2_000)));
        let (h, p) = member(&store, "JB-1", QINGLONG_1).await;
        let qinglong = caseworker(QINGLONG);
        let r = store.refer(&qinglong, &referral(o.id, p)).await.unwrap();
        assert_eq!((r.state, r.person_name.as_str(), r.household), (ReferralState::Referred, "张*", h));
        let again = store.refer(&hr, &referral(o.id, p)).await.unwrap_err();
        assert!(matches!(again, StoreError::Duplicate(_)), "{again}");
        let version = store.household(&county(), h).await.unwrap().household.version;

        let hired = store.referral_outcome(&hr, r.id, ReferralState::Hired, "").await.unwrap();
        assert_eq!(hired.state, ReferralState::Hired);
        let record = store.household(&county(), h).await.unwrap();
        assert_eq!(record.members[0].fields.employment, Employment::Employed);
        assert_eq!(record.household.version, version + 1);
        let history = store.history(&county(), h).await.unwrap();
        assert!(history.iter().any(|e| e.field == "就业状况" && e.new == "稳定就业"));
        let after = store.opening(&hr, o.id).await.unwrap();
        assert_eq!((after.hired, after.open), (1, true), "one of two places taken");
        let (_, second) = member(&store, "JB-1B", QINGLONG_1).await;
        let r2 = store.refer(&hr, &referral(o.id, second)).await.unwrap();
        store.referral_outcome(&hr, r2.id, ReferralState::Hired, "").await.unwrap();
        let full = store.opening(&hr, o.id).await.unwrap();
        assert_eq!((full.hired, full.open), (2, false), "every place taken closes it");
        let twice = store.referral_outcome(&hr, r.id, ReferralState::Absent, "").await.unwrap_err();
        assert!(matches!(twice, StoreError::Invalid(_)), "{twice}");
        let none = store.referral_outcome(&hr, r.id, ReferralState::NotHired, " ").await.unwrap_err();
        assert!(matches!(none, StoreError::Invalid(_)), "{none}");
    }

    async fn referrals_and_training_stay_in_the_members_scope(store) {
        let county_actor = county();
        let o = store.add_opening(&county_actor, &opening(OpeningKind::PublicWelfare)).await.unwrap();
        let (h, p) = member(&store, "JB-2", QINGLONG_1).await;
        let renhe = caseworker(RENHE);
        assert!(matches!(store.refer(&renhe, &referral(o.id, p)).await, Err(StoreError::NotFound)));
        for actor in [auditor(), community_worker(QINGLONG_1), department_officer(Department::Housing)] {
            let e = store.refer(&actor, &referral(o.id, p)).await.unwrap_err();
            assert!(matches!(e, StoreError::Forbidden), "{:?}: {e}", actor.role);
            let e = store.add_opening(&actor, &opening(OpeningKind::Job)).await.unwrap_err();
            assert!(matches!(e, StoreError::Forbidden), "{:?}: {e}", actor.role);
        }
        assert!(matches!(
            store.openings(&department_officer(Department::Education), false).await,
            Err(StoreError::Forbidden)
        ));
        let t = store
            .record_training(
                &caseworker(QINGLONG),
                &NewTraining {
                    person: p,
                    course: "家政服务".into(),
                    provider: "县职教中心".into(),
                    started_on: date(2026, 10, 1),
                    ended_on: Some(date(2026, 10, 20)),
                    completed: true,
                },
            )
            .await
            .unwrap();
        assert_eq!((t.household, t.person_name.as_str()), (h, "张*"));
        assert_eq!(store.trainings(&community_worker(QINGLONG_1), Some(h)).await.unwrap().len(), 1);
        assert!(store.trainings(&renhe, None).await.unwrap().is_empty());
        store.refer(&caseworker(QINGLONG), &referral(o.id, p)).await.unwrap();
        assert!(store.referrals(&renhe, &ReferralFilter::default()).await.unwrap().is_empty());
        assert_eq!(
            store.referrals(&auditor(), &ReferralFilter { household: Some(h), ..ReferralFilter::default() }).await.unwrap().len(),
            1
        );
        // A public-welfare post, once hired, is recorded as one.
        let r = store.referrals(&county_actor, &ReferralFilter::default()).await.unwrap()[0].id;
        store.referral_outcome(&county_actor, r, ReferralState::Hired, "").await.unwrap();
        let record = store.household(&county(), h).await.unwrap();
        assert_eq!(record.members[0].fields.employment, Employment::PublicWelfarePost);
        // Closed, an opening takes no more referrals.
        let closed = store.set_opening_open(&county_actor, o.id, false).await.unwrap();
        assert!(!closed.open);
        let (_, other) = member(&store, "JB-3", QINGLONG_1).await;
        let e = store.refer(&county_actor, &referral(o.id, other)).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    }

    async fn the_human_resources_officer_refers_only_members_able_to_work(store) {
        let hr = department_officer(Department::HumanResources);
        let o = store.add_opening(&hr, &opening(OpeningKind::Job)).await.unwrap();
        let mut h = household("JB-4", QINGLONG_1, &["张三"]);
        h.members[0].work_capacity = WorkCapacity::None;
        let h = store.create_household(&county(), &h).await.unwrap();
        let p = store.household(&county(), h).await.unwrap().members[0].id;
        assert!(matches!(store.refer(&hr, &referral(o.id, p)).await, Err(StoreError::NotFound)));
        let bad = NewOpening { hours_per_week: 0, ..opening(OpeningKind::Job) };
        assert!(matches!(store.add_opening(&hr, &bad).await, Err(StoreError::Invalid(_))));
        assert_eq!(store.openings(&hr, false).await.unwrap().len(), 1);
    }
}
