//! The roles of 5.1 beyond scopes: a department officer reads only the households and fields its
//! department's work needs, a paired cadre only the households paired with them, a social
//! organisation no household at all; none of them writes.

use std::sync::Arc;

use doudi_core::{
    Department, Disability, DisabilityGrade, DisabilityKind, Expense, ExpenseKind, HouseholdId,
    Income, IncomeKind, Money, Month, Phone, Relation, Role, SchoolStage, Scope,
};
use doudi_store::{HouseholdFilter, NewUser, Page, PairingFilter, Store, StoreError};

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

/// A household whose head works, with a pupil (with tuition) and a disabled grandparent, a phone
/// and incomes.
async fn family(store: &Arc<dyn Store>, number: &str, community: &str) -> HouseholdId {
    let mut h = household(number, community, &["周大", "周小", "周老"]);
    h.fields.phone = Some(Phone::parse("13800001111").unwrap());
    h.members[1].school_stage = Some(SchoolStage::Primary);
    h.members[1].work_capacity = doudi_core::WorkCapacity::None;
    h.members[2].relation = Relation::Grandparent;
    h.members[2].work_capacity = doudi_core::WorkCapacity::None;
    h.members[2].disability = Some(Disability {
        kind: DisabilityKind::Physical,
        grade: DisabilityGrade::Two,
    });
    h.incomes = vec![Income {
        person: doudi_core::PersonId(0),
        month: Month::new(2026, 5).unwrap(),
        kind: IncomeKind::Wages,
        amount: Money::from_yuan(1500),
    }];
    h.expenses = vec![
        Expense {
            person: doudi_core::PersonId(1),
            month: Month::new(2026, 9).unwrap(),
            kind: ExpenseKind::Tuition,
            amount: Money::from_yuan(300),
        },
        Expense {
            person: doudi_core::PersonId(2),
            month: Month::new(2026, 9).unwrap(),
            kind: ExpenseKind::Medical,
            amount: Money::from_yuan(800),
        },
    ];
    store.create_household(&county(), &h).await.unwrap()
}

/// A household of one working adult: no pupil, nobody ill or disabled.
async fn plain(store: &Arc<dyn Store>, number: &str, community: &str) -> HouseholdId {
    crate::households::file(store, number, community, &["吴一"]).await
}

