//! Who sees and changes what: a household outside the actor's scope does not exist for them,
//! and roles decide whether household data can be read or written at all.

use doudi_core::{Income, IncomeKind, Money, Month, Relation, Survey};
use doudi_store::{FinanceChange, HouseholdFilter, Page, StoreError};

use crate::households::file;
use crate::support::*;

fn all() -> HouseholdFilter {
    HouseholdFilter {
        include_exited: true,
        ..Default::default()
    }
}

fn page() -> Page {
    Page {
        offset: 0,
        limit: 100,
    }
}

conformance! {
    async fn a_township_caseworker_cannot_read_another_townships_household(store) {
        let theirs = file(&store, "RH-0301", RENHE_1, &["赵一", "赵二"]).await;
        let record = store.household(&county(), theirs).await.unwrap();
        let member = record.members[1].clone();
        let me = caseworker(QINGLONG);
        let not_found = |r: Result<(), StoreError>, what: &str| {
            assert!(matches!(r, Err(StoreError::NotFound)), "{what}: {r:?}");
        };

        not_found(store.household(&me, theirs).await.map(drop), "read");
        not_found(store.history(&me, theirs).await.map(drop), "history");
        not_found(store.update_household(&me, theirs, 1, &record.household.fields).await.map(drop), "update");
        not_found(store.add_member(&me, theirs, 1, &person("赵三", Relation::Child, fresh_id())).await.map(drop), "add member");
        not_found(store.update_member(&me, member.id, 1, &member.fields).await.map(drop), "update member");
        not_found(store.remove_member(&me, member.id, 1, "迁出").await.map(drop), "remove member");
        let income = Income { person: member.id, month: Month::new(2026, 5).unwrap(), kind: IncomeKind::Wages, amount: Money::from_yuan(1) };
        not_found(store.change_finances(&me, theirs, 1, &FinanceChange::PutIncome(income)).await.map(drop), "finances");
        let survey = Survey { family_situation: "x".into(), poverty_cause: "x".into(), help_needed: "x".into(), surveyed_by: "x".into(), surveyed_on: date(2026, 5, 1) };
        not_found(store.record_survey(&me, theirs, 1, &survey).await.map(drop), "survey");
        // A stale version does not reveal the household either.
        not_found(store.update_household(&me, theirs, 7, &record.household.fields).await.map(drop), "stale update");

        let listed = store.households(&me, &all(), page()).await.unwrap();
        assert_eq!(listed.total, 0);
        let asked = HouseholdFilter { township: Some(code(RENHE)), ..all() };
        assert_eq!(store.households(&me, &asked, page()).await.unwrap().total, 0);

        let untouched = store.household(&caseworker(RENHE), theirs).await.unwrap();
        assert_eq!(untouched, record, "nothing changed, and its own township reads it");
    }

    async fn a_community_worker_sees_only_their_own_community(store) {
        let mine = file(&store, "QL-0302", QINGLONG_1, &["钱一"]).await;
        let next_door = file(&store, "QL-0303", QINGLONG_2, &["钱二"]).await;
        let me = community_worker(QINGLONG_1);
        let listed = store.households(&me, &all(), page()).await.unwrap();
        assert_eq!(listed.total, 1);
        assert_eq!(listed.rows[0].id, mine);
        assert!(store.household(&me, mine).await.is_ok());
        assert!(matches!(store.household(&me, next_door).await, Err(StoreError::NotFound)));
        let township = store.households(&caseworker(QINGLONG), &all(), page()).await.unwrap();
        assert_eq!(township.total, 2);
    }

    async fn an_administrator_sees_no_household_data(store) {
        let id = file(&store, "QL-0304", QINGLONG_1, &["孙一"]).await;
        let admin = admin();
        let forbidden = |r: Result<(), StoreError>, what: &str| {
            assert!(matches!(r, Err(StoreError::Forbidden)), "{what}: {r:?}");
        };
        forbidden(store.household(&admin, id).await.map(drop), "read");
        forbidden(store.households(&admin, &all(), page()).await.map(drop), "list");
        forbidden(store.history(&admin, id).await.map(drop), "history");
        forbidden(store.township_counts(&admin).await.map(drop), "counts");
        forbidden(store.create_household(&admin, &household("QL-0305", QINGLONG_1, &["孙二"])).await.map(drop), "create");
        forbidden(store.import_households(&admin, &[household("QL-0306", QINGLONG_1, &["孙三"])]).await.map(drop), "import");
        let fields = store.household(&county(), id).await.unwrap().household.fields;
        forbidden(store.update_household(&admin, id, 1, &fields).await.map(drop), "update");
    }

    async fn an_auditor_reads_everything_and_changes_nothing(store) {
        let id = file(&store, "RH-0307", RENHE_1, &["李一"]).await;
        let auditor = auditor();
        let record = store.household(&auditor, id).await.unwrap();
        assert_eq!(store.households(&auditor, &all(), page()).await.unwrap().total, 1);
        assert_eq!(store.history(&auditor, id).await.unwrap().len(), 1);
        let r = store.update_household(&auditor, id, 1, &record.household.fields).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let r = store.create_household(&auditor, &household("RH-0308", RENHE_1, &["李二"])).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
    }

    async fn a_household_cannot_be_filed_or_moved_outside_the_actors_scope(store) {
        let me = caseworker(QINGLONG);
        let r = store.create_household(&me, &household("RH-0309", RENHE_1, &["周一"])).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let r = store.import_households(&me, &[household("QL-0310", QINGLONG_1, &["周二"]), household("RH-0311", RENHE_1, &["周三"])]).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        assert_eq!(store.households(&county(), &all(), page()).await.unwrap().total, 0, "nothing was filed");

        let id = store.create_household(&me, &household("QL-0312", QINGLONG_1, &["周四"])).await.unwrap();
        let mut moved = store.household(&me, id).await.unwrap().household.fields;
        moved.township = code(RENHE);
        moved.community = code(RENHE_1);
        let r = store.update_household(&me, id, 1, &moved).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        assert_eq!(store.household(&me, id).await.unwrap().household.version, 1);

        let mut within = moved.clone();
        within.township = code(QINGLONG);
        within.community = code(QINGLONG_2);
        assert_eq!(store.update_household(&me, id, 1, &within).await.unwrap().version, 2);
        // The county moves it anywhere.
        assert_eq!(store.update_household(&county(), id, 2, &moved).await.unwrap().version, 3);
        assert!(matches!(store.household(&me, id).await, Err(StoreError::NotFound)));
    }
}
