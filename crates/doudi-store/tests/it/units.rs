//! Pairing units and pairing in bulk in the store (3.3, 4.3): all or none, and a hand-over
//! never leaves a household without a cadre.

use doudi_core::{Division, DivisionCode, DivisionKind, HouseholdId, Role, Scope};
use doudi_store::units::UnitKind;
use doudi_store::{NewUser, PairingFilter, StoreError};

use crate::support::*;

async fn cadre(store: &std::sync::Arc<dyn doudi_store::Store>, name: &str) -> i64 {
    store
        .create_user(
            &admin(),
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                role: Role::PairedCadre,
                scope: Scope::Division(DivisionCode::parse(QINGLONG).unwrap()),
                department: None,
                password_hash: "x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
}

conformance! {
    async fn bulk_pairing_is_all_or_none_and_a_hand_over_leaves_no_household_unpaired(store) {
        let a = store.create_household(&county(), &household("UN-1", QINGLONG_1, &["张三"])).await.unwrap();
        let b = store.create_household(&county(), &household("UN-2", QINGLONG_1, &["李四"])).await.unwrap();
        let (one, two) = (cadre(&store, "gb1").await, cadre(&store, "gb2").await);
        store.pair(&county(), b, two).await.unwrap();
        // b has a cadre already: the whole plan is refused, a stays unpaired.
        let refused = store.assign(&county(), &[(a, one), (b, one)]).await.unwrap_err();
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused}");
        let all = |store: std::sync::Arc<dyn doudi_store::Store>| async move {
            store.pairings(&county(), PairingFilter::default()).await.unwrap().len()
        };
        assert_eq!(all(store.clone()).await, 1);
        assert_eq!(store.assign(&county(), &[(a, one)]).await.unwrap(), 1);
        // one leaves: a would be unpaired without a plan for it.
        let left = store.hand_over(&county(), one, &[]).await.unwrap_err();
        assert!(matches!(left, StoreError::Invalid(_)), "{left}");
        assert_eq!(all(store.clone()).await, 2);
        store.hand_over(&county(), one, &[(a, two)]).await.unwrap();
        let now = store.pairings(&county(), PairingFilter::default()).await.unwrap();
        assert!(now.iter().all(|p| p.cadre == two), "{now:?}");
        assert!(matches!(
            store.hand_over(&county(), two, &[(HouseholdId(a.0), two)]).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(store.assign(&auditor(), &[]).await, Err(StoreError::Forbidden)));
    }

    async fn a_unit_keeps_its_communities_and_cadres_and_only_the_county_makes_one(store) {
        let gb = cadre(&store, "gb1").await;
        let community = Division { code: code(QINGLONG_1), name: "复兴社区".into(), kind: DivisionKind::Community, parent: Some(code(QINGLONG)) };
        store.put_community(&caseworker(QINGLONG), &community).await.unwrap();
        let id = store.create_unit(&county(), "县民政局", UnitKind::CountyDepartment).await.unwrap();
        store.set_unit(&county(), id, &[code(QINGLONG_1)], &[gb]).await.unwrap();
        let units = store.units(&county()).await.unwrap();
        assert_eq!((units[0].communities.len(), units[0].members.len()), (1, 1));
        assert!(matches!(
            store.create_unit(&county(), "县民政局", UnitKind::CountyDepartment).await,
            Err(StoreError::Duplicate(_))
        ));
        assert!(matches!(
            store.create_unit(&caseworker(QINGLONG), "青龙", UnitKind::TownshipOffice).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.set_unit(&county(), id, &[code(QINGLONG)], &[]).await,
            Err(StoreError::Invalid(_))
        ));
    }
}