async fn cadre(store: &Arc<dyn Store>, username: &str, scope: Scope) -> doudi_core::Actor {
    let id = store
        .create_user(
            &command_line(),
            &NewUser {
                username: username.into(),
                display_name: "结对干部".into(),
                role: Role::PairedCadre,
                scope,
                department: None,
                password_hash: "$argon2id$x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    store.user_by_id(id).await.unwrap().unwrap().actor()
}

conformance! {
    async fn the_education_department_sees_pupils_and_their_schooling_only(store) {
        let family = family(&store, "ED-0001", QINGLONG_1).await;
        let plain = plain(&store, "ED-0002", RENHE_1).await;
        let education = department_officer(Department::Education);

        let record = store.household(&education, family).await.unwrap();
        let names: Vec<String> = record.members.iter().map(|p| p.fields.name.as_str().to_owned()).collect();
        assert_eq!(names, ["周小"], "only the pupil, not the head nor the grandparent");
        let pupil = &record.members[0].fields;
        assert_eq!(pupil.school_stage, Some(SchoolStage::Primary));
        assert_eq!(pupil.disability, None);
        assert!(record.incomes.is_empty(), "no incomes");
        assert_eq!(record.expenses.len(), 1);
        assert_eq!(record.expenses[0].kind, ExpenseKind::Tuition);
        assert_eq!(record.household.fields.phone, None, "no phone");
        assert_eq!(record.household.fields.address, "", "no address");
        assert!(record.household.fields.causes.is_empty());

        assert!(matches!(store.household(&education, plain).await, Err(StoreError::NotFound)), "a household without a pupil is none of its business");
        let listed = store.households(&education, &all(), page()).await.unwrap();
        assert_eq!(listed.total, 1);
        assert_eq!(listed.rows[0].id, family);
        assert_eq!(listed.rows[0].head_name.as_str(), "周小", "the list names the pupil, not the head");
        assert_eq!(listed.rows[0].members, 1);
        let records = store.records(&education, &all()).await.unwrap();
        assert_eq!(records, vec![record.clone()], "the bulk read gives the same view");
        assert!(matches!(store.history(&education, family).await, Err(StoreError::Forbidden)), "history holds every field's old value");
        let counts = store.township_counts(&education).await.unwrap();
        assert_eq!(counts.iter().map(|c| c.dibao_households).sum::<i64>(), 1);
    }

    async fn the_disabled_persons_federation_and_medical_insurance_see_their_members(store) {
        let family = family(&store, "DF-0001", QINGLONG_1).await;
        plain(&store, "DF-0002", QINGLONG_1).await;

        let federation = store.household(&department_officer(Department::DisabledFederation), family).await.unwrap();
        assert_eq!(federation.members.len(), 1);
        assert_eq!(federation.members[0].fields.disability.map(|d| d.kind), Some(DisabilityKind::Physical));
        assert!(federation.expenses.is_empty(), "no medical costs for the federation");

        let insurance = store.household(&department_officer(Department::MedicalInsurance), family).await.unwrap();
        assert_eq!(insurance.members.len(), 1);
        assert_eq!(insurance.expenses.iter().map(|e| e.kind).collect::<Vec<_>>(), [ExpenseKind::Medical]);
        assert_eq!(insurance.members[0].fields.school_stage, None);

        let hrss = store.household(&department_officer(Department::HumanResources), family).await.unwrap();
        assert_eq!(hrss.members.iter().map(|p| p.fields.name.as_str()).collect::<Vec<_>>(), ["周大"], "only the member able to work");
        assert_eq!(hrss.incomes.len(), 1, "and the incomes");
        assert!(hrss.expenses.is_empty());
    }

    async fn emergency_management_sees_every_household_by_its_head_address_and_phone(store) {
        let family = family(&store, "EM-0001", QINGLONG_1).await;
        let plain = plain(&store, "EM-0002", RENHE_1).await;
        let emergency = department_officer(Department::EmergencyManagement);
        assert_eq!(store.households(&emergency, &all(), page()).await.unwrap().total, 2);
        let record = store.household(&emergency, family).await.unwrap();
        assert_eq!(record.members.iter().map(|p| p.fields.relation).collect::<Vec<_>>(), [Relation::Head]);
        assert!(record.household.fields.phone.is_some());
        assert!(!record.household.fields.address.is_empty());
        assert!(record.incomes.is_empty() && record.expenses.is_empty() && record.surveys.is_empty());
        assert!(store.household(&emergency, plain).await.is_ok());
    }

    async fn a_paired_cadre_reads_only_the_households_paired_with_them(store) {
        let mine = family(&store, "PC-0001", QINGLONG_1).await;
        let other = plain(&store, "PC-0002", QINGLONG_1).await;
        let cadre = cadre(&store, "cadre01", Scope::County).await;

        assert!(matches!(store.household(&cadre, mine).await, Err(StoreError::NotFound)), "nothing before pairing");
        store.pair(&caseworker(QINGLONG), mine, cadre.user_id).await.unwrap();
        let record = store.household(&cadre, mine).await.unwrap();
        assert_eq!(record.members.len(), 3, "the whole household");
        assert!(store.history(&cadre, mine).await.is_ok());
        assert!(matches!(store.household(&cadre, other).await, Err(StoreError::NotFound)));
        assert!(matches!(store.history(&cadre, other).await, Err(StoreError::NotFound)));
        let listed = store.households(&cadre, &all(), page()).await.unwrap();
        assert_eq!(listed.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [mine]);
        assert_eq!(store.records(&cadre, &all()).await.unwrap().len(), 1);

        let r = store.update_household(&cadre, mine, record.household.version, &record.household.fields).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "read-only: {r:?}");

        let pairings = store.pairings(&cadre, PairingFilter::default()).await.unwrap();
        assert_eq!(pairings.len(), 1);
        assert_eq!((pairings[0].household, pairings[0].household_number.as_str(), pairings[0].cadre_username.as_str()), (mine, "PC-0001", "cadre01"));

        store.unpair(&county(), mine, cadre.user_id).await.unwrap();
        assert!(matches!(store.household(&cadre, mine).await, Err(StoreError::NotFound)), "unpaired, unseen");
        assert!(matches!(store.unpair(&county(), mine, cadre.user_id).await, Err(StoreError::NotFound)));
    }

    async fn pairings_are_made_by_the_county_and_townships_within_their_scope(store) {
        let qinglong = family(&store, "PM-0001", QINGLONG_1).await;
        let renhe = plain(&store, "PM-0002", RENHE_1).await;
        let cadre = cadre(&store, "cadre02", Scope::County).await;
        let local = cadre_in(&store).await;

        let r = store.pair(&caseworker(QINGLONG), renhe, cadre.user_id).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "another township's household: {r:?}");
        for not_allowed in [community_worker(QINGLONG_1), auditor(), admin(), department_officer(Department::Health), cadre.clone()] {
            let r = store.pair(&not_allowed, qinglong, cadre.user_id).await;
            assert!(matches!(r, Err(StoreError::Forbidden)), "{:?}: {r:?}", not_allowed.role);
        }
        let r = store.pair(&county(), renhe, local.user_id).await;
        assert!(matches!(r, Err(StoreError::Invalid(ref m)) if m.contains("工作范围")), "{r:?}");
        let caseworker_id = store.create_user(&command_line(), &NewUser {
            username: "notcadre".into(), display_name: "经办员".into(), role: Role::TownshipCaseworker,
            scope: Scope::Division(code(QINGLONG)), department: None, password_hash: "$argon2id$x".into(), must_change_password: false,
        }).await.unwrap();
        let r = store.pair(&county(), qinglong, caseworker_id).await;
        assert!(matches!(r, Err(StoreError::Invalid(ref m)) if m.contains("不是结对帮扶干部")), "{r:?}");

        store.pair(&caseworker(QINGLONG), qinglong, cadre.user_id).await.unwrap();
        let r = store.pair(&county(), qinglong, cadre.user_id).await;
        assert!(matches!(r, Err(StoreError::Duplicate(_))), "{r:?}");
        store.pair(&county(), renhe, cadre.user_id).await.unwrap();

        let seen_by_qinglong = store.pairings(&caseworker(QINGLONG), PairingFilter::default()).await.unwrap();
        assert_eq!(seen_by_qinglong.iter().map(|p| p.household).collect::<Vec<_>>(), [qinglong], "a township lists its own pairings");
        let of_cadre = store.pairings(&county(), PairingFilter { cadre: Some(cadre.user_id), ..Default::default() }).await.unwrap();
        assert_eq!(of_cadre.len(), 2);
        assert!(matches!(store.pairings(&social_organisation(), PairingFilter::default()).await, Err(StoreError::Forbidden)));
        let cadres: Vec<String> = store.cadres(&caseworker(RENHE)).await.unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(cadres, ["cadre02"], "a township chooses among the county's cadres and its own");
    }

    async fn a_social_organisation_and_the_administrator_read_no_household_data(store) {
        let id = family(&store, "SO-0001", QINGLONG_1).await;
        for actor in [social_organisation(), admin()] {
            let forbidden = |r: Result<(), StoreError>, what: &str| {
                assert!(matches!(r, Err(StoreError::Forbidden)), "{:?} {what}: {r:?}", actor.role);
            };
            forbidden(store.household(&actor, id).await.map(drop), "household");
            forbidden(store.households(&actor, &all(), page()).await.map(drop), "list");
            forbidden(store.records(&actor, &all()).await.map(drop), "records");
            forbidden(store.history(&actor, id).await.map(drop), "history");
            forbidden(store.township_counts(&actor).await.map(drop), "counts");
        }
    }

    async fn departments_and_cadres_change_nothing(store) {
        let id = family(&store, "RO-0001", QINGLONG_1).await;
        let record = store.household(&county(), id).await.unwrap();
        for actor in [department_officer(Department::Education), social_organisation(), cadre(&store, "cadre03", Scope::County).await] {
            let r = store.update_household(&actor, id, record.household.version, &record.household.fields).await;
            assert!(matches!(r, Err(StoreError::Forbidden)), "{:?}: {r:?}", actor.role);
        }
    }
}

/// A cadre of 青龙街道.
async fn cadre_in(store: &Arc<dyn Store>) -> doudi_core::Actor {
    cadre(store, "localcadre", Scope::Division(code(QINGLONG))).await
}

conformance! {
    async fn rule_snapshots_are_whole_households_so_departments_get_none_and_a_cadre_only_their_pairs(store) {
        let mine = plain(&store, "SN-0001", QINGLONG_1).await;
        plain(&store, "SN-0002", QINGLONG_2).await;
        let cadre = cadre(&store, "cadre-sn", Scope::County).await;
        store.pair(&caseworker(QINGLONG), mine, cadre.user_id).await.unwrap();
        let (from, until) = (doudi_core::Month::new(2026, 1).unwrap(), doudi_core::Month::new(2026, 12).unwrap());

        let paired = store.snapshots(&cadre, from, until).await.unwrap();
        assert_eq!(paired.iter().map(|s| s.id).collect::<Vec<_>>(), vec![mine.0]);
        for department in [Department::Education, Department::HumanResources] {
            assert!(matches!(
                store.snapshots(&department_officer(department), from, until).await,
                Err(StoreError::Forbidden)
            ));
        }
        assert!(matches!(store.snapshots(&social_organisation(), from, until).await, Err(StoreError::Forbidden)));
    }
}
